import { stringify } from "yaml";
import { BACKUP_MAX_AGE_HOURS, BACKUP_METRICS, BACKUP_MODES, BACKUP_ROLES } from "./backup";
import {
  CERT_EXPIRY_CRITICAL_DAYS,
  CERT_EXPIRY_LAST_CHECK_METRIC,
  CERT_EXPIRY_MAX_AGE_HOURS,
  CERT_EXPIRY_METRIC,
  CERT_EXPIRY_WARNING_DAYS,
} from "./cert-expiry";
import type {
  AlertName,
  MonitoringRenderInput,
  PromDuration,
  Severity,
  TargetRole,
} from "./monitoring-types";
import { JOB, lbJob } from "./prometheus";

/** What the rule files depend on. */
export type RuleRenderInput = Pick<
  MonitoringRenderInput,
  "lbEngine" | "haproxyAppBackend" | "runbookBaseUrl" | "alertFor"
>;

/** A recording rule: a precomputed series named `level:metric:operations`. */
export interface RecordingRule {
  record: string;
  expr: string;
}

/** An alerting rule, as data. */
export interface AlertRule {
  alert: AlertName;
  expr: string;
  /** How long the condition must hold before the alert fires. */
  for: PromDuration;
  severity: Severity;
  /**
   * Static `service` label, for alerts whose expression carries none (Alertmanager groups by it).
   * Unset where the series' own `service` label (the JAiRouter model service) must survive.
   */
  service?: string;
  /** One line; may use `{{ $labels.x }}`. */
  summary: string;
  /** Detail; may use `{{ $labels.x }}` and `{{ $value | humanize* }}`. */
  description: string;
}

/** A rule group: rules in one group are evaluated in order, so records precede the alerts using them. */
export interface RuleGroup {
  name: string;
  rules: (RecordingRule | AlertRule)[];
}

/** Names of the recording rules; dashboards may query them. */
export const RECORD = {
  http5xxRatio: "jairouter:http_5xx:ratio_rate5m",
  httpRequestRate: "jairouter:http_requests:rate5m",
  httpP95: "jairouter:http_request_duration_seconds:p95_rate5m",
  heapUsedRatio: "jairouter:jvm_heap_used:ratio",
  rateLimitRejectedRatio: "jairouter:rate_limit_rejected:ratio_rate5m",
  errorRate: "jairouter:errors:rate5m",
  securityViolationRate: "jairouter:security_violations:rate5m",
  authFailureRate: "jairouter:authentication_failures:rate5m",
  fsAvailRatio: "host:filesystem_avail:ratio",
  memAvailRatio: "host:memory_available:ratio",
} as const;

/** Anchor of an alert's runbook entry in docs/runbook.md: the alert name lower-cased. */
export function runbookAnchor(alert: AlertName): string {
  return alert.toLowerCase();
}

const APP = `job="${JOB.app}"`;
const BY = "instance, zone";
/** Filesystems that say nothing about disk pressure. */
const PSEUDO_FS = `fstype!~"tmpfs|devtmpfs|overlay|squashfs|nsfs|ramfs|fuse.*",mountpoint!~"/run($|/.*)"`;

