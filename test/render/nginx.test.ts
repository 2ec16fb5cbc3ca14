// nginx.conf as rendered for production, checked by the real `nginx -t`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TLS12_CIPHERS, TLS13_CIPHERSUITES } from "../../render/lb-common";
import type { LoadBalancerRenderInput } from "../../render/lb-types";
import { NGINX_UPSTREAM, nginxServerMarker, renderNginxConfig } from "../../render/nginx";
import { type TestCert, generateTestCert } from "../e2e/support/certs";
import { productionLikeInput } from "../e2e/support/lb-inputs";
import { runPiped } from "../e2e/support/pipe";
import { run, toolsAvailable } from "../support/tools";

let dir = "";
let cert: TestCert;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "render-nginx-"));
  mkdirSync(join(dir, "tmp"));
  if (toolsAvailable("openssl")) cert = generateTestCert(dir, "api.example.com");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` and runs `nginx -t` with the temp dir as prefix (on a real stdout pipe). */
function nginxTest(text: string, name = "nginx.conf"): { status: number | null; output: string } {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = runPiped("nginx", ["-t", "-p", dir, "-c", file]);
  return { status: r.status, output: r.stdout + r.stderr };
}

describe.skipIf(!toolsAvailable("nginx", "openssl"))("nginx.conf with the real nginx -t", () => {
  it("accepts the production configuration without warnings", () => {
    const { status, output } = nginxTest(renderNginxConfig(productionLikeInput(dir, cert)));
    expect(output).not.toMatch(/\[(warn|emerg|alert)\]/);
    expect(status, output).toBe(0);
  });

  it("accepts sub-second health intervals (fail_timeout is rounded up to whole seconds)", () => {
    const input = productionLikeInput(dir, cert);
    input.healthCheck = { ...input.healthCheck, intervalMs: 500 };
    const cfg = renderNginxConfig(input);
    expect(cfg).toContain("max_fails=3 fail_timeout=2s;");
    const { status, output } = nginxTest(cfg, "short.conf");
    expect(status, output).toBe(0);
  });

  it("is a real check: it rejects the guide's cipher list", () => {
    const guideCiphers = "ECDHE-RSA-AES256-GCM-SHA512:DHE-RSA-AES256-GCM-SHA512";
    const cfg = renderNginxConfig(productionLikeInput(dir, cert)).replace(
      `ssl_ciphers ${TLS12_CIPHERS.join(":")};`,
      `ssl_ciphers ${guideCiphers};`,
    );
    expect(cfg).toContain(guideCiphers);
    const { status, output } = nginxTest(cfg, "defect.conf");
    expect(status).not.toBe(0);
    expect(output).toMatch(/no cipher match/);
  });

  it("names only ciphers this OpenSSL knows", () => {
    const known = run("openssl", ["ciphers", "ALL:TLS_AES_128_GCM_SHA256"]).stdout.trim().split(":");
    const suites = run("openssl", ["ciphers", "-s", "-tls1_3"]).stdout.trim().split(":");
    for (const c of TLS12_CIPHERS) expect(known, c).toContain(c);
    for (const c of TLS13_CIPHERSUITES) expect(suites, c).toContain(c);
  });
});

describe("renderNginxConfig", () => {
  const fakeCert = { certificatePath: "/c.pem", keyPath: "/k.pem", combinedPemPath: "/ck.pem", pem: "" };
  const input = (): LoadBalancerRenderInput => productionLikeInput("/run/lb", fakeCert);

  it("streams, keeps underscore headers and overwrites the forwarding headers", () => {
    const cfg = renderNginxConfig(input());
    for (const line of [
      "proxy_buffering off;",
      "underscores_in_headers on;",
      "proxy_http_version 1.1;",
      "proxy_set_header X-Forwarded-For $remote_addr;",
      "proxy_set_header X-Real-IP $remote_addr;",
      "proxy_set_header Connection $connection_upgrade;",
      "least_conn;",
      "server 10.0.1.11:8080 max_fails=3 fail_timeout=15s; # jairouter-1",
      "proxy_read_timeout 5m;",
      "stub_status;",
    ]) {
      expect(cfg).toContain(line);
    }
    expect(cfg).not.toContain("$proxy_add_x_forwarded_for");
    expect(cfg).not.toMatch(/non_idempotent|gzip on/);
  });

  it("marks each upstream server line with its backend's name, for the runtime scripts' edits", () => {
    const cfg = renderNginxConfig(input());
    const upstream = cfg.slice(cfg.indexOf(`upstream ${NGINX_UPSTREAM} {`));
    const serverLines = upstream
      .slice(0, upstream.indexOf("}"))
      .split("\n")
      .filter((l) => /^\s*server /.test(l));
    expect(serverLines).toHaveLength(input().backends.length);
    for (const b of input().backends) {
      const marked = cfg.split("\n").filter((l) => l.endsWith(` ${nginxServerMarker(b.name)}`));
      expect(marked, b.name).toEqual([serverLines.find((l) => l.includes(`${b.address}:${b.port} `))]);
    }
    // `down` is the drain scripts' mark alone
    expect(cfg).not.toMatch(/\bdown\b/);
  });

  it("rejects an input without backends, naming the field", () => {
    expect(() => renderNginxConfig({ ...input(), backends: [] })).toThrow(
      /at least one backend is required[\s\S]*backends/,
    );
  });

  it("rejects a path that would break out of the configuration syntax", () => {
    const bad = input();
    bad.tls = { ...bad.tls, keyPath: "/etc/key.pem; include /etc/passwd" };
    expect(() => renderNginxConfig(bad)).toThrow(/tls\.keyPath/);
  });
});
