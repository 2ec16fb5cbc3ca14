import { stringify } from "yaml";
import type { LbEngine, MonitoringRenderInput, ScrapeTarget } from "./monitoring-types";

/** Prometheus job names; rules and dashboards select on them. */
export const JOB = {
  app: "jairouter",
  node: "node",
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  grafana: "grafana",
} as const;

/** The load-balancer exporter's job is named after the engine: `haproxy` or `nginx`. */
export function lbJob(engine: LbEngine): string {
  return engine;
}

/** Ceiling of a scrape: 5 s, or the interval when that is shorter (timeout may not exceed it). */
function scrapeTimeoutSeconds(intervalSeconds: number): number {
  return Math.min(5, intervalSeconds);
}

function staticConfigs(targets: ScrapeTarget[]): object[] {
  return targets.map((t) => ({
    targets: [t.address],
    labels: { instance: t.instance, role: t.role, zone: t.zone },
  }));
}

function job(name: string, targets: ScrapeTarget[], metricsPath: string, intervalSeconds?: number): object {
  return {
    job_name: name,
    metrics_path: metricsPath,
    ...(intervalSeconds === undefined
      ? {}
      : {
          scrape_interval: `${intervalSeconds}s`,
          scrape_timeout: `${scrapeTimeoutSeconds(intervalSeconds)}s`,
        }),
    static_configs: staticConfigs(targets),
  };
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function assertValid(input: MonitoringRenderInput): void {
  if (input.cluster === "" || input.environment === "")
    throw new Error("cluster and environment must not be empty");
  for (const [name, v] of Object.entries({
    scrapeIntervalSeconds: input.scrapeIntervalSeconds,
    appScrapeIntervalSeconds: input.appScrapeIntervalSeconds,
    evaluationIntervalSeconds: input.evaluationIntervalSeconds,
  })) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  }
  // one entry per job: an instance name must be unique within its job only
  const groups: Record<string, ScrapeTarget[]> = {
    appTargets: input.appTargets,
    lbTargets: input.lbTargets,
    nodeTargets: input.nodeTargets,
    "self.prometheus": [input.self.prometheus],
    "self.alertmanager": [input.self.alertmanager],
    "self.grafana": [input.self.grafana],
  };
  for (const [group, targets] of Object.entries(groups)) {
    const seen = new Set<string>();
    for (const t of targets) {
      if (!HOST_PORT.test(t.address)) throw new Error(`${group}: address "${t.address}" is not host:port`);
      if (seen.has(t.instance)) throw new Error(`${group}: duplicate instance "${t.instance}"`);
      seen.add(t.instance);
    }
  }
  if (input.appTargets.length === 0)
    throw new Error("appTargets: at least one JAiRouter instance is required");
}

/** Renders prometheus.yml (R5.1): app, load balancer, node-exporter and self scrapes, rules, alerting. */
export function renderPrometheusConfig(input: MonitoringRenderInput): string {
  assertValid(input);
  const config = {
    global: {
      scrape_interval: `${input.scrapeIntervalSeconds}s`,
      scrape_timeout: `${scrapeTimeoutSeconds(input.scrapeIntervalSeconds)}s`,
      evaluation_interval: `${input.evaluationIntervalSeconds}s`,
      external_labels: { cluster: input.cluster, environment: input.environment },
    },
    rule_files: input.ruleFiles,
    alerting: {
      alertmanagers: [
        { api_version: "v2", static_configs: [{ targets: [input.self.alertmanager.address] }] },
      ],
    },
    scrape_configs: [
      job(JOB.app, input.appTargets, "/actuator/prometheus", input.appScrapeIntervalSeconds),
      job(lbJob(input.lbEngine), input.lbTargets, "/metrics"),
      job(JOB.node, input.nodeTargets, "/metrics"),
      job(JOB.prometheus, [input.self.prometheus], "/metrics"),
      job(JOB.alertmanager, [input.self.alertmanager], "/metrics"),
      job(JOB.grafana, [input.self.grafana], "/metrics"),
    ],
  };
  return stringify(config, { lineWidth: 0 });
}
