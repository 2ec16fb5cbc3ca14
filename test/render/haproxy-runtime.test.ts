// HAProxy's drain, return and activate scripts: shellcheck, then their behaviour against a real
// HAProxy (master-worker, rendered config) on loopback with the local runtime.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAPROXY_IDEMPOTENT_BACKEND, HAPROXY_NON_IDEMPOTENT_BACKEND } from "../../render/haproxy";
import { haproxyRuntimeScripts } from "../../render/scripts/haproxy-runtime";
import { NEXT_CONFIG_SUFFIX } from "../../render/scripts/proxy-runtime";
import { generateTestCert } from "../e2e/support/certs";
import { type TlsTrust, request, requestEvents } from "../e2e/support/client";
import { TEST_SERVER_NAME, testLbInput } from "../e2e/support/lb-inputs";
import { type RolloutProxy, installProxyRuntime } from "../e2e/support/rollout-harness";
import { haproxyRolloutEngine, localHaproxySettings } from "../e2e/support/rollout-haproxy";
import { type EchoAnswer, type StubBackend, startStubBackends } from "../e2e/support/stub-backend";
import { waitFor } from "../e2e/support/wait";
import { hasTool, run, toolsAvailable } from "../support/tools";

// distinct from every e2e file: unit test files run in parallel with each other
const BACKEND_HOST = "127.0.0.142";
const BACKEND_PORTS = [28191, 28192, 28193];
const PROXY_ADDRESS = "127.0.0.152";
/** Each stream: 6 chunks, one every 500 ms (3 s), long enough to be in flight during a step. */
const STREAM = { sseChunks: 6, sseIntervalMs: 500 };

describe.skipIf(!toolsAvailable("shellcheck"))("HAProxy runtime scripts: shellcheck", () => {
  it.each(haproxyRuntimeScripts().map((f) => [f.path, f.content]))("%s is clean", (path, content) => {
    const r = run("shellcheck", ["-s", "bash", "-"], { input: content });
    expect(r.stdout + r.stderr, path).toBe("");
    expect(r.status).toBe(0);
  });
});

/** One runtime API command over the admin socket, from the test itself. */
function admin(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socket);
    let answer = "";
    s.setTimeout(5_000, () => s.destroy(new Error("admin socket timeout")));
    s.on("connect", () => s.write(`${command}\n`));
    s.on("data", (d: Buffer) => (answer += d.toString()));
    s.on("end", () => resolve(answer));
    s.on("error", reject);
  });
}

const adminClient = hasTool("nc") || toolsAvailable("python3");

