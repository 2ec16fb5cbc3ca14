// The behaviour both load-balancer engines must show, checked from outside against real daemons.
// Each engine's test file calls defineLbE2eTests inside its own describe block.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SECURITY_HEADERS, TLS12_CIPHERS } from "../../../render/lb-common";
import type { LbBackend } from "../../../render/lb-types";
import { type TestCert, generateTestCert } from "./certs";
import { killDuringLoad } from "./failover";
import { type TlsTrust, http2Get, request, requestEvents, tlsHandshake, websocketEcho } from "./client";
import { type LbEngine, type RunningLb } from "./lb-engines";
import { TEST_HEALTH, TEST_PORTS, TEST_SERVER_NAME, testLbInput } from "./lb-inputs";
import { type EchoAnswer, type SseChunk, type StubBackend, startStubBackends } from "./stub-backend";
import { waitFor } from "./wait";

/** Loopback addresses used by one engine's test file (distinct per file). */
export interface LbSuiteAddresses {
  /** Host of the three stub backends (ports 28081-28083). */
  backendHost: string;
  /** LB with internalCidrs = 10.0.0.0/8 (tests are outside) and the tests as monitoring source. */
  lbAddress: string;
  /** LB with 127.0.0.0/8 internal (actuator allowed) but monitoring limited to 10.0.0.0/8. */
  internalLbAddress: string;
}

/** What the suite started, for engine-specific tests in the calling file (set in beforeAll). */
export interface LbSuiteContext {
  cert: TestCert;
  trust: TlsTrust;
  stubs: StubBackend[];
  backends: LbBackend[];
  lb: RunningLb;
  internalLb: RunningLb;
}

/** The test client's own source address: the only address the backends may see as the client. */
export const CLIENT_ADDRESS = "127.0.0.105";
const BACKEND_PORTS = [28081, 28082, 28083];

function echoOf(body: string): EchoAnswer {
  return JSON.parse(body) as EchoAnswer;
}

