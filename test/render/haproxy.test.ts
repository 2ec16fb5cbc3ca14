// haproxy.cfg as rendered for production, checked by the real `haproxy -c`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../render/haproxy";
import { defaultLbTunables, haproxyServerStateFile } from "../../render/lb-common";
import type { LoadBalancerRenderInput } from "../../render/lb-types";
import { type TestCert, generateTestCert } from "../e2e/support/certs";
import { productionLikeInput } from "../e2e/support/lb-inputs";
import { run, toolsAvailable } from "../support/tools";

let dir = "";
let cert: TestCert;
const fakeCertFiles = { certificatePath: "/c.pem", keyPath: "/k.pem", combinedPemPath: "/ck.pem", pem: "" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "render-haproxy-"));
  if (toolsAvailable("openssl")) cert = generateTestCert(dir, "api.example.com");
  // the activate script saves the server states before it validates; without the file haproxy -c
  // warns (a first start without one is harmless: every server starts READY)
  writeFileSync(haproxyServerStateFile(productionLikeInput(dir, fakeCertFiles).runtime.haproxy), "1\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` and runs `haproxy -c`; returns exit status and combined output. */
function haproxyCheck(text: string, name = "haproxy.cfg"): { status: number | null; output: string } {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = run("haproxy", ["-c", "-f", file]);
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Lines of one section (`global`, `defaults`, `backend be_x`...), without indentation. */
function sectionLines(cfg: string, header: string): string[] {
  const blocks = cfg.split("\n\n");
  const block = blocks.find((b) => b.split("\n")[0] === header);
  return (block ?? "")
    .split("\n")
    .slice(1)
    .map((l) => l.trim());
}

describe.skipIf(!toolsAvailable("haproxy", "openssl"))("haproxy.cfg with the real haproxy -c", () => {
  it("accepts the production configuration without warnings", () => {
    const { status, output } = haproxyCheck(renderHaproxyConfig(productionLikeInput(dir, cert)));
    expect(output).not.toMatch(/\[(WARNING|ALERT)\]/);
    expect(status, output).toBe(0);
  });

  it("accepts separate stats and metrics ports and an empty internalCidrs list", () => {
    const base = productionLikeInput(dir, cert);
    const input = {
      ...base,
      internalCidrs: [],
      listen: { ...base.listen, statsPort: 8404, metricsPort: 9101 },
    };
    const cfg = renderHaproxyConfig(input);
    expect(cfg).toContain("frontend fe_internal_9101");
    expect(cfg).toContain("http-request deny deny_status 403 if is_actuator TRUE");
    const { status, output } = haproxyCheck(cfg, "split.cfg");
    expect(status, output).toBe(0);
  });

  it("is a real check: it rejects the guide's stats lines in defaults", () => {
    const cfg = renderHaproxyConfig(productionLikeInput(dir, cert)).replace(
      "defaults\n",
      "defaults\n    stats enable\n    stats admin if TRUE\n",
    );
    const { status, output } = haproxyCheck(cfg, "defect.cfg");
    expect(status).not.toBe(0);
    expect(output).toMatch(/stats admin/);
  });
});

describe("renderHaproxyConfig", () => {
  const input = (): LoadBalancerRenderInput => productionLikeInput("/run/lb", fakeCert);
  const fakeCert = { certificatePath: "/c.pem", keyPath: "/k.pem", combinedPemPath: "/ck.pem", pem: "" };

  it("keeps stats out of defaults and checks every app server with the production timings", () => {
    const cfg = renderHaproxyConfig(input());
    expect(sectionLines(cfg, "defaults").some((l) => l.startsWith("stats"))).toBe(false);
    const be = sectionLines(cfg, "backend be_jairouter");
    expect(be).toEqual(
      expect.arrayContaining([
        "balance roundrobin",
        "option httpchk GET /actuator/health",
        "http-check expect status 200",
        "default-server inter 5s fall 3 rise 2",
        "server jairouter-1 10.0.1.11:8080 check",
        "server jairouter-3 10.0.1.13:8080 check",
      ]),
    );
    expect(sectionLines(cfg, "defaults")).toContain("timeout server 5m");
  });

  it("replays after a request was sent only for idempotent methods", () => {
    const cfg = renderHaproxyConfig(input());
    expect(sectionLines(cfg, "backend be_jairouter")).toContain("retry-on conn-failure empty-response");
    expect(sectionLines(cfg, "backend be_jairouter_once")).toContain("retry-on conn-failure");
    expect(cfg).not.toMatch(/response-timeout|all-retryable-errors|compression/);
  });

  it("runs master-worker with an admin socket and a server-state file the runtime scripts use", () => {
    const cfg = renderHaproxyConfig(input());
    expect(sectionLines(cfg, "global")).toEqual(
      expect.arrayContaining([
        "master-worker",
        "stats socket /run/lb/admin.sock mode 600 level admin",
        "server-state-file /run/lb/server-state",
      ]),
    );
    expect(sectionLines(cfg, "defaults")).toContain("load-server-state-from-file global");
    const production = { ...input(), runtime: defaultLbTunables().runtime };
    expect(renderHaproxyConfig(production)).toContain("server-state-file /var/lib/haproxy/server-state");
    const explicit = { ...production.runtime.haproxy, serverStateFile: "/srv/state" };
    expect(
      renderHaproxyConfig({ ...production, runtime: { ...production.runtime, haproxy: explicit } }),
    ).toContain("server-state-file /srv/state\n");
  });

  it("rejects an input without backends, naming the field", () => {
    expect(() => renderHaproxyConfig({ ...input(), backends: [] })).toThrow(
      /at least one backend is required[\s\S]*backends/,
    );
  });

  it("lists every invalid field in one error", () => {
    const bad = input();
    bad.backends = [
      { name: "a", address: "10.0.1.1", port: 8080 },
      { name: "a", address: "10.0.1.2", port: 0 },
    ];
    bad.listen = { ...bad.listen, httpsPort: bad.listen.httpPort };
    bad.internalCidrs = ["10.0.0.0/33"];
    bad.stats = { user: "admin", password: "it's-a-quote-pw" };
    const message = (() => {
      try {
        renderHaproxyConfig(bad);
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    })();
    for (const path of [
      "backends[1].name",
      "backends[1].port",
      "listen.httpsPort",
      "internalCidrs[0]",
      "stats.password",
    ]) {
      expect(message).toContain(path);
    }
  });
});
