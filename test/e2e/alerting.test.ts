/**
 * Real Prometheus and Alertmanager, configured by the same render functions as production (only
 * intervals, `for:` and grouping timings shortened), scrape stub exporters on loopback and deliver
 * alerts to a webhook sink. Proves the rules fire on the app's real metric names, that critical
 * alerts reach the critical receiver (resolved notices included) and that critical inhibits warning.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderAlertRules } from "../../render/alert-rules";
import { renderAlertmanagerConfig } from "../../render/alertmanager";
import type { MonitoringRenderInput, ScrapeTarget } from "../../render/monitoring-types";
import { renderPrometheusConfig } from "../../render/prometheus";
import { toolsAvailable } from "../support/tools";
import { startDaemon, waitFor, type Daemon } from "./support/monitoring-daemons";
import {
  grafanaExposition,
  haproxyExposition,
  jairouterExposition,
  nodeExposition,
  startMetricsStub,
  startWebhookSink,
  type MetricsStub,
  type WebhookPayload,
  type WebhookSink,
} from "./support/monitoring-stubs";

const MON = "127.0.0.31";
const PROMETHEUS = `${MON}:19090`;
const ALERTMANAGER = `${MON}:19093`;
const WEBHOOK_PORT = 19095;
/** app-1, app-2, lb-1, node on app-1, prometheus, alertmanager, grafana */
const TARGET_COUNT = 7;

const target = (instance: string, address: string, role: ScrapeTarget["role"]): ScrapeTarget => ({
  instance,
  address,
  role,
  zone: "az-e2e",
});

