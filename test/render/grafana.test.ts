import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ruleGroups } from "../../render/alert-rules";
import {
  GRAFANA_ADMIN_PASSWORD_ENV,
  grafanaSecurityEnv,
  PROMETHEUS_DATASOURCE_UID,
  renderGrafanaDashboardProvider,
  renderGrafanaDashboards,
  renderGrafanaDatasources,
} from "../../render/grafana";
import { unknownMetricNames } from "../../render/metric-names";
import type { LbEngine } from "../../render/monitoring-types";
import { sampleGrafanaInput, sampleMonitoringInput } from "./fixtures/monitoring/inputs";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource: { type: string; uid: string };
  targets: { refId: string; expr: string; datasource: { uid: string } }[];
}

const ENGINES: LbEngine[] = ["haproxy", "nginx"];

function dashboards(engine: LbEngine): Record<string, Record<string, unknown>> {
  const files = renderGrafanaDashboards(sampleGrafanaInput(engine));
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, text] of Object.entries(files)) out[name] = JSON.parse(text) as Record<string, unknown>;
  return out;
}

describe("Grafana provisioning", () => {
  it("provisions Prometheus as the default datasource with a fixed UID", () => {
    const text = renderGrafanaDatasources(sampleGrafanaInput("haproxy"));
    const doc = parse(text) as { apiVersion: number; datasources: Record<string, unknown>[] };
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources).toEqual([
      expect.objectContaining({
        uid: PROMETHEUS_DATASOURCE_UID,
        type: "prometheus",
        url: "http://10.0.31.10:9090",
        isDefault: true,
        editable: false,
      }),
    ]);
    expect(() =>
      renderGrafanaDatasources({ ...sampleGrafanaInput("nginx"), prometheusUrl: "10.0.0.1:9090" }),
    ).toThrow();
  });

  it("provisions a read-only file provider on the dashboards path", () => {
    const text = renderGrafanaDashboardProvider(sampleGrafanaInput("haproxy"));
    const doc = parse(text) as { providers: Record<string, unknown>[] };
    expect(doc.providers[0]).toMatchObject({
      type: "file",
      allowUiUpdates: false,
      options: { path: "/var/lib/grafana/dashboards" },
    });
  });

  it("hardens Grafana through env and leaves the password to a secret", () => {
    const env = grafanaSecurityEnv();
    expect(env).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: "false", GF_USERS_ALLOW_SIGN_UP: "false" });
    expect(Object.keys(env)).not.toContain(GRAFANA_ADMIN_PASSWORD_ENV);
    expect(GRAFANA_ADMIN_PASSWORD_ENV).toBe("GF_SECURITY_ADMIN_PASSWORD");
  });
});

describe.each(ENGINES)("dashboards (%s)", (engine) => {
  const all = dashboards(engine);
  const recorded = ruleGroups(sampleMonitoringInput(engine)).flatMap((g) =>
    g.rules.flatMap((r) => ("record" in r ? [r.record] : [])),
  );

  it("are three provisioning files in the current schema, without the import wrapper", () => {
    expect(Object.keys(all).sort()).toEqual([
      "jairouter-hosts.json",
      "jairouter-loadbalancers.json",
      "jairouter-overview.json",
    ]);
    for (const [file, d] of Object.entries(all)) {
      expect(d).not.toHaveProperty("dashboard");
      expect(d.schemaVersion).toBe(39);
      expect(`${String(d.uid)}.json`).toBe(file);
    }
  });

  it("use timeseries/stat panels on the fixed datasource, laid out on the grid", () => {
    for (const d of Object.values(all)) {
      const panels = d.panels as Panel[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels) {
        expect(["timeseries", "stat"]).toContain(p.type);
        expect(p.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
      }
    }
    expect(JSON.stringify(all)).not.toContain('"type":"graph"');
  });

  it("query only metric names that exist", () => {
    const exprs = Object.values(all).flatMap((d) =>
      (d.panels as Panel[]).flatMap((p) => p.targets.map((t) => t.expr)),
    );
    for (const e of exprs) expect(unknownMetricNames(e, recorded), e).toEqual([]);
  });

  it("cover R5.4 on the overview", () => {
    const overview = all["jairouter-overview.json"] as { panels: Panel[] };
    const text = JSON.stringify(overview);
    for (const needle of [
      "http_server_requests_seconds_count",
      "histogram_quantile(0.5",
      "histogram_quantile(0.95",
      "jairouter:http_5xx:ratio_rate5m",
      "jairouter:jvm_heap_used:ratio",
      "jairouter:rate_limit_rejected:ratio_rate5m",
      "jairouter_circuit_breaker_state",
      "jairouter_backend_health",
    ]) {
      expect(text).toContain(needle);
    }
  });

  it(`chart the ${engine} exporter on the load-balancer dashboard`, () => {
    const text = JSON.stringify(all["jairouter-loadbalancers.json"]);
    expect(text).toContain(engine === "haproxy" ? "haproxy_backend_active_servers" : "nginx_up");
    expect(text).not.toContain(engine === "haproxy" ? "nginx_" : "haproxy_");
  });
});