function appGroup(input: RuleRenderInput): RuleGroup {
  const d = (a: AlertName, def: PromDuration): PromDuration => input.alertFor?.[a] ?? def;
  const reqs = `http_server_requests_seconds_count{${APP}}`;
  const heapUsed = `jvm_memory_used_bytes{${APP},area="heap"}`;
  const heapMax = `jvm_memory_max_bytes{${APP},area="heap"}`;
  const rl = "jairouter_rate_limit_events_total";
  return {
    name: "jairouter",
    rules: [
      { record: RECORD.httpRequestRate, expr: `sum by (${BY}) (rate(${reqs}[5m]))` },
      {
        record: RECORD.http5xxRatio,
        expr: `sum by (${BY}) (rate(http_server_requests_seconds_count{${APP},status=~"5.."}[5m])) / sum by (${BY}) (rate(${reqs}[5m]))`,
      },
      {
        // needs management.metrics.distribution.percentiles-histogram.http.server.requests=true
        record: RECORD.httpP95,
        expr: `histogram_quantile(0.95, sum by (${BY}, le) (rate(http_server_requests_seconds_bucket{${APP}}[5m])))`,
      },
      {
        // G1 pools without a limit report max -1: leave them out of both sums, or the ratio lies
        record: RECORD.heapUsedRatio,
        expr: `sum by (${BY}) (${heapUsed} and ${heapMax} > 0) / sum by (${BY}) (${heapMax} > 0)`,
      },
      {
        record: RECORD.rateLimitRejectedRatio,
        expr: `sum by (${BY}, service) (rate(${rl}{${APP},result="rejected"}[5m])) / sum by (${BY}, service) (rate(${rl}{${APP}}[5m]))`,
      },
      {
        alert: "JAiRouterInstanceDown",
        expr: `up{${APP}} == 0`,
        for: d("JAiRouterInstanceDown", "1m"),
        severity: "critical",
        service: "jairouter",
        summary: "JAiRouter instance {{ $labels.instance }} is down",
        description: `Prometheus could not scrape {{ $labels.instance }} (zone {{ $labels.zone }}) at /actuator/prometheus for ${d("JAiRouterInstanceDown", "1m")}.`,
      },
      {
        alert: "High5xxRatio",
        expr: `${RECORD.http5xxRatio} > 0.05`,
        for: d("High5xxRatio", "2m"),
        severity: "warning",
        service: "jairouter",
        summary: "JAiRouter {{ $labels.instance }}: more than 5% of responses are 5xx",
        description:
          "{{ $value | humanizePercentage }} of the HTTP responses of {{ $labels.instance }} (zone {{ $labels.zone }}) were 5xx over the last 5 minutes.",
      },
      {
        alert: "HighP95Latency",
        expr: `${RECORD.httpP95} > 2`,
        for: d("HighP95Latency", "5m"),
        severity: "warning",
        service: "jairouter",
        summary: "JAiRouter {{ $labels.instance }}: p95 latency above 2 s",
        description:
          "The 95th percentile of HTTP request duration on {{ $labels.instance }} (zone {{ $labels.zone }}) is {{ $value | humanizeDuration }}.",
      },
      {
        alert: "HighHeapUsage",
        expr: `${RECORD.heapUsedRatio} > 0.8`,
        for: d("HighHeapUsage", "5m"),
        severity: "warning",
        service: "jairouter",
        summary: "JAiRouter {{ $labels.instance }}: JVM heap above 80%",
        description:
          "Heap pools with a limit on {{ $labels.instance }} (zone {{ $labels.zone }}) are {{ $value | humanizePercentage }} full.",
      },
      {
        alert: "RateLimitRejections",
        expr: `${RECORD.rateLimitRejectedRatio} > 0.1`,
        for: d("RateLimitRejections", "2m"),
        severity: "warning",
        summary:
          "JAiRouter {{ $labels.instance }}: more than 10% of {{ $labels.service }} requests rate-limited",
        description:
          "The rate limiter of {{ $labels.instance }} rejected {{ $value | humanizePercentage }} of {{ $labels.service }} requests over the last 5 minutes.",
      },
      {
        alert: "CircuitBreakerOpen",
        expr: `jairouter_circuit_breaker_state{${APP}} == 1`,
        for: d("CircuitBreakerOpen", "1m"),
        severity: "critical",
        summary: "JAiRouter {{ $labels.instance }}: circuit breaker open for {{ $labels.service }}",
        description:
          "The circuit breaker of {{ $labels.service }} on {{ $labels.instance }} has been open: calls to that model backend are refused.",
      },
    ],
  };
}

/** R7.3: error and security signals, from counters (the log-derived names of the guide do not exist). */
function securityGroup(input: RuleRenderInput): RuleGroup {
  const d = (a: AlertName, def: PromDuration): PromDuration => input.alertFor?.[a] ?? def;
  const rate = (m: string) => `sum by (${BY}) (rate(${m}{${APP}}[5m]))`;
  return {
    name: "jairouter-security",
    rules: [
      { record: RECORD.errorRate, expr: rate("jairouter_errors_total") },
      { record: RECORD.securityViolationRate, expr: rate("jairouter_security_violations_total") },
      { record: RECORD.authFailureRate, expr: rate("jairouter_security_authentication_failures_total") },
      {
        alert: "HighErrorRate",
        expr: `${RECORD.errorRate} * 60 > 10`,
        for: d("HighErrorRate", "2m"),
        severity: "warning",
        service: "jairouter",
        summary: "JAiRouter {{ $labels.instance }}: more than 10 errors per minute",
        description:
          "{{ $labels.instance }} (zone {{ $labels.zone }}) records {{ $value | humanize }} errors per minute.",
      },
      {
        alert: "SecurityViolations",
        expr: `${RECORD.securityViolationRate} * 60 > 5`,
        for: d("SecurityViolations", "1m"),
        severity: "critical",
        service: "jairouter",
        summary: "JAiRouter {{ $labels.instance }}: security violations",
        description:
          "{{ $labels.instance }} (zone {{ $labels.zone }}) records {{ $value | humanize }} security violations per minute; see the audit log.",
      },
      {
        alert: "AuthenticationFailures",
        expr: `${RECORD.authFailureRate} * 60 > 20`,
        for: d("AuthenticationFailures", "1m"),
        severity: "warning",
        service: "jairouter",
        summary: "JAiRouter {{ $labels.instance }}: many authentication failures",
        description:
          "{{ $labels.instance }} (zone {{ $labels.zone }}) rejects {{ $value | humanize }} API keys or JWTs per minute.",
      },
    ],
  };
}