describe.skipIf(!toolsAvailable("prometheus", "prometheus-alertmanager"))("alerting end to end", () => {
  let dir = "";
  const daemons: Daemon[] = [];
  const stubs: Record<string, MetricsStub> = {};
  let sink: WebhookSink;

  /** First webhook post to `path` that carries a `status` alert named `alertname` on `instance`. */
  const delivered = (path: string, status: string, alertname: string, instance: string) =>
    waitFor(`${status} ${alertname} on ${instance} at ${path}`, () => {
      for (const { path: p, payload } of sink.received) {
        const alert = payload.alerts.find(
          (a) => a.status === status && a.labels.alertname === alertname && a.labels.instance === instance,
        );
        if (p === path && alert) return { payload, alert };
      }
      return undefined;
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "jr-alerting-e2e-"));
    stubs.app1 = await startMetricsStub(
      "127.0.0.32",
      18080,
      "/actuator/prometheus",
      jairouterExposition({ circuitBreakerChat: 0 }),
    );
    stubs.app2 = await startMetricsStub(
      "127.0.0.33",
      18080,
      "/actuator/prometheus",
      jairouterExposition({ circuitBreakerChat: 0 }),
    );
    stubs.lb = await startMetricsStub("127.0.0.34", 18404, "/metrics", haproxyExposition("be_jairouter"));
    stubs.node = await startMetricsStub(
      "127.0.0.35",
      19100,
      "/metrics",
      nodeExposition({ rootFreeRatio: 0.5, configBackupOk: 1 }),
    );
    stubs.grafana = await startMetricsStub("127.0.0.36", 13000, "/metrics", grafanaExposition());
    sink = await startWebhookSink(MON, WEBHOOK_PORT);

    const input: MonitoringRenderInput = {
      cluster: "e2e",
      environment: "test",
      scrapeIntervalSeconds: 1,
      appScrapeIntervalSeconds: 1,
      evaluationIntervalSeconds: 1,
      appTargets: [target("app-1", stubs.app1.address, "app"), target("app-2", stubs.app2.address, "app")],
      lbEngine: "haproxy",
      lbTargets: [target("lb-1", stubs.lb.address, "loadbalancer")],
      haproxyAppBackend: "be_jairouter",
      nodeTargets: [target("app-1", stubs.node.address, "app")],
      self: {
        prometheus: target("mon-1", PROMETHEUS, "monitoring"),
        alertmanager: target("mon-1", ALERTMANAGER, "monitoring"),
        grafana: target("mon-1", stubs.grafana.address, "monitoring"),
      },
      ruleFiles: [join(dir, "jairouter.rules.yml")],
      runbookBaseUrl: "https://example.com/README.md",
      alertFor: {
        JAiRouterInstanceDown: "2s",
        CircuitBreakerOpen: "2s",
        HostDiskPressure: "2s",
        BackupFailed: "2s",
      },
    };
    writeFileSync(join(dir, "prometheus.yml"), renderPrometheusConfig(input));
    writeFileSync(join(dir, "jairouter.rules.yml"), renderAlertRules(input));
    writeFileSync(
      join(dir, "alertmanager.yml"),
      renderAlertmanagerConfig({
        cluster: "e2e",
        webhooks: [
          { name: "pager", url: `http://${MON}:${WEBHOOK_PORT}/critical`, severities: ["critical"] },
          { name: "chat", url: `http://${MON}:${WEBHOOK_PORT}/warning`, severities: ["warning"] },
        ],
        timing: {
          groupWaitSeconds: 1,
          groupIntervalSeconds: 1,
          criticalRepeatSeconds: 3600,
          warningRepeatSeconds: 3600,
        },
      }),
    );

    daemons.push(
      await startDaemon(
        "alertmanager",
        "prometheus-alertmanager",
        [
          `--config.file=${join(dir, "alertmanager.yml")}`,
          `--storage.path=${join(dir, "am-data")}`,
          `--web.listen-address=${ALERTMANAGER}`,
          "--cluster.listen-address=",
        ],
        `http://${ALERTMANAGER}/-/ready`,
        join(dir, "alertmanager.log"),
      ),
    );
    daemons.push(
      await startDaemon(
        "prometheus",
        "prometheus",
        [
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "prom-data")}`,
          `--web.listen-address=${PROMETHEUS}`,
        ],
        `http://${PROMETHEUS}/-/ready`,
        join(dir, "prometheus.log"),
      ),
    );
  });

  afterAll(async () => {
    for (const d of daemons.reverse()) await d.stop();
    for (const s of Object.values(stubs)) await s.close();
    await sink?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("scrapes every stub target, labelled", async () => {
    let seen = "";
    try {
      await waitFor("every target up", async () => {
        const res = await fetch(`http://${PROMETHEUS}/api/v1/query?query=up`);
        const body = (await res.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        const up = body.data.result;
        seen = up.map((r) => `${r.metric.job}/${r.metric.instance}=${r.value[1]}`).join(" ");
        return up.length === TARGET_COUNT && up.every((r) => r.value[1] === "1") ? up : undefined;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}; last seen: ${seen}`);
    }
    expect(seen).toContain("jairouter/app-1=1");
    expect(seen).toContain("haproxy/lb-1=1");
  });

  it("an open circuit breaker reaches the critical webhook, and its resolution too", async () => {
    stubs.app2?.set(jairouterExposition({ circuitBreakerChat: 1 }));
    const { payload, alert } = await delivered("/critical", "firing", "CircuitBreakerOpen", "app-2");
    expect(payload.receiver).toBe("critical");
    expect(alert.labels).toMatchObject({
      service: "chat",
      severity: "critical",
      cluster: "e2e",
      environment: "test",
    });
    expect(alert.annotations.runbook_url).toBe("https://example.com/README.md#circuitbreakeropen");

    stubs.app2?.set(jairouterExposition({ circuitBreakerChat: 0 }));
    await delivered("/critical", "resolved", "CircuitBreakerOpen", "app-2");
  });

  it("a stopped instance fires JAiRouterInstanceDown to the critical webhook", async () => {
    await stubs.app1?.close();
    const { payload, alert } = await delivered("/critical", "firing", "JAiRouterInstanceDown", "app-1");
    expect(payload.receiver).toBe("critical");
    expect(alert.labels).toMatchObject({
      job: "jairouter",
      zone: "az-e2e",
      service: "jairouter",
      cluster: "e2e",
    });
    expect(alert.annotations.summary).toBe("JAiRouter instance app-1 is down");
    const others: WebhookPayload[] = sink.received
      .filter((r) => r.path !== "/critical")
      .map((r) => r.payload);
    expect(others.flatMap((p) => p.alerts.map((a) => a.labels.alertname))).not.toContain(
      "JAiRouterInstanceDown",
    );
  });

  it("a critical disk alert inhibits its warning twin", async () => {
    stubs.node?.set(nodeExposition({ rootFreeRatio: 0.03, configBackupOk: 1 }));
    const { alert } = await delivered("/critical", "firing", "HostDiskPressure", "app-1");
    expect(alert.labels).toMatchObject({ severity: "critical", mountpoint: "/", service: "host" });
    const inhibitedWarning = await waitFor("HostDiskPressure/warning inhibited in Alertmanager", async () => {
      const res = await fetch(
        `http://${ALERTMANAGER}/api/v2/alerts?active=false&inhibited=true&silenced=false`,
      );
      const alerts = (await res.json()) as {
        labels: Record<string, string>;
        status: { inhibitedBy: string[] };
      }[];
      return alerts.find((a) => a.labels.alertname === "HostDiskPressure" && a.labels.severity === "warning");
    });
    expect(inhibitedWarning.status.inhibitedBy).toHaveLength(1);
    // a leaked warning would be posted within group_wait + group_interval (2 s)
    await new Promise((r) => setTimeout(r, 3_000));
    const toWarning = sink.received.filter((r) => r.path === "/warning").flatMap((r) => r.payload.alerts);
    expect(toWarning.map((a) => a.labels.alertname)).not.toContain("HostDiskPressure");
  });

  it("a failed backup, as node-exporter reports it, reaches the warning webhook", async () => {
    stubs.node?.set(nodeExposition({ rootFreeRatio: 0.03, configBackupOk: 0 }));
    const { payload, alert } = await delivered("/warning", "firing", "BackupFailed", "app-1");
    expect(payload.receiver).toBe("warning");
    expect(alert.labels).toMatchObject({
      job: "node",
      mode: "config",
      service: "backup",
      severity: "warning",
    });
    expect(alert.annotations.runbook_url).toBe("https://example.com/README.md#backupfailed");
    // nothing about the data backup, which succeeded, nor a missing backup
    const names = sink.received.flatMap((r) =>
      r.payload.alerts.map((a) => `${a.labels.alertname}/${a.labels.mode}`),
    );
    expect(names).not.toContain("BackupFailed/data");
    expect(names.some((n) => n.startsWith("BackupMissing/"))).toBe(false);
  });
});
