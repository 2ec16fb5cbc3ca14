// The Nginx drain, return and activate scripts, byte for byte as placed on hosts, run with the local
// runtime against a real Nginx (rendered nginx.conf) and stub app servers on loopback.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadBalancerRenderInput } from "../../render/lb-types";
import { NGINX_UPSTREAM, nginxServerMarker, renderNginxConfig } from "../../render/nginx";
import { nginxRuntimeScripts } from "../../render/scripts/nginx-runtime";
import { PROXY_ENV_OVERRIDE } from "../../render/scripts/proxy-runtime";
import {
  NEXT_CONFIG_SUFFIX,
  PROXY_RUNTIME_PATHS,
  renderProxyRuntimeEnv,
} from "../../render/scripts/proxy-runtime";
import { generateTestCert } from "../e2e/support/certs";
import { type TlsTrust, request, requestEvents } from "../e2e/support/client";
import { type RunningLb, nginxEngine } from "../e2e/support/lb-engines";
import { TEST_SERVER_NAME, testLbInput } from "../e2e/support/lb-inputs";
import { type EchoAnswer, StubBackend } from "../e2e/support/stub-backend";
import { sleep, waitFor } from "../e2e/support/wait";
import { run, toolsAvailable } from "../support/tools";

const PROXY_ADDRESS = "127.0.0.173";
const BACKEND_ADDRESS = "127.0.0.174";
const BACKEND_PORTS = [28291, 28292];
/** Streams of 16 chunks, 250 ms apart: 4 s in flight (longer than an activate on a busy machine). */
const SSE = { sseChunks: 16, sseIntervalMs: 250 };
const SCRIPT = { drain: "drain", ret: "return", activate: "activate" } as const;
type ScriptKey = keyof typeof SCRIPT;

/** A script started in the background: its stderr so far, and its end. */
interface ScriptRun {
  stderr(): string;
  done: Promise<{ status: number | null; stderr: string; endedAt: number }>;
}

function startScript(dir: string, envFile: string, key: ScriptKey, args: string[]): ScriptRun {
  const child = spawn("bash", [join(dir, "bin", SCRIPT[key]), ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", [PROXY_ENV_OVERRIDE]: envFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = new Promise<{ status: number | null; stderr: string; endedAt: number }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, endedAt: Date.now() });
    });
  });
  return { stderr: () => stderr, done };
}

