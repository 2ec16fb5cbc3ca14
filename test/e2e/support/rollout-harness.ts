import { PROXY_ENV_OVERRIDE } from "../../../render/scripts/proxy-runtime";
// Zero-downtime rollout on loopback, for any proxy engine: Spring-like stub backends, the proxy run
// from its rendered config with its rendered runtime scripts (PROXY_RUNTIME=local), a client load of
// SSE streams plus GET and POST loops, and the graph's steps in the graph's order.
//
// Usage (see rollout-haproxy.ts for a complete engine):
//   const engine: RolloutEngine = {
//     name: "nginx",
//     render: renderNginxConfig,
//     async start(input, dir) {
//       // write the config into dir, start the daemon (startDaemon), then:
//       const runtime = installProxyRuntime(dir, nginxRuntimeScripts(), { ...settings, runtime: "local" });
//       return { input, configPath, runtime, httpsUrl, output: daemon.output, stop: daemon.stop };
//     },
//   };
//   const report = await runRollout({ engine, backendHost: "127.0.0.161", backendPorts: [28281, 28282, 28283],
//     proxyAddress: "127.0.0.171" });
//   expect(report.rollout.failedRequests).toEqual([]); expect(report.rollout.cutStreams).toEqual([]);
// The scripts find their env file through PROXY_ENV_VAR. An engine whose step is not one script
// call can replace it through `steps`.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { LoadBalancerRenderInput } from "../../../render/lb-types";
import {
  NEXT_CONFIG_SUFFIX,
  PROXY_RUNTIME_PATHS,
  type ProxyRuntimeFile,
  type ProxyRuntimeSettings,
  renderProxyRuntimeEnv,
} from "../../../render/scripts/proxy-runtime";
import { generateTestCert } from "./certs";
import { type TlsTrust, request } from "./client";
import { TEST_SERVER_NAME, testLbInput } from "./lb-inputs";
import { type LoadReport, startLoad } from "./rollout-load";
import { type StubBackend, startStubBackends } from "./stub-backend";
import { sleep, waitFor } from "./wait";

/** Env var the runtime scripts read their env file path from (default: PROXY_RUNTIME_PATHS.env). */
export const PROXY_ENV_VAR = PROXY_ENV_OVERRIDE;

export type RuntimeScript = "drain" | "ret" | "activate";

/** Exit status and output (stdout and stderr together) of one runtime script run. */
export interface ScriptRun {
  status: number | null;
  output: string;
}

/** An engine's runtime scripts installed in a test directory, with their env file. */
export interface InstalledRuntime {
  envFile: string;
  /** Runs a script as the graph would (asynchronously: the stubs live in this process). */
  run(script: RuntimeScript, args: string[], timeoutMs?: number): Promise<ScriptRun>;
}

/** Writes `files` (placed by their base name into `dir`/bin) and the env file for `settings`. */
export function installProxyRuntime(
  dir: string,
  files: ProxyRuntimeFile[],
  settings: ProxyRuntimeSettings,
): InstalledRuntime {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const envFile = join(dir, "proxy.env");
  writeFileSync(envFile, renderProxyRuntimeEnv(settings));
  for (const f of files) {
    const target = join(bin, basename(f.path));
    writeFileSync(target, f.content);
    chmodSync(target, Number.parseInt(f.mode, 8));
  }
  return {
    envFile,
    run: (script, args, timeoutMs = 120_000) =>
      runAsync(
        join(bin, basename(PROXY_RUNTIME_PATHS[script])),
        args,
        { [PROXY_ENV_VAR]: envFile },
        timeoutMs,
      ),
  };
}