/** Per-engine signals: HAProxy sees its backends; open-source Nginx has no active health check. */
function lbExpressions(input: RuleRenderInput): { down: string; allDown: string; noBackend: string } {
  const job = `job="${lbJob(input.lbEngine)}"`;
  if (input.lbEngine === "haproxy") {
    return {
      down: `up{${job}} == 0`,
      allDown: `absent(up{${job}} == 1)`,
      noBackend: `haproxy_backend_active_servers{${job},proxy="${input.haproxyAppBackend}"} == 0`,
    };
  }
  return {
    // the exporter may be up while it cannot read stub_status: nginx_up says so
    down: `up{${job}} == 0 or nginx_up{${job}} == 0`,
    allDown: `absent(up{${job}} == 1 and on (instance) nginx_up{${job}} == 1)`,
    noBackend: `absent(up{${APP}} == 1)`,
  };
}

function lbGroup(input: RuleRenderInput): RuleGroup {
  const d = (a: AlertName, def: PromDuration): PromDuration => input.alertFor?.[a] ?? def;
  const e = lbExpressions(input);
  const backendDescription =
    input.lbEngine === "haproxy"
      ? `HAProxy on {{ $labels.instance }} has no server up in backend ${input.haproxyAppBackend}: every request fails.`
      : "No JAiRouter instance answers Prometheus, so Nginx has no working upstream (Nginx OSS has no active health check; this is judged from the app scrapes).";
  return {
    name: "loadbalancer",
    rules: [
      {
        alert: "LoadBalancerDown",
        expr: e.down,
        for: d("LoadBalancerDown", "1m"),
        severity: "warning",
        service: "loadbalancer",
        summary: "Load balancer {{ $labels.instance }} is down",
        description:
          "The load balancer on {{ $labels.instance }} (zone {{ $labels.zone }}) or its exporter does not answer; its pair partner carries the traffic.",
      },
      {
        alert: "LoadBalancerDown",
        expr: e.allDown,
        for: d("LoadBalancerDown", "1m"),
        severity: "critical",
        service: "loadbalancer",
        summary: "No load balancer is up",
        description: "Neither load balancer of the pair answers: the service is unreachable.",
      },
      {
        alert: "LoadBalancerNoHealthyBackend",
        expr: e.noBackend,
        for: d("LoadBalancerNoHealthyBackend", "1m"),
        severity: "critical",
        service: "loadbalancer",
        summary: "Load balancer has no healthy JAiRouter backend",
        description: backendDescription,
      },
    ],
  };
}

