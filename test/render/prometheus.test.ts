import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAlertRules } from "../../render/alert-rules";
import type { LbEngine, MonitoringRenderInput } from "../../render/monitoring-types";
import { renderPrometheusConfig } from "../../render/prometheus";
import { run, toolsAvailable } from "../support/tools";
import { renderAlertmanagerConfig } from "../../render/alertmanager";
import { renderGrafanaDashboardProvider, renderGrafanaDatasources } from "../../render/grafana";
import {
  sampleAlertmanagerInput,
  sampleGrafanaInput,
  sampleMonitoringInput,
  withFiles,
  yamllint,
} from "./fixtures/monitoring/inputs";

interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}
interface ScrapeConfig {
  job_name: string;
  metrics_path: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs: StaticConfig[];
}
interface PromConfig {
  global: { scrape_interval: string; evaluation_interval: string; external_labels: Record<string, string> };
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

const ENGINES: LbEngine[] = ["haproxy", "nginx"];

function rendered(input: MonitoringRenderInput): PromConfig {
  return parse(renderPrometheusConfig(input)) as PromConfig;
}

function job(config: PromConfig, name: string): ScrapeConfig {
  const found = config.scrape_configs.find((j) => j.job_name === name);
  if (found === undefined) throw new Error(`no job ${name}`);
  return found;
}

describe("renderPrometheusConfig", () => {
  const input = sampleMonitoringInput("haproxy");
  const config = rendered(input);

  it("scrapes every JAiRouter instance at /actuator/prometheus every 10 s (R5.1)", () => {
    const app = job(config, "jairouter");
    expect(app.metrics_path).toBe("/actuator/prometheus");
    expect(app.scrape_interval).toBe("10s");
    expect(app.static_configs.flatMap((c) => c.targets)).toEqual(input.appTargets.map((t) => t.address));
  });

  it("scrapes the LB exporter of the chosen engine, node-exporter on every host, and itself", () => {
    for (const engine of ENGINES) {
      const c = rendered(sampleMonitoringInput(engine));
      expect(c.scrape_configs.map((j) => j.job_name)).toEqual([
        "jairouter",
        engine,
        "node",
        "prometheus",
        "alertmanager",
        "grafana",
      ]);
      const port = engine === "haproxy" ? ":8404" : ":9113";
      expect(job(c, engine).static_configs.every((s) => s.targets.every((t) => t.endsWith(port)))).toBe(true);
    }
    expect(job(config, "node").static_configs).toHaveLength(input.nodeTargets.length);
  });

  it("labels every target with instance, role and zone", () => {
    const all = config.scrape_configs.flatMap((j) => j.static_configs);
    expect(all.length).toBeGreaterThan(8);
    for (const s of all) expect(Object.keys(s.labels).sort()).toEqual(["instance", "role", "zone"]);
    expect(job(config, "jairouter").static_configs[1]?.labels).toEqual({
      instance: "app-2",
      role: "app",
      zone: "eu-west-1b",
    });
  });

  it("sets external labels, rule files and the Alertmanager", () => {
    expect(config.global.external_labels).toEqual({ cluster: "jairouter-prod", environment: "prod" });
    expect(config.rule_files).toEqual(input.ruleFiles);
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(["10.0.31.10:9093"]);
  });

  it("is deterministic", () => {
    expect(renderPrometheusConfig(input)).toBe(renderPrometheusConfig(sampleMonitoringInput("haproxy")));
  });

  it("keeps the scrape timeout within short intervals", () => {
    const c = rendered({ ...input, scrapeIntervalSeconds: 1, appScrapeIntervalSeconds: 2 });
    expect(job(c, "jairouter")).toMatchObject({ scrape_interval: "2s", scrape_timeout: "2s" });
  });

  it("rejects bad input", () => {
    expect(() => renderPrometheusConfig({ ...input, appScrapeIntervalSeconds: 0 })).toThrow(
      /appScrapeIntervalSeconds/,
    );
    const dup = [...input.appTargets, { ...input.appTargets[0]!, address: "10.0.9.9:8080" }];
    expect(() => renderPrometheusConfig({ ...input, appTargets: dup })).toThrow(/duplicate instance "app-1"/);
    const bad = [{ ...input.appTargets[0]!, address: "http://10.0.1.1:8080" }];
    expect(() => renderPrometheusConfig({ ...input, appTargets: bad })).toThrow(/host:port/);
    expect(() => renderPrometheusConfig({ ...input, appTargets: [] })).toThrow(/at least one/);
  });
});

describe.skipIf(!toolsAvailable("promtool"))("promtool check config", () => {
  for (const engine of ENGINES) {
    it(`accepts prometheus.yml with its rule file (${engine})`, () => {
      const input = { ...sampleMonitoringInput(engine), ruleFiles: ["jairouter.rules.yml"] };
      const files = {
        "prometheus.yml": renderPrometheusConfig(input),
        "jairouter.rules.yml": renderAlertRules(input),
      };
      const r = withFiles(files, (dir) => run("promtool", ["check", "config", join(dir, "prometheus.yml")]));
      expect(r.stdout + r.stderr).toContain("SUCCESS: 1 rule files found");
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });
  }

  it("fails when the rule file is missing (the check is real)", () => {
    const input = { ...sampleMonitoringInput("haproxy"), ruleFiles: ["missing.rules.yml"] };
    const r = withFiles({ "prometheus.yml": renderPrometheusConfig(input) }, (dir) =>
      run("promtool", ["check", "config", join(dir, "prometheus.yml")]),
    );
    expect(r.status).not.toBe(0);
  });
});

describe.skipIf(!toolsAvailable("yamllint"))("yamllint on every monitoring YAML file", () => {
  const files: Record<string, string> = {};
  for (const engine of ENGINES) {
    const m = sampleMonitoringInput(engine);
    files[`prometheus.yml (${engine})`] = renderPrometheusConfig(m);
    files[`rules (${engine})`] = renderAlertRules(m);
  }
  files["alertmanager.yml"] = renderAlertmanagerConfig(sampleAlertmanagerInput());
  files["grafana datasources"] = renderGrafanaDatasources(sampleGrafanaInput("haproxy"));
  files["grafana dashboard provider"] = renderGrafanaDashboardProvider(sampleGrafanaInput("haproxy"));

  it.each(Object.keys(files))("%s is clean", (name) => {
    const lint = yamllint(files[name] ?? "");
    expect(lint.report).toBe("");
    expect(lint.status).toBe(0);
  });

  it("flags a duplicated key (the lint is real)", () => {
    expect(yamllint("a: 1\na: 2\n").status).not.toBe(0);
  });
});
