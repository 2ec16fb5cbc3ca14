import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAlertRules, ruleGroups, type RuleRenderInput } from "../../render/alert-rules";
import { ALERT_NAMES, type LbEngine } from "../../render/monitoring-types";
import { run, toolsAvailable } from "../support/tools";
import { sampleMonitoringInput, withFiles } from "./fixtures/monitoring/inputs";
import {
  alertRules,
  expandTemplate,
  renderPromtoolTests,
  scenariosFor,
} from "./fixtures/monitoring/promtool-tests";

interface YamlRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const ENGINES: LbEngine[] = ["haproxy", "nginx"];
const input = (engine: LbEngine): RuleRenderInput => sampleMonitoringInput(engine);

function yamlRules(engine: LbEngine, overrides: Partial<RuleRenderInput> = {}): YamlRule[] {
  const doc = parse(renderAlertRules({ ...input(engine), ...overrides })) as {
    groups: { rules: YamlRule[] }[];
  };
  return doc.groups.flatMap((g) => g.rules);
}

describe("renderAlertRules", () => {
  it.each(ENGINES)(
    "defines every alert, each with severity, summary, description and runbook (%s)",
    (engine) => {
      const alerts = yamlRules(engine).filter((r) => r.alert !== undefined);
      expect(new Set(alerts.map((a) => a.alert))).toEqual(new Set(ALERT_NAMES));
      for (const a of alerts) {
        expect(["critical", "warning"]).toContain(a.labels?.severity);
        expect(a.annotations?.summary).toBeTruthy();
        expect(a.annotations?.description).toBeTruthy();
        expect(a.annotations?.runbook_url).toBe(`${input(engine).runbookBaseUrl}#${a.alert?.toLowerCase()}`);
        expect(a.for).toMatch(/^\d+[smh]$/);
      }
    },
  );

  it("links each alert to its runbook entry under an absolute base URL", () => {
    const base = "https://github.com/example-org/jairouter-infra/blob/main/docs/runbook.md";
    const alerts = yamlRules("haproxy", { runbookBaseUrl: base }).filter((r) => r.alert !== undefined);
    for (const a of alerts) expect(a.annotations?.runbook_url).toBe(`${base}#${a.alert?.toLowerCase()}`);
    expect(alerts.find((a) => a.alert === "TlsCertificateExpiresSoon")?.annotations?.runbook_url).toBe(
      `${base}#tlscertificateexpiressoon`,
    );
  });

  it("warns 21 days before a served certificate expires, critical 7 days before", () => {
    const rules = yamlRules("nginx").filter((r) => r.alert === "TlsCertificateExpiresSoon");
    expect(rules.map((r) => [r.labels?.severity, r.expr])).toEqual([
      ["warning", 'jairouter_tls_certificate_expiry_timestamp_seconds{job="node"} - time() < 1814400'],
      ["critical", 'jairouter_tls_certificate_expiry_timestamp_seconds{job="node"} - time() < 604800'],
    ]);
  });

  it("warns when a proxy host's certificate expiry is stale or missing for 2 h", () => {
    const rules = yamlRules("haproxy").filter((r) => r.alert === "TlsCertificateExpiryUnknown");
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ for: "5m", labels: { severity: "warning", service: "tls" } });
    expect(rules[0]?.expr).toBe(
      'time() - jairouter_tls_certificate_expiry_last_check_timestamp_seconds{job="node"} > 7200 or ' +
        '((up{job="node",role="loadbalancer"} == 1 and on (instance) up{job="node"} offset 2h) unless on (instance) ' +
        'last_over_time(jairouter_tls_certificate_expiry_timestamp_seconds{job="node",certificate="leaf"}[2h]))',
    );
  });

  it("carries R5.2's thresholds and durations", () => {
    const byName = (n: string) => yamlRules("haproxy").find((r) => r.alert === n);
    expect(byName("JAiRouterInstanceDown")).toMatchObject({ for: "1m", labels: { severity: "critical" } });
    expect(byName("High5xxRatio")).toMatchObject({
      expr: "jairouter:http_5xx:ratio_rate5m > 0.05",
      for: "2m",
    });
    expect(byName("HighP95Latency")?.for).toBe("5m");
    expect(byName("HighHeapUsage")?.expr).toMatch(/> 0.8$/);
    expect(byName("RateLimitRejections")).toMatchObject({ for: "2m" });
    expect(byName("CircuitBreakerOpen")).toMatchObject({ for: "1m", labels: { severity: "critical" } });
  });

  it("alerts on a failed backup, and on none for 26 h from a host that backs up (R8)", () => {
    const byName = (n: string) => yamlRules("nginx").filter((r) => r.alert === n);
    expect(byName("BackupFailed")).toEqual([
      expect.objectContaining({
        expr: 'jairouter_backup_last_run_success{job="node"} == 0',
        labels: { severity: "warning", service: "backup" },
      }),
    ]);
    const [missing] = byName("BackupMissing");
    expect(missing?.labels).toEqual({ severity: "warning", service: "backup" });
    const expr = missing?.expr ?? "";
    expect(expr).toMatch(
      /^time\(\) - jairouter_backup_last_success_timestamp_seconds\{job="node"\} > 93600 or /,
    );
    // expected only from app and monitoring hosts, once per mode, after a day's grace
    expect(expr.match(/up\{job="node",role=~"app\|monitoring"\} == 1/g)).toHaveLength(2);
    expect(expr).toContain('"mode", "config", "", ""');
    expect(expr).toContain('"mode", "data", "", ""');
    expect(expr).toContain("offset 26h");
    expect(expr).toContain(
      'last_over_time(jairouter_backup_last_success_timestamp_seconds{job="node"}[26h])',
    );
  });

  it("applies alertFor overrides to the named alert only", () => {
    const rules = yamlRules("haproxy", { alertFor: { CircuitBreakerOpen: "2s", HostDiskPressure: "3s" } });
    const fors = (n: string) => rules.filter((r) => r.alert === n).map((r) => r.for);
    expect(fors("CircuitBreakerOpen")).toEqual(["2s"]);
    expect(fors("HostDiskPressure")).toEqual(["3s", "3s"]);
    expect(fors("JAiRouterInstanceDown")).toEqual(["1m"]);
  });

  it("evaluates every recording rule before the alerts of its group that use it", () => {
    for (const g of ruleGroups(input("nginx"))) {
      const seen = new Set<string>();
      for (const r of g.rules) {
        if ("record" in r) seen.add(r.record);
        else
          for (const m of r.expr.match(/[a-z_]+:[a-z0-9_:]+/g) ?? [])
            expect(seen, `${g.name}: ${m}`).toContain(m);
      }
    }
  });
});

