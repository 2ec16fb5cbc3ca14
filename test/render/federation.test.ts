import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FEDERATION_MATCH,
  federationTarget,
  renderFederationScrapeConfig,
} from "../../examples/consumer/federation";
import { JOB, lbJob } from "../../render/prometheus";
import { run, toolsAvailable } from "../support/tools";
import { withFiles } from "./fixtures/monitoring/inputs";

const source = { stack: "prod", prometheusUrl: "http://10.0.128.32:9090" };

describe("example consumer: federation scrape config", () => {
  it("scrapes /federate on the contract's Prometheus, keeping JAiRouter's labels", () => {
    const job = parse(renderFederationScrapeConfig(source)).scrape_configs[0];
    expect(job).toMatchObject({
      job_name: "jairouter-prod-federate",
      honor_labels: true,
      scheme: "http",
      metrics_path: "/federate",
      static_configs: [{ targets: ["10.0.128.32:9090"], labels: { jairouter_stack: "prod" } }],
    });
    expect(federationTarget("https://prom.internal/")).toEqual({ host: "prom.internal", port: 443 });
  });

  it("selects the job names JAiRouter's Prometheus really uses", () => {
    expect(DEFAULT_FEDERATION_MATCH).toEqual([
      `{job="${JOB.app}"}`,
      `{job=~"${lbJob("haproxy")}|${lbJob("nginx")}"}`,
    ]);
  });

  it.skipIf(!toolsAvailable("promtool"))("is a configuration promtool accepts", () => {
    const files = { "prometheus.yml": renderFederationScrapeConfig(source) };
    const r = withFiles(files, (dir) => run("promtool", ["check", "config", join(dir, "prometheus.yml")]));
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