function hostGroup(input: RuleRenderInput): RuleGroup {
  const d = (a: AlertName, def: PromDuration): PromDuration => input.alertFor?.[a] ?? def;
  const node = `job="${JOB.node}"`;
  // thresholds in whole percent: 0.15 * 100 is not 15 in floating point
  const disk = (severity: Severity, belowPct: number, forDefault: PromDuration): AlertRule => ({
    alert: "HostDiskPressure",
    expr: `${RECORD.fsAvailRatio} < ${belowPct / 100}`,
    for: d("HostDiskPressure", forDefault),
    severity,
    service: "host",
    summary: `Host {{ $labels.instance }}: less than ${belowPct}% free on {{ $labels.mountpoint }}`,
    description:
      "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free.",
  });
  const memory = (severity: Severity, belowPct: number, forDefault: PromDuration): AlertRule => ({
    alert: "HostMemoryPressure",
    expr: `${RECORD.memAvailRatio} < ${belowPct / 100}`,
    for: d("HostMemoryPressure", forDefault),
    severity,
    service: "host",
    summary: `Host {{ $labels.instance }}: less than ${belowPct}% memory available`,
    description:
      "{{ $labels.instance }} (role {{ $labels.role }}) has {{ $value | humanizePercentage }} of its memory available.",
  });
  return {
    name: "hosts",
    rules: [
      {
        record: RECORD.fsAvailRatio,
        expr: `node_filesystem_avail_bytes{${node},${PSEUDO_FS}} / node_filesystem_size_bytes{${node},${PSEUDO_FS}}`,
      },
      {
        record: RECORD.memAvailRatio,
        expr: `node_memory_MemAvailable_bytes{${node}} / node_memory_MemTotal_bytes{${node}}`,
      },
      {
        alert: "HostExporterDown",
        expr: `up{${node}} == 0`,
        for: d("HostExporterDown", "2m"),
        severity: "warning",
        service: "host",
        summary: "Host {{ $labels.instance }} does not answer",
        description:
          "node-exporter on {{ $labels.instance }} (role {{ $labels.role }}, zone {{ $labels.zone }}) cannot be scraped.",
      },
      disk("warning", 15, "5m"),
      disk("critical", 5, "2m"),
      memory("warning", 10, "5m"),
      memory("critical", 5, "2m"),
    ],
  };
}

function monitoringGroup(input: RuleRenderInput): RuleGroup {
  const jobs = [JOB.prometheus, JOB.alertmanager, JOB.grafana].join("|");
  return {
    name: "monitoring",
    rules: [
      {
        alert: "MonitoringTargetDown",
        expr: `up{job=~"${jobs}"} == 0`,
        for: input.alertFor?.MonitoringTargetDown ?? "2m",
        severity: "warning",
        service: "monitoring",
        summary: "{{ $labels.job }} on {{ $labels.instance }} is down",
        description: "Prometheus cannot scrape {{ $labels.job }} on {{ $labels.instance }}.",
      },
    ],
  };
}

/**
 * R8: backups that fail or stop, from the gauges the backup script leaves for node-exporter's
 * textfile collector (render/backup.ts). Only hosts of a role that backs up are expected to report.
 */
function backupGroup(input: RuleRenderInput): RuleGroup {
  const node = `job="${JOB.node}"`;
  const success = `${BACKUP_METRICS.lastSuccess}{${node}}`;
  const window = `${BACKUP_MAX_AGE_HOURS}h`;
  // A host that should report: node-exporter answers now and already answered a window ago (a
  // new host or a new Prometheus gets one window of grace), once per mode ...
  const expected = (mode: string) =>
    `label_replace(up{${node},role=~"${BACKUP_ROLES.join("|")}"} == 1 and on (instance) up{${node}} offset ${window}, "mode", "${mode}", "", "")`;
  // ... without a success sample in that window (a replaced host, same name, inherits its
  // predecessor's samples until they are a window old).
  const neverReported = BACKUP_MODES.map(
    (mode) => `(${expected(mode)} unless on (instance, mode) last_over_time(${success}[${window}]))`,
  );
  const stale = `time() - ${success} > ${BACKUP_MAX_AGE_HOURS * 3600}`;
  return {
    name: "backups",
    rules: [
      {
        alert: "BackupFailed",
        expr: `${BACKUP_METRICS.lastRunSuccess}{${node}} == 0`,
        for: input.alertFor?.BackupFailed ?? "5m",
        severity: "warning",
        service: "backup",
        summary: "Host {{ $labels.instance }}: the last {{ $labels.mode }} backup failed",
        description:
          "The last {{ $labels.mode }} backup run on {{ $labels.instance }} (role {{ $labels.role }}) exited non-zero; the previous backups are still in S3.",
      },
      {
        alert: "BackupMissing",
        expr: [stale, ...neverReported].join(" or "),
        for: input.alertFor?.BackupMissing ?? "5m",
        severity: "warning",
        service: "backup",
        summary: `Host {{ $labels.instance }}: no successful {{ $labels.mode }} backup for ${BACKUP_MAX_AGE_HOURS} h`,
        description: `{{ $labels.instance }} (role {{ $labels.role }}) has reported no successful {{ $labels.mode }} backup for more than ${BACKUP_MAX_AGE_HOURS} h: the timer does not run, every run fails, or node-exporter cannot read the backup metrics.`,
      },
    ],
  };
}

/** The hosts that serve TLS and publish the certificate-expiry gauge (components/load-balancer-pair.ts). */
const PROXY_ROLE: TargetRole = "loadbalancer";