describe.skipIf(!toolsAvailable("haproxy", "openssl", "curl") || !adminClient)(
  "HAProxy runtime scripts against a real HAProxy",
  () => {
    let dir = "";
    let trust: TlsTrust;
    let stubs: StubBackend[] = [];
    let proxy: RolloutProxy;
    const socket = (): string => proxy.input.runtime.haproxy.adminSocketPath;

    /** `status` of server `name` in both backends, e.g. ["DRAIN", "DRAIN"]. */
    async function statuses(name: string): Promise<string[]> {
      const rows = (await admin(socket(), "show stat")).split("\n").map((l) => l.split(","));
      return [HAPROXY_IDEMPOTENT_BACKEND, HAPROXY_NON_IDEMPOTENT_BACKEND].map(
        (be) => rows.find((r) => r[0] === be && r[1] === name)?.[17] ?? "missing",
      );
    }
    const workerPid = async (): Promise<string> =>
      /^Pid: (\d+)$/m.exec(await admin(socket(), "show info"))?.[1] ?? "";
    const echoBackend = async (): Promise<string> =>
      (JSON.parse((await request(proxy.httpsUrl("/echo"), { tls: trust })).body) as EchoAnswer).backend;
    const stream = () =>
      requestEvents(proxy.httpsUrl("/v1/chat/completions"), {
        method: "POST",
        tls: trust,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ stream: true }),
        timeoutMs: 20_000,
      });
    const complete = (s: Awaited<ReturnType<typeof stream>>): boolean =>
      s.status === 200 && s.events.length === STREAM.sseChunks + 1 && s.events.at(-1)?.data === "[DONE]";
    const backendOf = (s: Awaited<ReturnType<typeof stream>>): string =>
      (JSON.parse(s.events[0]?.data ?? "{}") as { backend?: string }).backend ?? "";
    const nextConfig = (serverMs: number): string =>
      haproxyRolloutEngine.render({ ...proxy.input, timeouts: { ...proxy.input.timeouts, serverMs } });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "haproxy-runtime-"));
      const cert = generateTestCert(dir, TEST_SERVER_NAME);
      trust = { ca: cert.pem, servername: TEST_SERVER_NAME };
      stubs = await startStubBackends(BACKEND_HOST, BACKEND_PORTS, STREAM);
      const backends = stubs.map((s) => ({ name: s.name, address: s.options.host, port: s.options.port }));
      const proxyDir = join(dir, "proxy");
      mkdirSync(proxyDir);
      const input = testLbInput({
        dir: proxyDir,
        cert,
        address: PROXY_ADDRESS,
        backends,
        internalCidrs: ["10.0.0.0/8"],
        monitoringCidrs: ["127.0.0.0/8"],
      });
      proxy = await haproxyRolloutEngine.start(input, proxyDir);
      await waitFor(
        "every server UP",
        async () => (await Promise.all(stubs.map((s) => statuses(s.name)))).flat().every((s) => s === "UP"),
        {
          timeoutMs: 10_000,
          intervalMs: 100,
        },
      );
    });

    afterAll(async () => {
      await proxy?.stop();
      await Promise.all(stubs.map((s) => s.stop()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("drain: no new request reaches the server, and it returns once the stream in flight has ended", async () => {
      // three POSTs in a row: round robin puts one stream on every server
      const streams = [stream(), stream(), stream()];
      await new Promise((r) => setTimeout(r, 700));
      const drainStarted = Date.now();
      const drain = await proxy.runtime.run("drain", ["app2", "20"]);
      const drainedAfter = Date.now() - drainStarted;
      expect(drain.status, drain.output).toBe(0);
      expect(drain.output).toMatch(/app2: drained/);
      expect(await statuses("app2")).toEqual(["DRAIN", "DRAIN"]);
      const done = await Promise.all(streams);
      expect(done.every(complete)).toBe(true);
      // the drain waited for app2's stream (3 s, started 0.7 s before)
      expect(done.map(backendOf).sort()).toEqual(["app1", "app2", "app3"]);
      expect(drainedAfter).toBeGreaterThan(1_500);
      const answered = await Promise.all(Array.from({ length: 9 }, () => echoBackend()));
      expect(answered).not.toContain("app2");
    });

    it("return: the server is UP again and gets requests", async () => {
      const ret = await proxy.runtime.run("ret", ["app2"]);
      expect(ret.status, ret.output).toBe(0);
      expect(await statuses("app2")).toEqual(["UP", "UP"]);
      const answered = await Promise.all(Array.from({ length: 9 }, () => echoBackend()));
      expect(answered).toContain("app2");
    });

    it("activate: validates, moves the next file into place, reloads with a stream in flight uncut", async () => {
      const before = await workerPid();
      const inFlight = stream();
      await new Promise((r) => setTimeout(r, 700));
      const next = nextConfig(31_000);
      writeFileSync(`${proxy.configPath}${NEXT_CONFIG_SUFFIX}`, next);
      const activate = await proxy.runtime.run("activate", []);
      expect(activate.status, activate.output).toBe(0);
      expect(readFileSync(proxy.configPath, "utf8")).toBe(next);
      expect(await workerPid()).not.toBe(before);
      expect(complete(await inFlight)).toBe(true);
    });

    it("activate without a new file (a certificate changed): validates and reloads the live one", async () => {
      const live = readFileSync(proxy.configPath, "utf8");
      const before = await workerPid();
      const activate = await proxy.runtime.run("activate", []);
      expect(activate.status, activate.output).toBe(0);
      expect(readFileSync(proxy.configPath, "utf8")).toBe(live);
      expect(await workerPid()).not.toBe(before);
    });

    it("activate: keeps a drained server drained across the reload (server-state file)", async () => {
      expect((await proxy.runtime.run("drain", ["app1", "10"])).status).toBe(0);
      writeFileSync(`${proxy.configPath}${NEXT_CONFIG_SUFFIX}`, nextConfig(32_000));
      const activate = await proxy.runtime.run("activate", []);
      expect(activate.status, activate.output).toBe(0);
      expect(await statuses("app1")).toEqual(["DRAIN", "DRAIN"]);
      expect(await statuses("app3")).toEqual(["UP", "UP"]);
      expect((await proxy.runtime.run("ret", ["app1"])).status).toBe(0);
    });

    it("activate: a config haproxy -c rejects fails with its message; live file and proxy unchanged", async () => {
      const live = readFileSync(proxy.configPath, "utf8");
      const before = await workerPid();
      writeFileSync(
        `${proxy.configPath}${NEXT_CONFIG_SUFFIX}`,
        nextConfig(33_000).replace("balance roundrobin", "balance nonsense"),
      );
      const activate = await proxy.runtime.run("activate", []);
      expect(activate.status).toBe(1);
      expect(activate.output).toMatch(/\[ALERT\].*haproxy.cfg.next:\d+\] : balance only supports/);
      expect(activate.output).toMatch(/rejected by haproxy -c/);
      expect(readFileSync(proxy.configPath, "utf8")).toBe(live);
      expect(await workerPid()).toBe(before);
      expect((await request(proxy.httpsUrl("/health"), { tls: trust })).status).toBe(200);
    });

    it("drain: an unknown server or a proxy that does not run is nothing to drain (warning, exit 0)", async () => {
      const unknown = await proxy.runtime.run("drain", ["app9", "5"]);
      expect(unknown).toMatchObject({ status: 0 });
      expect(unknown.output).toMatch(/warning: HAProxy has no server app9/);
      const elsewhere = join(dir, "stopped");
      mkdirSync(elsewhere);
      const settings = {
        ...localHaproxySettings(proxy.input, elsewhere),
        adminSocket: join(elsewhere, "none.sock"),
      };
      const stopped = await installProxyRuntime(elsewhere, haproxyRuntimeScripts(), settings).run("drain", [
        "app1",
        "5",
      ]);
      expect(stopped).toMatchObject({ status: 0 });
      expect(stopped.output).toMatch(/warning: HAProxy is not running/);
    });

    it("rejects arguments it would have to splice into a runtime command", async () => {
      for (const args of [["app1;shutdown", "5"], ["app1", "5s"], []]) {
        const r = await proxy.runtime.run("drain", args);
        expect(r.status, args.join(" ")).toBe(1);
        expect(r.output).toMatch(/usage/);
      }
      expect((await proxy.runtime.run("ret", ["app1 app2"])).status).toBe(1);
      expect(await statuses("app1")).toEqual(["UP", "UP"]);
    });
  },
);
