// Load-balancer benchmark: direct to a stub backend vs through HAProxy vs through Nginx, all on
// loopback, configs from the same render functions as production. Run: `npx tsx scripts/bench.ts`.
// Bounded: about 70 s (three 10 s load runs, SSE probes, two backend-kill runs), then about 35 s
// per engine for a full rollout and a reload under load (test/e2e/support/rollout-harness.ts).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestCert } from "../test/e2e/support/certs";
import { type TlsTrust, request, requestEvents } from "../test/e2e/support/client";
import { killDuringLoad } from "../test/e2e/support/failover";
import { type LbEngine, type RunningLb, haproxyEngine, nginxEngine } from "../test/e2e/support/lb-engines";
import { TEST_HEALTH, TEST_SERVER_NAME, testLbInput } from "../test/e2e/support/lb-inputs";
import { type PhaseReport, type RolloutEngine, runRollout } from "../test/e2e/support/rollout-harness";
import { haproxyRolloutEngine } from "../test/e2e/support/rollout-haproxy";
import { nginxRolloutEngine } from "../test/e2e/support/rollout-nginx";
import { type EchoAnswer, startStubBackends } from "../test/e2e/support/stub-backend";
import { waitFor } from "../test/e2e/support/wait";
import { hasTool } from "../test/support/tools";

const BACKEND_HOST = "127.0.0.161";
const BACKEND_PORTS = [28181, 28182, 28183];
const LB_ADDRESS: Record<LbEngine["name"], string> = { haproxy: "127.0.0.162", nginx: "127.0.0.163" };
const LOAD_SECONDS = 10;
const CONNECTIONS = 32;
const SSE_RUNS = 5;
/** Backends of the rollout runs (their own stubs, beside the load runs' ones). */
const ROLLOUT_BACKEND_PORTS = [28191, 28192, 28193];
/** Engines measured during a rollout and a reload, each behind its own address. */
const ROLLOUT_ENGINES: Array<{ engine: RolloutEngine; proxyAddress: string }> = [
  { engine: haproxyRolloutEngine, proxyAddress: LB_ADDRESS.haproxy },
  { engine: nginxRolloutEngine, proxyAddress: LB_ADDRESS.nginx },
];

interface Row {
  target: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  sseFirstChunkMs: number;
  failedDuringKill?: string;
  detectedMs?: string;
}

/** Parses wrk durations such as `812.00us`, `2.54ms`, `1.02s` into milliseconds. */
function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