/**
 * The served certificate chain expiring, from the gauge the proxy hosts publish (render/cert-expiry.ts):
 * a warning three weeks ahead, critical one week ahead (and once expired). The self-signed
 * certificate renews only on a `pulumi up` in its last 30 days (docs/runbook.md). And that gauge
 * going stale or missing, which would otherwise silence the expiry alert.
 */
function tlsGroup(input: RuleRenderInput): RuleGroup {
  const node = `job="${JOB.node}"`;
  const left = `${CERT_EXPIRY_METRIC}{${node}} - time()`;
  const window = `${CERT_EXPIRY_MAX_AGE_HOURS}h`;
  // The script ran, but not for a window: the timer stopped, or every run since failed (a failed
  // run leaves the previous file, and its old expiry, in place).
  const stale = `time() - ${CERT_EXPIRY_LAST_CHECK_METRIC}{${node}} > ${CERT_EXPIRY_MAX_AGE_HOURS * 3600}`;
  // A proxy host whose node-exporter answers now and a window ago (a new host or a new Prometheus
  // gets one window of grace), without a leaf gauge in that window: the script never ran, its file
  // is gone, or node-exporter cannot read it.
  const expected = `up{${node},role="${PROXY_ROLE}"} == 1 and on (instance) up{${node}} offset ${window}`;
  const neverReported = `(${expected}) unless on (instance) last_over_time(${CERT_EXPIRY_METRIC}{${node},certificate="leaf"}[${window}])`;
  const rule = (severity: Severity, days: number): AlertRule => ({
    alert: "TlsCertificateExpiresSoon",
    expr: `${left} < ${days * 86400}`,
    for: input.alertFor?.TlsCertificateExpiresSoon ?? "15m",
    severity,
    service: "tls",
    summary: `Host {{ $labels.instance }}: the {{ $labels.certificate }} TLS certificate expires within ${days} days`,
    description:
      "The {{ $labels.certificate }} certificate served by the proxy on {{ $labels.instance }} (zone {{ $labels.zone }}) expires in {{ $value | humanizeDuration }}: renew it (runbook).",
  });
  return {
    name: "tls",
    rules: [
      rule("warning", CERT_EXPIRY_WARNING_DAYS),
      rule("critical", CERT_EXPIRY_CRITICAL_DAYS),
      {
        alert: "TlsCertificateExpiryUnknown",
        expr: `${stale} or (${neverReported})`,
        for: input.alertFor?.TlsCertificateExpiryUnknown ?? "5m",
        severity: "warning",
        service: "tls",
        summary: `Host {{ $labels.instance }}: TLS certificate expiry not checked for ${CERT_EXPIRY_MAX_AGE_HOURS} h`,
        description: `{{ $labels.instance }} (zone {{ $labels.zone }}) has published no fresh TLS certificate expiry for more than ${CERT_EXPIRY_MAX_AGE_HOURS} h: jairouter-cert-expiry.timer does not run, the script fails, or node-exporter cannot read its file. Until it does, TlsCertificateExpiresSoon cannot fire for this host.`,
      },
    ],
  };
}

/** Every rule group, as data (R5.2, R7.3, R8). */
export function ruleGroups(input: RuleRenderInput): RuleGroup[] {
  return [
    appGroup(input),
    securityGroup(input),
    lbGroup(input),
    hostGroup(input),
    monitoringGroup(input),
    backupGroup(input),
    tlsGroup(input),
  ];
}

/** True for alerting rules. */
export function isAlertRule(rule: RecordingRule | AlertRule): rule is AlertRule {
  return "alert" in rule;
}

function toYamlRule(rule: RecordingRule | AlertRule, runbookBaseUrl: string): object {
  if (!isAlertRule(rule)) return { record: rule.record, expr: rule.expr };
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    labels: { severity: rule.severity, ...(rule.service === undefined ? {} : { service: rule.service }) },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: `${runbookBaseUrl}#${runbookAnchor(rule.alert)}`,
    },
  };
}

/** Renders the rule file (recording and alerting rules) loaded by prometheus.yml. */
export function renderAlertRules(input: RuleRenderInput): string {
  const groups = ruleGroups(input).map((g) => ({
    name: g.name,
    rules: g.rules.map((r) => toYamlRule(r, input.runbookBaseUrl)),
  }));
  return stringify({ groups }, { lineWidth: 0 });
}
