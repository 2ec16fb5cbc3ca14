import { describe, expect, it } from "vitest";
import { isAlertRule, ruleGroups } from "../../render/alert-rules";
import { grafanaDashboards } from "../../render/grafana";
import { extractMetricNames, KNOWN_METRIC_NAMES, unknownMetricNames } from "../../render/metric-names";
import type { LbEngine } from "../../render/monitoring-types";
import { sampleGrafanaInput, sampleMonitoringInput } from "./fixtures/monitoring/inputs";

const ENGINES: LbEngine[] = ["haproxy", "nginx"];

function recordedNames(engine: LbEngine): string[] {
  return ruleGroups(sampleMonitoringInput(engine)).flatMap((g) =>
    g.rules.flatMap((r) => ("record" in r ? [r.record] : [])),
  );
}

function dashboardExprs(engine: LbEngine): string[] {
  return grafanaDashboards(sampleGrafanaInput(engine)).flatMap((d) =>
    d.panels.flatMap((p) => (p.targets as { expr: string }[]).map((t) => t.expr)),
  );
}

describe("extractMetricNames", () => {
  it("finds series names and skips functions, labels, keywords, numbers and durations", () => {
    const expr =
      'sum by (instance, le) (rate(http_server_requests_seconds_bucket{job="jairouter",status=~"5..",uri!="/x{y}"}[5m] offset 1h)) ' +
      "/ on (instance) group_left (zone) max without (pool) (jvm_memory_max_bytes > 0) * 1e3 and bool up unless nan";
    expect(extractMetricNames(expr)).toEqual([
      "http_server_requests_seconds_bucket",
      "jvm_memory_max_bytes",
      "up",
    ]);
  });

  it("handles Grafana variables, recording-rule names, absent() and __name__", () => {
    expect(extractMetricNames("rate(nginx_http_requests_total[$__rate_interval]) + ${x} + $y")).toEqual([
      "nginx_http_requests_total",
    ]);
    expect(
      extractMetricNames('absent(up{job="nginx"} == 1) or jairouter:http_5xx:ratio_rate5m > 0.05'),
    ).toEqual(["up", "jairouter:http_5xx:ratio_rate5m"]);
    expect(extractMetricNames('{__name__="node_load1",job="node"}')).toEqual(["node_load1"]);
    expect(() => extractMetricNames('{__name__=~"node_.*"}')).toThrow(/regex/);
  });
});

describe("unknownMetricNames", () => {
  it("catches the guide's names that JAiRouter never exported", () => {
    expect(unknownMetricNames("rate(jairouter_ratelimit_rejected_total[5m]) > 0.1")).toEqual([
      "jairouter_ratelimit_rejected_total",
    ]);
    const seed = [
      "jairouter_circuitbreaker_state",
      "jairouter_auth_failures_total",
      "jairouter_security_events_total",
      "jairouter_log_errors_total",
      "http_server_requests_total",
    ];
    for (const name of seed) expect(unknownMetricNames(`sum(rate(${name}[5m]))`)).toEqual([name]);
  });

  it("accepts only the recording rules it is told about", () => {
    expect(unknownMetricNames("jairouter:http_5xx:ratio_rate5m")).toEqual([
      "jairouter:http_5xx:ratio_rate5m",
    ]);
    expect(
      unknownMetricNames("jairouter:http_5xx:ratio_rate5m", ["jairouter:http_5xx:ratio_rate5m"]),
    ).toEqual([]);
  });

  it("allow-list holds real exporter names only", () => {
    for (const n of KNOWN_METRIC_NAMES)
      expect(n).toMatch(
        /^(jairouter_|http_server_|jvm_|process_cpu_usage$|haproxy_|nginx|node_|prometheus_|alertmanager_|grafana_|up$|scrape_)/,
      );
  });
});

describe.each(ENGINES)("every expression the stack ships uses existing names (%s)", (engine) => {
  const recorded = recordedNames(engine);

  it("rules", () => {
    const rules = ruleGroups(sampleMonitoringInput(engine)).flatMap((g) => g.rules);
    expect(rules.filter(isAlertRule).length).toBeGreaterThan(10);
    for (const r of rules) expect(unknownMetricNames(r.expr, recorded), r.expr).toEqual([]);
  });

  it("dashboards", () => {
    const exprs = dashboardExprs(engine);
    expect(exprs.length).toBeGreaterThan(20);
    for (const e of exprs) expect(unknownMetricNames(e, recorded), e).toEqual([]);
  });

  it("recording rules are named level:metric:operation", () => {
    for (const r of recorded) expect(r).toMatch(/^[a-z]+:[a-z0-9_]+:[a-z0-9_]+$/);
  });
});