function runAsync(
  path: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** A proxy started by an engine for a rollout. */
export interface RolloutProxy {
  readonly input: LoadBalancerRenderInput;
  /** The live config file; activate reads `<configPath>.next`. */
  readonly configPath: string;
  readonly runtime: InstalledRuntime;
  httpsUrl(path: string): string;
  /** The daemon's recent output. */
  output(): string;
  stop(): Promise<void>;
}

/** The steps of the graph on one proxy; each resolves with the script run it made. */
export interface RolloutSteps {
  drain(proxy: RolloutProxy, server: string, windowSeconds: number): Promise<ScriptRun>;
  ret(proxy: RolloutProxy, server: string): Promise<ScriptRun>;
  /** Places `nextConfig` beside the live file and applies it. */
  activate(proxy: RolloutProxy, nextConfig: string): Promise<ScriptRun>;
}

/** What the harness needs from an engine. */
export interface RolloutEngine {
  readonly name: string;
  render(input: LoadBalancerRenderInput): string;
  /** Starts the proxy on `input` in `dir` with its runtime scripts installed (local runtime). */
  start(input: LoadBalancerRenderInput, dir: string): Promise<RolloutProxy>;
  /** Replaces the default steps (one runtime script each). */
  steps?: Partial<RolloutSteps>;
}

/** The default steps: the rendered scripts with the contract's arguments. */
export const scriptSteps: RolloutSteps = {
  drain: (proxy, server, window) => proxy.runtime.run("drain", [server, String(window)]),
  ret: (proxy, server) => proxy.runtime.run("ret", [server]),
  activate: (proxy, nextConfig) => {
    writeFileSync(`${proxy.configPath}${NEXT_CONFIG_SUFFIX}`, nextConfig, { mode: 0o600 });
    return proxy.runtime.run("activate", []);
  },
};

export interface RolloutOptions {
  engine: RolloutEngine;
  /** Loopback address and ports of the three backends. */
  backendHost: string;
  backendPorts: number[];
  /** Loopback address of the proxy (test ports of lb-inputs.ts). */
  proxyAddress: string;
  /** false: stop and start each backend without drain and return (shows what the steps prevent). */
  drain?: boolean;
  /** Apply a config change through activate after the rollout (default true). */
  reload?: boolean;
  /** Concurrent SSE streams (default 20), chunks per stream and pause before each chunk. */
  streams?: number;
  streamChunks?: number;
  streamIntervalMs?: number;
  /** Drain window handed to the drain step (default 30 s). */
  drainWindowSeconds?: number;
  /** A backend's graceful shutdown phase before it cuts what still runs (default 10 s). */
  shutdownGraceMs?: number;
  /** Time a restarted backend needs before it listens and reports UP (default 2 s). */
  startupMs?: number;
  /** Progress lines (bench: stderr). */
  log?: (line: string) => void;
}

/** The load seen during one phase. */
export interface PhaseReport extends LoadReport {
  durationMs: number;
}

export interface RolloutReport {
  /** Load during the one-by-one replacement of every backend. */
  rollout: PhaseReport;
  /** Load during the config change applied through activate (when `reload`). */
  reload?: PhaseReport;
  /** The activate run, and whether the live file is the new config afterwards. */
  activate?: ScriptRun & { liveIsNext: boolean };
  /** Requests the backends themselves cut at the end of their shutdown phase. */
  cutAtShutdown: number;
  /** Every step with its duration and script output. */
  steps: Array<{ step: string; ms: number; output: string }>;
  /** Backends, in order. */
  backends: string[];
}

/** Stream length must stay ≥ 5 s: 10 chunks, one every 520 ms. */
const DEFAULTS = {
  drain: true,
  reload: true,
  streams: 20,
  streamChunks: 10,
  streamIntervalMs: 520,
  drainWindowSeconds: 30,
  shutdownGraceMs: 10_000,
  startupMs: 2_000,
};
/** Load before the first step, so that every backend has streams in flight. */
const WARMUP_MS = 1_500;

/** Starts backends and proxy, runs the rollout then the reload under load, stops everything. */
export async function runRollout(o: RolloutOptions): Promise<RolloutReport> {
  const cfg = { ...DEFAULTS, ...o };
  const log = o.log ?? (() => undefined);
  const steps = o.engine.steps ? { ...scriptSteps, ...o.engine.steps } : scriptSteps;
  const dir = mkdtempSync(join(tmpdir(), `rollout-${o.engine.name}-`));
  let stubs: StubBackend[] = [];
  let proxy: RolloutProxy | undefined;
  try {
    const cert = generateTestCert(dir, TEST_SERVER_NAME);
    const trust: TlsTrust = { ca: cert.pem, servername: TEST_SERVER_NAME };
    stubs = await startStubBackends(o.backendHost, o.backendPorts, {
      sseChunks: cfg.streamChunks,
      sseIntervalMs: cfg.streamIntervalMs,
    });
    const backends = stubs.map((s) => ({ name: s.name, address: s.options.host, port: s.options.port }));
    const proxyDir = join(dir, "proxy");
    mkdirSync(proxyDir);
    const input = testLbInput({
      dir: proxyDir,
      cert,
      address: o.proxyAddress,
      backends,
      internalCidrs: ["10.0.0.0/8"],
      monitoringCidrs: ["127.0.0.0/8"],
    });
    const running = await o.engine.start(input, proxyDir);
    proxy = running;
    const report: RolloutReport = {
      rollout: undefined as unknown as PhaseReport,
      cutAtShutdown: 0,
      steps: [],
      backends: stubs.map((s) => s.name),
    };
    const step = async (name: string, action: () => Promise<ScriptRun | void>): Promise<void> => {
      const started = Date.now();
      const run = await action();
      const ms = Date.now() - started;
      report.steps.push({ step: name, ms, output: run?.output ?? "" });
      log(`${o.engine.name}: ${name} (${ms} ms)`);
      if (run && run.status !== 0) {
        throw new Error(
          `${name} failed (exit ${run.status}):\n${run.output}\n--- proxy ---\n${running.output()}`,
        );
      }
    };
    const load = () =>
      startLoad({
        url: (p) => running.httpsUrl(p),
        trust,
        streams: cfg.streams,
        chunksPerStream: cfg.streamChunks,
      });

    // Phase 1: every backend replaced, one after the other, in the graph's order.
    let started = Date.now();
    let traffic = load();
    await sleep(WARMUP_MS);
    for (const stub of stubs) {
      if (cfg.drain)
        await step(`drain ${stub.name}`, () => steps.drain(running, stub.name, cfg.drainWindowSeconds));
      await step(`stop ${stub.name}`, async () => {
        report.cutAtShutdown += await stub.stopGracefully(cfg.shutdownGraceMs);
      });
      await step(`start ${stub.name}`, async () => {
        await sleep(cfg.startupMs);
        await stub.start();
        await waitFor(`${stub.name} health`, () => healthy(stub), { timeoutMs: 15_000, intervalMs: 100 });
      });
      if (cfg.drain) await step(`return ${stub.name}`, () => steps.ret(running, stub.name));
    }
    report.rollout = { ...(await traffic.stop()), durationMs: Date.now() - started };

    // Phase 2: a config change applied in place while streams run.
    if (cfg.reload) {
      started = Date.now();
      traffic = load();
      await sleep(WARMUP_MS);
      const next = o.engine.render({
        ...input,
        timeouts: { ...input.timeouts, serverMs: input.timeouts.serverMs + 1_000 },
      });
      let run: ScriptRun = { status: null, output: "" };
      await step("activate", async () => (run = await steps.activate(running, next)));
      report.activate = { ...run, liveIsNext: readFileSync(running.configPath, "utf8") === next };
      report.reload = { ...(await traffic.stop()), durationMs: Date.now() - started };
    }
    return report;
  } finally {
    await proxy?.stop();
    await Promise.all(stubs.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function healthy(stub: StubBackend): Promise<boolean> {
  const { host, port } = stub.options;
  return (await request(`http://${host}:${port}/actuator/health`, { timeoutMs: 1_000 })).status === 200;
}
