import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CERT_EXPIRY_LAST_CHECK_METRIC,
  CERT_EXPIRY_METRIC,
  CERT_EXPIRY_METRICS_FILE,
  CERT_EXPIRY_PATHS,
  certExpiryHostFiles,
  renderCertExpiryActivateScript,
  renderCertExpiryScript,
  renderCertExpiryTimer,
} from "../../render/cert-expiry";
import { run, toolsAvailable } from "../support/tools";
import { parseUnit, verifyUnitsInRoot } from "../support/systemd-unit";

const INPUT = { certificateFile: "/data/loadbalancer/tls/cert.pem" };

/** A CA (days `caDays`) and a server certificate it signs (days `serverDays`), as one chain file. */
function makeChain(dir: string, serverDays: number, caDays: number): string {
  const p = (f: string) => join(dir, f);
  const openssl = (args: string[]) => {
    const r = run("openssl", args);
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.pem"),
    "-days",
    String(caDays),
    "-subj",
    "/CN=test CA",
  ]);
  openssl([
    "req",
    ...ec,
    "-keyout",
    p("server.key"),
    "-out",
    p("server.csr"),
    "-subj",
    "/CN=api.example.test",
  ]);
  openssl([
    "x509",
    "-req",
    "-in",
    p("server.csr"),
    "-CA",
    p("ca.pem"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-out",
    p("server.pem"),
    "-days",
    String(serverDays),
  ]);
  const file = p("cert.pem");
  writeFileSync(file, readFileSync(p("server.pem"), "utf8") + readFileSync(p("ca.pem"), "utf8"));
  return file;
}

function runScript(dir: string, env: Record<string, string>) {
  const script = join(dir, "jairouter-cert-expiry");
  writeFileSync(script, renderCertExpiryScript(INPUT), { mode: 0o755 });
  return spawnSync("bash", ["--norc", "--noprofile", script], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    timeout: 30_000,
  });
}

describe.runIf(toolsAvailable("openssl"))("cert-expiry script", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cert-expiry-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("publishes each certificate's notAfter, leaf first, for the textfile collector", () => {
    const certs = join(dir, "chain");
    const metrics = join(dir, "textfile");
    mkdirSync(certs);
    mkdirSync(metrics);
    const file = makeChain(certs, 10, 400);
    const before = Math.floor(Date.now() / 1000);
    const r = runScript(dir, { CERT_FILE: file, METRICS_DIR: metrics });
    expect(`${r.status}${r.stderr}`).toBe("0");
    // written atomically: only the final file remains
    expect(readdirSync(metrics)).toEqual([CERT_EXPIRY_METRICS_FILE]);
    const text = readFileSync(join(metrics, CERT_EXPIRY_METRICS_FILE), "utf8");
    expect(text).toContain(`# TYPE ${CERT_EXPIRY_METRIC} gauge`);
    const value = (name: string) =>
      Number(new RegExp(`^${CERT_EXPIRY_METRIC}\\{certificate="${name}"\\} (\\d+)$`, "m").exec(text)?.[1]);
    const days = (seconds: number) => (seconds - before) / 86400;
    expect(days(value("leaf"))).toBeGreaterThan(9.9);
    expect(days(value("leaf"))).toBeLessThan(10.1);
    expect(days(value("chain-1"))).toBeGreaterThan(399.9);
    expect(days(value("chain-1"))).toBeLessThan(400.1);
    // when it last checked, for TlsCertificateExpiryUnknown
    const checked = Number(new RegExp(`^${CERT_EXPIRY_LAST_CHECK_METRIC} (\\d+)$`, "m").exec(text)?.[1]);
    expect(checked).toBeGreaterThanOrEqual(before);
    expect(checked).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    if (toolsAvailable("promtool")) {
      const check = run("promtool", ["check", "metrics"], { input: text });
      expect(`${check.status}${check.stdout}${check.stderr}`).toBe("0");
    }
  });

  it("fails, keeping the last good gauge, when the certificate is unreadable or not PEM", () => {
    const metrics = join(dir, "textfile-bad");
    mkdirSync(metrics);
    writeFileSync(join(metrics, CERT_EXPIRY_METRICS_FILE), "previous\n");
    const missing = runScript(dir, { CERT_FILE: join(dir, "nope.pem"), METRICS_DIR: metrics });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("cannot read");
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "not a certificate\n");
    const notPem = runScript(dir, { CERT_FILE: junk, METRICS_DIR: metrics });
    expect(notPem.status).not.toBe(0);
    expect(notPem.stderr).toContain("no certificate");
    expect(readdirSync(metrics)).toEqual([CERT_EXPIRY_METRICS_FILE]);
    expect(readFileSync(join(metrics, CERT_EXPIRY_METRICS_FILE), "utf8")).toBe("previous\n");
  });

  it("refuses a path it would have to quote", () => {
    expect(() => renderCertExpiryScript({ certificateFile: "/data/x y.pem" })).toThrow(/plain absolute path/);
  });
});

describe("cert-expiry files", () => {
  it("are placed root-owned where systemd and the script path expect them", () => {
    expect(certExpiryHostFiles(INPUT).map((f) => [f.path, f.mode])).toEqual([
      [CERT_EXPIRY_PATHS.script, "0755"],
      [CERT_EXPIRY_PATHS.service, "0644"],
      [CERT_EXPIRY_PATHS.timer, "0644"],
    ]);
    const timer = parseUnit(renderCertExpiryTimer());
    expect(timer.Timer!.OnCalendar).toEqual(["hourly"]);
    expect(timer.Timer!.OnBootSec).toEqual(["2min"]);
    expect(timer.Install!.WantedBy).toEqual(["timers.target"]);
  });

  it.runIf(toolsAvailable("shellcheck"))("are shellcheck-clean", () => {
    const dir = mkdtempSync(join(tmpdir(), "cert-expiry-sc-"));
    try {
      for (const [name, text] of [
        ["script", renderCertExpiryScript(INPUT)],
        ["activate", renderCertExpiryActivateScript()],
      ]) {
        const path = join(dir, name!);
        writeFileSync(path, text!);
        const r = run("shellcheck", ["-s", "bash", "--severity=style", path]);
        expect(`${r.status}${r.stdout}`, name).toBe("0");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(toolsAvailable("systemd-analyze"))("pass systemd-analyze verify", () => {
    const placed = certExpiryHostFiles(INPUT).map((f) => ({ ...f, mode: Number.parseInt(f.mode, 8) }));
    const units = ["jairouter-cert-expiry.timer", "jairouter-cert-expiry.service"];
    expect(verifyUnitsInRoot(placed, units)).toBe("0\n");
  });
});