describe("promtool scenarios", () => {
  it.each(ENGINES)("make every alert and severity fire at least once (%s)", (engine) => {
    const fired = new Set(
      scenariosFor(engine).flatMap((s) => s.firing.map((f) => `${f.alertname}/${f.severity}`)),
    );
    const defined = alertRules(input(engine)).map((r) => `${r.alert}/${r.severity}`);
    expect(defined.filter((d) => !fired.has(d))).toEqual([]);
    expect(scenariosFor(engine).some((s) => s.silent === "all")).toBe(true);
  });

  it("expand only the templates they understand", () => {
    expect(
      expandTemplate("{{ $labels.instance }} at {{ $value | humanizePercentage }}", { instance: "a" }, "5%"),
    ).toBe("a at 5%");
    expect(() => expandTemplate("{{ $labels.zone }}", {})).toThrow(/no such label/);
    expect(() => expandTemplate("{{ $value }}", {})).toThrow(/\$value/);
    expect(() => expandTemplate("{{ .Labels }}", {})).toThrow(/unsupported/);
  });
});

describe.skipIf(!toolsAvailable("promtool"))("promtool", () => {
  function promtoolTest(engine: LbEngine, rulesText: string) {
    const files = {
      "rules.yml": rulesText,
      "tests.yml": renderPromtoolTests("rules.yml", input(engine)),
    };
    return withFiles(files, (dir) => run("promtool", ["test", "rules", join(dir, "tests.yml")]));
  }

  it.each(ENGINES)("check rules accepts the rule file (%s)", (engine) => {
    const r = withFiles({ "rules.yml": renderAlertRules(input(engine)) }, (dir) =>
      run("promtool", ["check", "rules", join(dir, "rules.yml")]),
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it.each(ENGINES)("test rules: bad series fire every alert, the healthy fleet fires none (%s)", (engine) => {
    const r = promtoolTest(engine, renderAlertRules(input(engine)));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("SUCCESS");
  });

  it("test rules fails when an alert can no longer fire (the test bites)", () => {
    const broken = renderAlertRules(input("haproxy")).replace("ratio_rate5m > 0.05", "ratio_rate5m > 5");
    const r = promtoolTest("haproxy", broken);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("alertname: High5xxRatio");
  });

  it("test rules fails when BackupMissing expects backups from load balancers", () => {
    const text = renderAlertRules(input("nginx"));
    const everyHost = text.replaceAll('role=~"app|monitoring"', 'role=~".+"');
    expect(everyHost).not.toBe(text);
    const r = promtoolTest("nginx", everyHost);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("alertname: BackupMissing");
    expect(r.stdout + r.stderr).toContain('instance="lb-1"');
  });

  it("test rules fails when TlsCertificateExpiryUnknown expects the gauge from every host", () => {
    const text = renderAlertRules(input("haproxy"));
    const everyHost = text.replaceAll('role="loadbalancer"', 'role=~".+"');
    expect(everyHost).not.toBe(text);
    const r = promtoolTest("haproxy", everyHost);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("alertname: TlsCertificateExpiryUnknown");
    expect(r.stdout + r.stderr).toContain('instance="app-1"');
  });

  it("test rules fails when the heap ratio counts pools whose max is -1", () => {
    const naive = renderAlertRules(input("haproxy")).replace(
      /expr: sum by \(instance, zone\) \(jvm_memory_used_bytes.*$/m,
      'expr: sum by (instance, zone) (jvm_memory_used_bytes{job="jairouter",area="heap"}) / sum by (instance, zone) (jvm_memory_max_bytes{job="jairouter",area="heap"})',
    );
    expect(naive).not.toBe(renderAlertRules(input("haproxy")));
    const r = promtoolTest("haproxy", naive);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("alertname: HighHeapUsage");
  });
});
