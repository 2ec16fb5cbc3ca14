/**
 * Input types of the monitoring renderers (prometheus.yml, rule files, alertmanager.yml, Grafana
 * provisioning). Plain data only: callers resolve Pulumi Outputs before calling a renderer.
 */

/** A Prometheus duration such as `30s`, `5m`, `1h`. */
export type PromDuration = `${number}${"ms" | "s" | "m" | "h" | "d"}`;

/** Which load-balancer software a stack runs (R1.2); decides the LB exporter and its metrics. */
export type LbEngine = "haproxy" | "nginx";

/** Alert severities; Alertmanager routes on them (R5.3). */
export type Severity = "critical" | "warning";

/** Role of a scrape target's host; becomes the `role` label. */
export type TargetRole = "app" | "loadbalancer" | "monitoring" | "redis";

/** One scrape endpoint. */
export interface ScrapeTarget {
  /** `host:port` Prometheus connects to (private address in the VPC). */
  address: string;
  /** Value of the `instance` label: a stable host name, not the address, so dashboards survive re-IP. */
  instance: string;
  /** Value of the `role` label. */
  role: TargetRole;
  /** Availability zone of the host; value of the `zone` label. */
  zone: string;
}

/** Names of every alert the rule files define (two severities may share one name). */
export const ALERT_NAMES = [
  "JAiRouterInstanceDown",
  "High5xxRatio",
  "HighP95Latency",
  "HighHeapUsage",
  "RateLimitRejections",
  "CircuitBreakerOpen",
  "HighErrorRate",
  "SecurityViolations",
  "AuthenticationFailures",
  "LoadBalancerDown",
  "LoadBalancerNoHealthyBackend",
  "HostExporterDown",
  "HostDiskPressure",
  "HostMemoryPressure",
  "MonitoringTargetDown",
  "BackupFailed",
  "BackupMissing",
  "TlsCertificateExpiresSoon",
  "TlsCertificateExpiryUnknown",
] as const;

/** One alert name. */
export type AlertName = (typeof ALERT_NAMES)[number];

/** Everything prometheus.yml and the rule files depend on. */
export interface MonitoringRenderInput {
  /** Cluster name; external label `cluster` on every series and alert (Alertmanager groups by it). */
  cluster: string;
  /** Environment (stack) name, e.g. `prod`; external label `environment`. */
  environment: string;
  /** Default scrape interval for every job except the app, in seconds. */
  scrapeIntervalSeconds: number;
  /** Scrape interval of the JAiRouter job, in seconds (R5.1 asks for 10). */
  appScrapeIntervalSeconds: number;
  /** Rule evaluation interval, in seconds. */
  evaluationIntervalSeconds: number;
  /** JAiRouter instances, scraped at `/actuator/prometheus` (address is `host:8080`). */
  appTargets: ScrapeTarget[];
  /** Load-balancer software of this stack. */
  lbEngine: LbEngine;
  /**
   * Load-balancer exporters: HAProxy's built-in exporter (`host:8404`, `/metrics`) or
   * nginx-prometheus-exporter (`host:9113`, `/metrics`).
   */
  lbTargets: ScrapeTarget[];
  /**
   * Name of the HAProxy backend that holds the app servers (the `proxy` label of
   * `haproxy_backend_active_servers`). Ignored for Nginx.
   */
  haproxyAppBackend: string;
  /** node-exporter on every host (`host:9100`). */
  nodeTargets: ScrapeTarget[];
  /** The monitoring stack's own endpoints, scraped at `/metrics`. */
  self: {
    /** Prometheus itself (`host:9090`). */
    prometheus: ScrapeTarget;
    /** Alertmanager (`host:9093`); also where Prometheus sends alerts. */
    alertmanager: ScrapeTarget;
    /** Grafana (`host:3000`). */
    grafana: ScrapeTarget;
  };
  /** Rule file paths as Prometheus sees them (absolute, or relative to prometheus.yml). */
  ruleFiles: string[];
  /** The runbook (docs/runbook.md); every alert's `runbook_url` is `${runbookBaseUrl}#<alert name lower-cased>`. */
  runbookBaseUrl: string;
  /**
   * Overrides of `for:` durations per alert name (applies to every severity of that name). Only for
   * tests that need alerts within seconds; production leaves it unset.
   */
  alertFor?: Partial<Record<AlertName, PromDuration>>;
}

/** SMTP settings of the email receiver. */
export interface EmailReceiver {
  /** Recipient addresses. */
  to: string[];
  /** Sender address. */
  from: string;
  /** SMTP server `host:port`. */
  smarthost: string;
  /** SMTP user, when the server needs authentication. */
  authUsername?: string;
  /** SMTP password as a plain value: the rendered file is secret, the caller keeps it so. */
  authPassword?: string;
  /** Require STARTTLS. */
  requireTls: boolean;
  /** Severities mailed. */
  severities: Severity[];
}

/** A webhook receiver (chat bridge, incident tool...). */
export interface WebhookReceiver {
  /** Short name, for humans; unique. */
  name: string;
  /** URL Alertmanager POSTs to. */
  url: string;
  /** Also notify when the alert resolves (R5.3 wants it; default true). */
  sendResolved?: boolean;
  /** Severities posted to this webhook. */
  severities: Severity[];
}

/** Everything alertmanager.yml depends on. */
export interface AlertmanagerRenderInput {
  /** Cluster name, shown in the email subject. */
  cluster: string;
  /** Email receiver, if any. */
  email?: EmailReceiver;
  /** Webhook receivers. */
  webhooks: WebhookReceiver[];
  /** Notification timings; defaults suit production. */
  timing?: Partial<AlertmanagerTiming>;
}

/** Alertmanager grouping and repeat timings, in seconds. */
export interface AlertmanagerTiming {
  /** Wait before the first notification of a new group. */
  groupWaitSeconds: number;
  /** Wait before notifying about new alerts added to a group already notified. */
  groupIntervalSeconds: number;
  /** Re-notify interval of a still-firing critical group. */
  criticalRepeatSeconds: number;
  /** Re-notify interval of a still-firing warning group. */
  warningRepeatSeconds: number;
}

/** Everything the Grafana provisioning files depend on. */
export interface GrafanaRenderInput {
  /** URL Grafana's server reaches Prometheus at, e.g. `http://10.0.3.10:9090`. */
  prometheusUrl: string;
  /** Load-balancer software; decides the load-balancer dashboard's queries. */
  lbEngine: LbEngine;
  /** HAProxy backend holding the app servers (see MonitoringRenderInput.haproxyAppBackend). */
  haproxyAppBackend: string;
  /** Directory (inside the Grafana container) the dashboard JSON files are mounted at. */
  dashboardsPath: string;
  /** App scrape interval in seconds: Grafana's minimum step for the datasource. */
  appScrapeIntervalSeconds: number;
}