/** Runs a command to completion without blocking the event loop (the stubs live in this process). */
function runAsync(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], timeout: timeoutMs });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out}`)),
    );
  });
}

/** Runs wrk for LOAD_SECONDS and extracts throughput, median and p99 latency, and errors. */
async function wrkLoad(url: string): Promise<Pick<Row, "rps" | "p50Ms" | "p99Ms" | "errors">> {
  const args = ["-t1", `-c${CONNECTIONS}`, `-d${LOAD_SECONDS}s`, "--latency", "--timeout", "5s", url];
  const out = await runAsync("wrk", args, (LOAD_SECONDS + 20) * 1000);
  const pick = (re: RegExp): string | undefined => re.exec(out)?.[1];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors =
    Number(pick(/Non-2xx or 3xx responses: (\d+)/) ?? 0) +
    (socketErrors ? socketErrors.slice(1).reduce((n, v) => n + Number(v), 0) : 0);
  return {
    rps: Number(pick(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: toMs(pick(/^\s+50%\s+(\S+)/m) ?? ""),
    p99Ms: toMs(pick(/^\s+99%\s+(\S+)/m) ?? ""),
    errors,
  };
}

/** Fallback without wrk: CONNECTIONS keep-alive clients in a loop for LOAD_SECONDS. */
async function nodeLoad(
  url: string,
  trust: TlsTrust,
): Promise<Pick<Row, "rps" | "p50Ms" | "p99Ms" | "errors">> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  const agent = secure
    ? new https.Agent({ keepAlive: true, ca: trust.ca, servername: trust.servername })
    : new http.Agent({ keepAlive: true });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + LOAD_SECONDS * 1000;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = (secure ? https : http).get(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) latencies.push(performance.now() - start);
          else errors++;
          resolve();
        });
      });
      req.setTimeout(5_000, () => req.destroy());
      req.on("error", () => {
        errors++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) await once();
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: latencies.length / LOAD_SECONDS, p50Ms: at(0.5), p99Ms: at(0.99), errors };
}

/** Median time from request start to the first SSE chunk, over SSE_RUNS streamed completions. */
async function sseFirstChunk(url: string, trust: TlsTrust): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SSE_RUNS; i++) {
    const start = Date.now();
    const s = await requestEvents(url, {
      method: "POST",
      tls: trust,
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ stream: true }),
    });
    const first = s.events[0];
    if (s.status !== 200 || !first) throw new Error(`SSE through ${url} failed: ${s.status}`);
    times.push(first.receivedAt - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

function machine(): string {
  const mem = /MemTotal:\s+(\d+) kB/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1];
  const version = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n")[0] ?? "";
  };
  return [
    `nproc: ${cpus().length}, cpu: ${cpus()[0]?.model ?? "?"}, memory: ${Math.round(Number(mem) / 1024 / 1024)} GiB`,
    `node ${process.version}; ${version("haproxy", ["-v"])}; ${version("nginx", ["-v"])}; ${version("wrk", ["--version"]) || "wrk absent"}`,
  ].join("\n");
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

function table(rows: Row[]): string {
  const direct = rows[0];
  const ratio = (v: number, base: number | undefined): string => (base ? `${(v / base).toFixed(2)}x` : "");
  const header =
    "| target | req/s | vs direct | p50 ms | p99 ms | p50 vs direct | errors | SSE 1st chunk ms | failed during kill | kill detected after |";
  const lines = rows.map(
    (r) =>
      `| ${r.target} | ${fmt(r.rps)} | ${ratio(r.rps, direct?.rps)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ` +
      `${ratio(r.p50Ms, direct?.p50Ms)} | ${r.errors} | ${fmt(r.sseFirstChunkMs)} | ${r.failedDuringKill ?? "n/a"} | ${r.detectedMs ?? "n/a"} |`,
  );
  return [header, `|${"---|".repeat(10)}`, ...lines].join("\n");
}

interface RolloutRow {
  engine: string;
  rollout: PhaseReport;
  reload?: PhaseReport;
  cutAtShutdown: number;
}

function rolloutTable(rows: RolloutRow[]): string {
  const phase = (p: PhaseReport | undefined): string =>
    p
      ? `${fmt(p.durationMs / 1000, 1)} | ${p.requests} | ${p.failedRequests.length} | ${p.streams} | ${p.cutStreams.length}`
      : "n/a | n/a | n/a | n/a | n/a";
  const header =
    "| engine | rollout s | requests | failed | streams | cut | reload s | requests | failed | streams | cut | cut by app shutdown |";
  const lines = rows.map(
    (r) => `| ${r.engine} | ${phase(r.rollout)} | ${phase(r.reload)} | ${r.cutAtShutdown} |`,
  );
  return [header, `|${"---|".repeat(12)}`, ...lines].join("\n");
}

/** Every backend replaced with drain and return around it, then a config change by activate. */
async function rolloutRows(): Promise<RolloutRow[]> {
  const rows: RolloutRow[] = [];
  for (const { engine, proxyAddress } of ROLLOUT_ENGINES) {
    process.stderr.write(`${engine.name}: rollout of three backends and a reload, under load...\n`);
    const report = await runRollout({
      engine,
      backendHost: BACKEND_HOST,
      backendPorts: ROLLOUT_BACKEND_PORTS,
      proxyAddress,
      log: (line) => process.stderr.write(`  ${line}\n`),
    });
    rows.push({
      engine: engine.name,
      rollout: report.rollout,
      reload: report.reload,
      cutAtShutdown: report.cutAtShutdown,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  for (const tool of ["haproxy", "nginx", "openssl"]) {
    if (!hasTool(tool)) throw new Error(`${tool} is required for the benchmark`);
  }
  const useWrk = hasTool("wrk");
  const dir = mkdtempSync(join(tmpdir(), "lb-bench-"));
  const cert = generateTestCert(dir, TEST_SERVER_NAME);
  const trust: TlsTrust = { ca: cert.pem, servername: TEST_SERVER_NAME };
  // first chunk written 100 ms after the request: the figure to compare is the excess over it
  const stubs = await startStubBackends(BACKEND_HOST, BACKEND_PORTS, { sseChunks: 3, sseIntervalMs: 100 });
  const backends = stubs.map((s) => ({ name: s.name, address: s.options.host, port: s.options.port }));
  const lbs: RunningLb[] = [];
  const load = (url: string) => (useWrk ? wrkLoad(url) : nodeLoad(url, trust));
  try {
    const directUrl = `http://${BACKEND_HOST}:${BACKEND_PORTS[0]}`;
    process.stderr.write(`direct: load ${LOAD_SECONDS} s...\n`);
    const rows: Row[] = [
      {
        target: "direct (HTTP, 1 stub)",
        ...(await load(`${directUrl}/echo`)),
        sseFirstChunkMs: await sseFirstChunk(`${directUrl}/v1/chat/completions`, trust),
      },
    ];
    for (const engine of [haproxyEngine, nginxEngine]) {
      const lbDir = join(dir, engine.name);
      mkdirSync(lbDir);
      const input = testLbInput({
        dir: lbDir,
        cert,
        address: LB_ADDRESS[engine.name],
        backends,
        internalCidrs: ["10.0.0.0/8"],
        monitoringCidrs: ["127.0.0.0/8"],
      });
      const lb = await engine.start(input, lbDir);
      lbs.push(lb);
      process.stderr.write(`${engine.name}: load ${LOAD_SECONDS} s, SSE, backend kill...\n`);
      const measured = await load(lb.httpsUrl("/echo"));
      const sse = await sseFirstChunk(lb.httpsUrl("/v1/chat/completions"), trust);
      const victim = stubs[1]!;
      const window = TEST_HEALTH.intervalMs * (TEST_HEALTH.fall + 3);
      const kill = await killDuringLoad({
        url: lb.httpsUrl("/echo"),
        trust,
        victim,
        awaitDetection: () => engine.waitMarkedDown(lb, backends[1]!, window),
      });
      await victim.start();
      // back in rotation before the next engine starts
      await waitFor(
        `${victim.name} back in ${engine.name}`,
        async () =>
          (JSON.parse((await request(lb.httpsUrl("/echo"), { tls: trust })).body) as EchoAnswer).backend ===
          victim.name,
        { timeoutMs: 8_000, intervalMs: 100 },
      );
      rows.push({
        target: `${engine.name} (HTTPS, 3 stubs)`,
        ...measured,
        sseFirstChunkMs: sse,
        failedDuringKill: `${kill.failures.length} / ${kill.answers.length + kill.failures.length}`,
        detectedMs: `${kill.detectedAfterMs} ms`,
      });
      await lb.daemon.stop();
    }
    const rollouts = await rolloutRows();
    const loadTool = useWrk
      ? `wrk -t1 -c${CONNECTIONS} -d${LOAD_SECONDS}s`
      : `Node keep-alive loop, ${CONNECTIONS} clients, ${LOAD_SECONDS} s`;
    console.log(
      `${machine()}\nload: ${loadTool}, GET /echo; health interval ${TEST_HEALTH.intervalMs} ms, fall ${TEST_HEALTH.fall}\n`,
    );
    console.log(table(rows));
    console.log("\nZero-downtime rollout (three backends replaced one at a time) and reload, under load:\n");
    console.log(rolloutTable(rollouts));
  } finally {
    await Promise.all(lbs.map((lb) => lb.daemon.stop()));
    await Promise.all(stubs.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