/** Registers hooks and tests; returns the context filled in by beforeAll. */
export function defineLbE2eTests(engine: LbEngine, addrs: LbSuiteAddresses): LbSuiteContext {
  const ctx = {} as LbSuiteContext;
  let dir = "";
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(ctx.lb.httpsUrl(path), { tls: ctx.trust, headers, localAddress: CLIENT_ADDRESS });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `lb-e2e-${engine.name}-`));
    ctx.cert = generateTestCert(dir, TEST_SERVER_NAME);
    ctx.trust = { ca: ctx.cert.pem, servername: TEST_SERVER_NAME };
    ctx.stubs = await startStubBackends(addrs.backendHost, BACKEND_PORTS, {
      sseChunks: 5,
      sseIntervalMs: 300,
    });
    ctx.backends = ctx.stubs.map((s) => ({ name: s.name, address: s.options.host, port: s.options.port }));
    const base = { dir, cert: ctx.cert, backends: ctx.backends };
    const mainDir = join(dir, "main");
    const internalDir = join(dir, "internal");
    for (const d of [mainDir, internalDir]) mkdirSync(d);
    ctx.lb = await engine.start(
      testLbInput({
        ...base,
        dir: mainDir,
        address: addrs.lbAddress,
        internalCidrs: ["10.0.0.0/8"],
        monitoringCidrs: ["127.0.0.0/8"],
      }),
      mainDir,
    );
    ctx.internalLb = await engine.start(
      testLbInput({
        ...base,
        dir: internalDir,
        address: addrs.internalLbAddress,
        internalCidrs: ["10.0.0.0/8", "127.0.0.0/8"],
        monitoringCidrs: ["10.0.0.0/8"],
      }),
      internalDir,
    );
  });

  afterAll(async () => {
    await Promise.all([ctx.lb?.daemon.stop(), ctx.internalLb?.daemon.stop()]);
    await Promise.all((ctx.stubs ?? []).map((s) => s.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers /health itself and redirects every other plain-HTTP request to HTTPS", async () => {
    for (const url of [ctx.lb.httpUrl("/health"), ctx.lb.httpsUrl("/health")]) {
      const res = await request(url, { tls: ctx.trust });
      expect(res.status, url).toBe(200);
      expect(res.body.trim()).toBe("OK");
    }
    // not proxied: no backend saw it
    expect(ctx.stubs.reduce((n, s) => n + s.count("GET", "/health"), 0)).toBe(0);
    const res = await request(ctx.lb.httpUrl("/v1/models?limit=2"));
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(
      `https://${TEST_SERVER_NAME}:${TEST_PORTS.httpsPort}/v1/models?limit=2`,
    );
  });

  it("negotiates TLS 1.2 (intermediate ciphers) and TLS 1.3, with h2 through ALPN", async () => {
    const { address, httpsPort } = ctx.lb.input.listen;
    const common = { ca: ctx.trust.ca, servername: ctx.trust.servername, ALPNProtocols: ["h2", "http/1.1"] };
    const v12 = await tlsHandshake(address, httpsPort, {
      ...common,
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
    });
    expect(v12).toMatchObject({ ok: true, protocol: "TLSv1.2", alpn: "h2" });
    expect(TLS12_CIPHERS).toContain(v12.ok ? v12.cipher : "");
    const v13 = await tlsHandshake(address, httpsPort, { ...common, minVersion: "TLSv1.3" });
    expect(v13).toMatchObject({ ok: true, protocol: "TLSv1.3", alpn: "h2" });
  });

  it("refuses TLS 1.1 and non-ECDHE ciphers, which this client can negotiate elsewhere", async () => {
    const { address, httpsPort } = ctx.lb.input.listen;
    const legacy = await permissiveTlsServer(ctx.cert);
    try {
      const attempts: Array<[tls.ConnectionOptions, RegExp]> = [
        [{ minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" }, /PROTOCOL_VERSION/],
        [{ maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" }, /HANDSHAKE_FAILURE/],
      ];
      for (const [options, serverAlert] of attempts) {
        const opts = { ...options, rejectUnauthorized: false };
        // control: the client really offers it (a permissive server accepts)
        expect(await tlsHandshake("127.0.0.1", legacy.port, opts)).toMatchObject({ ok: true });
        // so the refusal is the load balancer's alert, not a client-side limit
        const refused = await tlsHandshake(address, httpsPort, opts);
        expect(refused.ok).toBe(false);
        expect(refused.ok ? "" : refused.code).toMatch(serverAlert);
      }
    } finally {
      legacy.close();
    }
  });

  it("adds the security headers to proxied answers and to its own", async () => {
    for (const path of ["/echo", "/health", "/actuator/env"]) {
      const res = await get(path);
      for (const [name, value] of SECURITY_HEADERS) {
        expect(res.headers[name.toLowerCase()], `${name} on ${path}`).toBe(value);
      }
    }
  });

  it("spreads GET and POST requests over every backend", async () => {
    for (const method of ["GET", "POST"]) {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const res = await request(ctx.lb.httpsUrl("/echo"), {
          method,
          tls: ctx.trust,
          body: method === "POST" ? "{}" : undefined,
        });
        expect(res.status).toBe(200);
        seen.add(echoOf(res.body).backend);
      }
      expect([...seen].sort(), method).toEqual(ctx.stubs.map((s) => s.name));
    }
  });

  it("passes the auth headers and sets the forwarding headers itself", async () => {
    const res = await get("/echo", {
      Jairouter_Token: "jwt-abc",
      "X-API-Key": "key-123",
      "X-Forwarded-For": "6.6.6.6",
      "X-Real-IP": "6.6.6.6",
      "X-Forwarded-Proto": "http",
      Forwarded: "for=6.6.6.6",
      "X-Forwarded-Host": "evil.example",
    });
    expect(res.status).toBe(200);
    const { headers, remoteAddress } = echoOf(res.body);
    expect(headers.jairouter_token).toBe("jwt-abc");
    expect(headers["x-api-key"]).toBe("key-123");
    expect(headers["x-forwarded-for"]).toBe(CLIENT_ADDRESS);
    expect(headers["x-real-ip"]).toBe(CLIENT_ADDRESS);
    expect(headers["x-forwarded-proto"]).toBe("https");
    expect(headers.forwarded).toBeUndefined();
    expect(headers["x-forwarded-host"]).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain("6.6.6.6");
    // the backend's peer is the proxy, never the client itself
    expect(remoteAddress).not.toBe(CLIENT_ADDRESS);
  });

  it("refuses /actuator to sources outside internalCidrs, however the path is spelled", async () => {
    for (const path of [
      "/actuator/env",
      "/actuator/health",
      "//actuator/env",
      "/%61ctuator/env",
      "/ACTUATOR/env",
      "/actuator",
    ]) {
      expect((await get(path)).status, path).toBe(403);
    }
    expect(ctx.stubs.reduce((n, s) => n + s.count("GET", "/actuator/env"), 0)).toBe(0);
    expect((await get("/echo")).status).toBe(200);
  });

  it("lets /actuator through when the source is in internalCidrs", async () => {
    const res = await request(ctx.internalLb.httpsUrl("/actuator/env"), { tls: ctx.trust });
    expect(res.status).toBe(200);
    expect(echoOf(res.body).backend).toMatch(/^app\d$/);
  });

  it("serves its status on the internal port to monitoring sources only", async () => {
    const allowed = engine.monitoringRequest(ctx.lb);
    const ok = await request(allowed.url, { headers: allowed.headers });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(allowed.expect);
    const other = engine.monitoringRequest(ctx.internalLb);
    expect((await request(other.url, { headers: other.headers })).status).toBe(403);
  });

  it("proxies HTTP/2 requests", async () => {
    const res = await http2Get(ctx.lb.httpsUrl(""), "/echo", ctx.trust);
    expect(res.status).toBe(200);
    expect(echoOf(res.body).headers["x-forwarded-proto"]).toBe("https");
  });

  it("streams SSE chunks as the backend sends them, uncompressed, on both chat paths", async () => {
    const streams = await Promise.all(
      ["/v1/chat/completions", "/api/v1/chat/completions"].map((path) =>
        requestEvents(ctx.lb.httpsUrl(path), {
          method: "POST",
          tls: ctx.trust,
          headers: {
            "content-type": "application/json",
            accept: "text/event-stream",
            "accept-encoding": "gzip",
          },
          body: JSON.stringify({ model: "m", stream: true, messages: [] }),
        }),
      ),
    );
    for (const s of streams) {
      expect(s.status).toBe(200);
      expect(s.headers["content-type"]).toMatch(/^text\/event-stream/);
      expect(s.headers["content-encoding"]).toBeUndefined();
      expect(s.events.map((e) => e.data).at(-1)).toBe("[DONE]");
      const chunks = s.events
        .slice(0, -1)
        .map((e) => ({ ...(JSON.parse(e.data) as SseChunk), at: e.receivedAt }));
      expect(chunks).toHaveLength(5);
      // buffering would hold chunks back until the buffer fills or the answer ends (~1.5 s)
      for (const c of chunks) expect(c.at - c.sentAt, `chunk ${c.index} delay`).toBeLessThan(500);
      const first = chunks[0]!;
      const last = chunks[4]!;
      expect(last.sentAt - first.at).toBeGreaterThan(800);
    }
  });

  it("upgrades WebSocket connections under /ws/", async () => {
    const ws = await websocketEcho(ctx.lb.httpsUrl("/ws/health"), "ping-1", ctx.trust);
    expect(ws).toMatchObject({ status: 101, echoed: "ping-1" });
    expect(ws.backend).toMatch(/^app\d$/);
  });

  it("loses no request while a backend dies, takes it out, and takes it back once it returns", async () => {
    const victim = ctx.stubs[1]!;
    const window = TEST_HEALTH.intervalMs * (TEST_HEALTH.fall + 3);
    const run = await killDuringLoad({
      url: ctx.lb.httpsUrl("/echo"),
      trust: ctx.trust,
      victim,
      awaitDetection: () => engine.waitMarkedDown(ctx.lb, ctx.backends[1]!, window),
    });

    expect(run.failures).toEqual([]);
    expect(run.answers).toHaveLength(300);
    expect(run.answers.some((a) => a.backend === victim.name && a.at < run.killedAt)).toBe(true);
    expect(run.detectedAfterMs).toBeLessThanOrEqual(window);

    await victim.start();
    await waitFor(
      `${victim.name} to get traffic again`,
      async () =>
        echoOf((await request(ctx.lb.httpsUrl("/echo"), { tls: ctx.trust })).body).backend === victim.name,
      { timeoutMs: 8_000, intervalMs: 100 },
    );
  });

  it("never replays a request with side effects once sent, but retries an idempotent one", async () => {
    ctx.stubs.forEach((s) => s.hits.clear());
    const total = (method: string): number => ctx.stubs.reduce((n, s) => n + s.count(method, "/drop"), 0);
    const post = await request(ctx.lb.httpsUrl("/drop"), { method: "POST", body: "{}", tls: ctx.trust });
    expect(post.status).toBe(502);
    expect(total("POST")).toBe(1);
    const getRes = await request(ctx.lb.httpsUrl("/drop"), { tls: ctx.trust });
    expect(getRes.status).toBe(502);
    expect(total("GET")).toBeGreaterThan(1);
    expect(total("GET")).toBeLessThanOrEqual(ctx.lb.input.retries + 1);
  });

  return ctx;
}

/** A TLS server that accepts TLS 1.1 and legacy ciphers: the control for the refusal tests. */
async function permissiveTlsServer(cert: TestCert): Promise<{ port: number; close: () => void }> {
  const server = tls.createServer(
    {
      key: readFileSync(cert.keyPath),
      cert: cert.pem,
      minVersion: "TLSv1.1",
      ciphers: "DEFAULT@SECLEVEL=0",
    },
    (socket) => socket.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, close: () => server.close() };
}
