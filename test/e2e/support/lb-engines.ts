// The two load-balancer engines as the tests and the benchmark drive them: render with the real
// render functions, run the real daemon, and observe how each one takes a dead server out.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HAPROXY_IDEMPOTENT_BACKEND, renderHaproxyConfig } from "../../../render/haproxy";
import { HAPROXY_STATS_PATH, NGINX_STUB_STATUS_PATH } from "../../../render/lb-common";
import type { LbBackend, LoadBalancerRenderInput } from "../../../render/lb-types";
import { renderNginxConfig } from "../../../render/nginx";
import { request } from "./client";
import { type Daemon, startDaemon } from "./daemon";
import { waitFor } from "./wait";

/** A load balancer started by a test. */
export interface RunningLb {
  readonly input: LoadBalancerRenderInput;
  readonly daemon: Daemon;
  /** `https://<address>:<httpsPort><path>` */
  httpsUrl(path: string): string;
  /** `http://<address>:<httpPort><path>` */
  httpUrl(path: string): string;
}

/** What the e2e suite and the benchmark need from an engine. */
export interface LbEngine {
  readonly name: "haproxy" | "nginx";
  render(input: LoadBalancerRenderInput): string;
  /** Writes the config into `dir` and runs the daemon until `/health` answers. */
  start(input: LoadBalancerRenderInput, dir: string): Promise<RunningLb>;
  /** Request on the internal stats port that answers 200 to a monitoring source. */
  monitoringRequest(lb: RunningLb): { url: string; headers: Record<string, string>; expect: RegExp };
  /** Resolves once the engine has taken `backend` out of rotation (bounded by `timeoutMs`). */
  waitMarkedDown(lb: RunningLb, backend: LbBackend, timeoutMs: number): Promise<void>;
}

function running(input: LoadBalancerRenderInput, daemon: Daemon): RunningLb {
  const { address, httpPort, httpsPort } = input.listen;
  return {
    input,
    daemon,
    httpsUrl: (path) => `https://${address}:${httpsPort}${path}`,
    httpUrl: (path) => `http://${address}:${httpPort}${path}`,
  };
}

async function launch(input: LoadBalancerRenderInput, cmd: string, args: string[]): Promise<RunningLb> {
  const health = `http://${input.listen.address}:${input.listen.httpPort}/health`;
  const daemon = await startDaemon(
    cmd,
    args,
    async () => (await request(health, { timeoutMs: 1_000 })).status === 200,
  );
  return running(input, daemon);
}

function basicAuth(input: LoadBalancerRenderInput): Record<string, string> {
  const token = Buffer.from(`${input.stats.user}:${input.stats.password}`).toString("base64");
  return { Authorization: `Basic ${token}` };
}

/** HAProxy's view of one server: the `status` column of the stats CSV (`UP`, `DOWN`, ...). */
export async function haproxyServerStatus(lb: RunningLb, server: string): Promise<string | undefined> {
  const { address, statsPort } = lb.input.listen;
  const res = await request(`http://${address}:${statsPort}${HAPROXY_STATS_PATH};csv`, {
    headers: basicAuth(lb.input),
    timeoutMs: 2_000,
  });
  const [header, ...rows] = res.body.trim().split("\n");
  const columns = (header ?? "").replace(/^# /, "").split(",");
  const statusAt = columns.indexOf("status");
  const row = rows
    .map((r) => r.split(","))
    .find((cells) => cells[0] === HAPROXY_IDEMPOTENT_BACKEND && cells[1] === server);
  return row?.[statusAt];
}

export const haproxyEngine: LbEngine = {
  name: "haproxy",
  render: renderHaproxyConfig,
  async start(input, dir) {
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, renderHaproxyConfig(input), { mode: 0o600 });
    return launch(input, "haproxy", ["-db", "-f", file]);
  },
  monitoringRequest(lb) {
    const { address, statsPort } = lb.input.listen;
    return {
      url: `http://${address}:${statsPort}${HAPROXY_STATS_PATH};csv`,
      headers: basicAuth(lb.input),
      expect: /^# pxname,svname,/,
    };
  },
  async waitMarkedDown(lb, backend, timeoutMs) {
    await waitFor(
      `HAProxy to mark ${backend.name} DOWN`,
      async () => (await haproxyServerStatus(lb, backend.name))?.startsWith("DOWN"),
      { timeoutMs, intervalMs: 100 },
    );
  },
};

export const nginxEngine: LbEngine = {
  name: "nginx",
  render: renderNginxConfig,
  async start(input, dir) {
    mkdirSync(input.runtime.nginx.tempDir, { recursive: true });
    const file = join(dir, "nginx.conf");
    writeFileSync(file, renderNginxConfig(input), { mode: 0o600 });
    return launch(input, "nginx", ["-c", file, "-g", "daemon off;"]);
  },
  monitoringRequest(lb) {
    const { address, statsPort } = lb.input.listen;
    return {
      url: `http://${address}:${statsPort}${NGINX_STUB_STATUS_PATH}`,
      headers: {},
      expect: /^Active connections: \d+/,
    };
  },
  async waitMarkedDown(lb, backend, timeoutMs) {
    // passive detection: Nginx logs (warn) when max_fails is reached and the server is skipped
    const upstream = `${backend.address}:${backend.port}`.replace(/\./g, "\\.");
    const line = new RegExp(`upstream server temporarily disabled.*upstream: "http://${upstream}/`);
    await waitFor(`Nginx to disable ${backend.name}`, () => line.test(lb.daemon.output()), {
      timeoutMs,
      intervalMs: 100,
    });
  },
};