describe("Nginx runtime scripts", () => {
  const scripts = nginxRuntimeScripts();

  it("are the contract's three files, bash, executable", () => {
    expect(scripts.map((s) => s.path)).toEqual([
      PROXY_RUNTIME_PATHS.drain,
      PROXY_RUNTIME_PATHS.ret,
      PROXY_RUNTIME_PATHS.activate,
    ]);
    for (const s of scripts) {
      expect(s.content.startsWith("#!/bin/bash\n"), s.path).toBe(true);
      expect(s.content, s.path).toContain("set -euo pipefail");
      expect(s.content, s.path).toContain(`\${${PROXY_ENV_OVERRIDE}:-${PROXY_RUNTIME_PATHS.env}}`);
      expect(s.mode).toBe("0755");
    }
  });

  it.runIf(toolsAvailable("shellcheck"))("are shellcheck-clean", () => {
    const dir = mkdtempSync(join(tmpdir(), "nginx-runtime-lint-"));
    try {
      for (const s of scripts) {
        const path = join(dir, SCRIPT[scriptKey(s.path)]);
        writeFileSync(path, s.content);
        const r = run("shellcheck", ["-s", "bash", "--severity=style", path]);
        expect(`${s.path}\n${r.stdout}${r.stderr}`).toBe(`${s.path}\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function scriptKey(path: string): ScriptKey {
  const entry = Object.entries(PROXY_RUNTIME_PATHS).find(([, p]) => p === path);
  if (!entry || !(entry[0] in SCRIPT)) throw new Error(`not a script path: ${path}`);
  return entry[0] as ScriptKey;
}

describe.skipIf(!toolsAvailable("nginx", "openssl", "curl", "flock"))(
  "Nginx runtime scripts against a real Nginx (local runtime)",
  () => {
    let dir = "";
    let confDir = "";
    let envFile = "";
    let trust: TlsTrust;
    let input: LoadBalancerRenderInput;
    let lb: RunningLb;
    const stubs = BACKEND_PORTS.map(
      (port, i) => new StubBackend({ name: `app-${i}`, host: BACKEND_ADDRESS, port, ...SSE }),
    );
    const live = (): string => readFileSync(join(confDir, "nginx.conf"), "utf8");
    const script = (key: ScriptKey, ...args: string[]) => startScript(dir, envFile, key, args);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "nginx-runtime-"));
      confDir = join(dir, "conf");
      mkdirSync(confDir);
      mkdirSync(join(dir, "bin"));
      for (const s of nginxRuntimeScripts()) {
        const path = join(dir, "bin", SCRIPT[scriptKey(s.path)]);
        writeFileSync(path, s.content);
        chmodSync(path, 0o755);
      }
      const cert = generateTestCert(dir, TEST_SERVER_NAME);
      trust = { ca: cert.pem, servername: TEST_SERVER_NAME };
      input = testLbInput({
        dir,
        cert,
        address: PROXY_ADDRESS,
        backends: stubs.map((s) => ({ name: s.name, address: BACKEND_ADDRESS, port: s.options.port })),
        internalCidrs: [],
        monitoringCidrs: ["127.0.0.0/8"],
      });
      // production's passive timing (3 failures, then 15 s out), so a leftover failure state shows
      input.healthCheck = { ...input.healthCheck, intervalMs: 5_000, fall: 3 };
      await Promise.all(stubs.map((s) => s.start()));
      lb = await nginxEngine.start(input, confDir);
      const binary = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).stdout.trim();
      envFile = join(dir, "proxy.env");
      writeFileSync(
        envFile,
        renderProxyRuntimeEnv({
          engine: "nginx",
          runtime: "local",
          container: "nginx",
          image: "nginx:1.22",
          hostConfigDir: confDir,
          containerConfigDir: "/etc/jairouter/nginx",
          configFile: "nginx.conf",
          backend: NGINX_UPSTREAM,
          healthUrl: lb.httpUrl("/health"),
          pidFile: input.runtime.nginx.pidFile,
          binary,
        }),
      );
    });

    afterAll(async () => {
      await lb?.daemon.stop();
      await Promise.all(stubs.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    });

    /** Backends that answered `n` GET /echo, one after the other. */
    async function echoBackends(n: number): Promise<string[]> {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const res = await request(lb.httpsUrl("/echo"), { tls: trust, timeoutMs: 5_000 });
        expect(res.status).toBe(200);
        names.push((JSON.parse(res.body) as EchoAnswer).backend);
      }
      return names;
    }

    const stream = () =>
      requestEvents(lb.httpsUrl("/v1/chat/completions"), {
        method: "POST",
        tls: trust,
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ stream: true }),
        timeoutMs: 15_000,
      }).then((r) => ({ ...r, endedAt: Date.now() }));

    /** The live file as expected: the rendered one with exactly these servers' lines marked down. */
    function withDown(text: string, names: string[]): string {
      return text
        .split("\n")
        .map((line) =>
          names.some((n) => line.endsWith(` ${nginxServerMarker(n)}`)) ? line.replace(/;/, " down;") : line,
        )
        .join("\n");
    }

    it("drain: the server gets no new request while its in-flight streams complete", async () => {
      const rendered = live();
      const streams = Array.from({ length: 4 }, () => stream());
      await waitFor("a stream on app-0", () => stubs[0]!.count("POST", "/v1/chat/completions") > 0, {
        timeoutMs: 5_000,
      });
      const echoBefore = stubs[0]!.count("GET", "/echo");
      const drain = script("drain", "app-0", "20");
      await waitFor("the drain's reload", () => /Nginx reloaded/.test(drain.stderr()), { timeoutMs: 10_000 });
      expect(await echoBackends(10)).toEqual(Array(10).fill("app-1"));
      expect(stubs[0]!.count("GET", "/echo")).toBe(echoBefore);

      const done = await Promise.all(streams);
      const result = await drain.done;
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/drained app-0/);
      for (const s of done) {
        expect(s.status).toBe(200);
        expect(s.events.map((e) => e.data).at(-1)).toBe("[DONE]");
        expect(s.events).toHaveLength(SSE.sseChunks + 1);
      }
      expect(done.some((s) => s.events[0]!.data.includes('"backend":"app-0"'))).toBe(true);
      // it waited for them (within the 200 ms of its polling), and it was the only change
      expect(result.endedAt).toBeGreaterThanOrEqual(Math.max(...done.map((s) => s.endedAt)) - 50);
      expect(live()).toBe(withDown(rendered, ["app-0"]));
    });

    it("drain of an unknown server, or with no proxy running: a warning, exit 0", async () => {
      const unknown = await script("drain", "app-9", "5").done;
      expect(unknown.status, unknown.stderr).toBe(0);
      expect(unknown.stderr).toMatch(/warning: app-9 is not a server of upstream jairouter/);

      const idle = join(dir, "idle.env");
      const pidFile = input.runtime.nginx.pidFile;
      writeFileSync(idle, readFileSync(envFile, "utf8").replace(pidFile, join(dir, "absent.pid")));
      const none = await startScript(dir, idle, "drain", ["app-1", "5"]).done;
      expect(none.status, none.stderr).toBe(0);
      expect(none.stderr).toMatch(/warning: no Nginx runs/);

      const usage = await script("drain", "app-1;reboot", "5").done;
      expect(usage.status).toBe(1);
      expect(usage.stderr).toMatch(/usage:/);
    });

    it("return: the server serves again at once, even right after failed requests", async () => {
      const back = await script("ret", "app-0").done;
      expect(back.status, back.stderr).toBe(0);
      expect(live()).not.toMatch(/ down;/);
      expect(await echoBackends(6)).toContain("app-0");

      // app-0 stops; every worker counts max_fails failures and takes it out for fail_timeout (15 s)
      await stubs[0]!.stop();
      const master = readFileSync(input.runtime.nginx.pidFile, "utf8").trim();
      const workers = readFileSync(`/proc/${master}/task/${master}/children`, "utf8").trim().split(/\s+/);
      const disabled = new RegExp(
        `(\\d+)#\\d+: \\*\\d+ upstream server temporarily disabled.*upstream: "http://${BACKEND_ADDRESS.replace(/\./g, "\\.")}:${BACKEND_PORTS[0]}/`,
        "g",
      );
      const logStart = lb.daemon.output().length;
      await waitFor(
        "every worker to disable app-0",
        async () => {
          // parallel clients, so that every worker accepts some of the connections
          const answers = await Promise.all(
            Array.from({ length: 6 }, () => request(lb.httpsUrl("/echo"), { tls: trust, timeoutMs: 5_000 })),
          );
          for (const a of answers) expect(a.status).toBe(200);
          const pids = new Set([...lb.daemon.output().slice(logStart).matchAll(disabled)].map((m) => m[1]));
          return workers.every((w) => pids.has(w));
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      await stubs[0]!.start();
      // the control: up again, yet Nginx still keeps it out
      expect(await echoBackends(6)).toEqual(Array(6).fill("app-1"));

      const reset = await script("ret", "app-0").done;
      expect(reset.status, reset.stderr).toBe(0);
      expect(await echoBackends(6)).toContain("app-0");
    });

    it("activate: reloads with a stream in flight, not cut, and keeps a drain in force", async () => {
      const drain = await script("drain", "app-1", "10").done;
      expect(drain.status, drain.stderr).toBe(0);
      const inFlight = stream();
      await sleep(400);
      const next = renderNginxConfig({ ...input, serverName: "next.example.test" });
      writeFileSync(join(confDir, `nginx.conf${NEXT_CONFIG_SUFFIX}`), next);

      const startedAt = Date.now();
      const result = await script("activate").done;
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/still drained: app-1/);
      const s = await inFlight;
      expect(s.status).toBe(200);
      expect(s.events).toHaveLength(SSE.sseChunks + 1);
      // in flight for the whole activate
      expect(s.events[0]!.receivedAt).toBeLessThan(startedAt);
      expect(s.endedAt).toBeGreaterThan(result.endedAt);

      expect(live()).toBe(withDown(next, ["app-1"]));
      expect(existsSync(join(confDir, `nginx.conf${NEXT_CONFIG_SUFFIX}`))).toBe(false);
      const redirect = await request(lb.httpUrl("/x"));
      expect(redirect.headers.location).toBe("https://next.example.test:28443/x");
      expect(await echoBackends(6)).toEqual(Array(6).fill("app-0"));

      const back = await script("ret", "app-1").done;
      expect(back.status, back.stderr).toBe(0);
      expect(live()).toBe(next);
    });

    it("activate without a new file (a certificate changed): validates and reloads the live one", async () => {
      const before = live();
      const result = await script("activate").done;
      expect(result.status, result.stderr).toBe(0);
      expect(live()).toBe(before);
      expect((await request(lb.httpUrl("/health"))).status).toBe(200);
    });

    it("activate: a file nginx -t rejects fails with its message; live file and proxy unchanged", async () => {
      const before = live();
      const nextPath = join(confDir, `nginx.conf${NEXT_CONFIG_SUFFIX}`);
      writeFileSync(nextPath, before.replace("least_conn;", "least_conn;\n    no_such_directive on;"));

      const result = await script("activate").done;
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/nginx -t rejected .*nginx\.conf\.next/);
      expect(result.stderr).toMatch(/\[emerg\] .*unknown directive "no_such_directive"/);
      expect(live()).toBe(before);
      expect(existsSync(nextPath)).toBe(true);
      expect(existsSync(join(confDir, "nginx.conf.candidate"))).toBe(false);
      expect((await request(lb.httpUrl("/health"))).status).toBe(200);
      expect(new Set(await echoBackends(6))).toEqual(new Set(["app-0", "app-1"]));
      rmSync(nextPath);
    });
  },
);
