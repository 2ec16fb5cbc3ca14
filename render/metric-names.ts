/**
 * The metric names that really exist in this stack, and a small PromQL scanner that finds the
 * metric names an expression uses. Rules and dashboards are checked against this list, so an
 * expression on a name nobody exports (the guide's `jairouter_ratelimit_rejected_total`...) fails
 * a test instead of being an alert that can never fire.
 */

/** JAiRouter's own meters (jairouter-facts.md; none is a histogram). */
export const JAIROUTER_METRICS = [
  "jairouter_requests_total",
  "jairouter_request_duration_seconds_count",
  "jairouter_request_duration_seconds_sum",
  "jairouter_request_duration_seconds_max",
  "jairouter_backend_calls_total",
  "jairouter_backend_health",
  "jairouter_rate_limit_events_total",
  "jairouter_circuit_breaker_state",
  "jairouter_loadbalancer_selections_total",
  "jairouter_errors_total",
  "jairouter_security_authentication_failures_total",
  "jairouter_security_violations_total",
  "jairouter_audit_events_total",
] as const;

/** Spring/Micrometer HTTP server and JVM meters. `_bucket` exists because the app tier enables the histogram. */
export const SPRING_JVM_METRICS = [
  "http_server_requests_seconds_count",
  "http_server_requests_seconds_sum",
  "http_server_requests_seconds_max",
  "http_server_requests_seconds_bucket",
  "jvm_memory_used_bytes",
  "jvm_memory_max_bytes",
  "process_cpu_usage",
  "jvm_gc_pause_seconds_count",
  "jvm_gc_pause_seconds_sum",
  "jvm_gc_pause_seconds_max",
] as const;

/** HAProxy's built-in exporter (addons/promex README), the part this stack uses or may chart. */
export const HAPROXY_METRICS = [
  "haproxy_process_uptime_seconds",
  "haproxy_process_current_connections",
  "haproxy_process_requests_total",
  "haproxy_frontend_current_sessions",
  "haproxy_frontend_sessions_total",
  "haproxy_frontend_bytes_in_total",
  "haproxy_frontend_bytes_out_total",
  "haproxy_frontend_http_requests_total",
  "haproxy_frontend_http_responses_total",
  "haproxy_frontend_request_errors_total",
  "haproxy_frontend_requests_denied_total",
  "haproxy_frontend_status",
  "haproxy_backend_status",
  "haproxy_backend_active_servers",
  "haproxy_backend_backup_servers",
  "haproxy_backend_current_queue",
  "haproxy_backend_current_sessions",
  "haproxy_backend_http_requests_total",
  "haproxy_backend_http_responses_total",
  "haproxy_backend_connection_errors_total",
  "haproxy_backend_response_errors_total",
  "haproxy_backend_retry_warnings_total",
  "haproxy_backend_redispatch_warnings_total",
  "haproxy_backend_response_time_average_seconds",
  "haproxy_backend_queue_time_average_seconds",
  "haproxy_server_status",
  "haproxy_server_check_failures_total",
  "haproxy_server_current_sessions",
  "haproxy_server_response_time_average_seconds",
] as const;

/** nginx-prometheus-exporter over stub_status. */
export const NGINX_EXPORTER_METRICS = [
  "nginx_up",
  "nginx_connections_accepted",
  "nginx_connections_active",
  "nginx_connections_handled",
  "nginx_connections_reading",
  "nginx_connections_waiting",
  "nginx_connections_writing",
  "nginx_http_requests_total",
  "nginxexporter_build_info",
] as const;

/** node-exporter, default collectors. */
export const NODE_EXPORTER_METRICS = [
  "node_cpu_seconds_total",
  "node_load1",
  "node_load5",
  "node_load15",
  "node_memory_MemAvailable_bytes",
  "node_memory_MemTotal_bytes",
  "node_filesystem_avail_bytes",
  "node_filesystem_size_bytes",
  "node_filesystem_readonly",
  "node_disk_read_bytes_total",
  "node_disk_written_bytes_total",
  "node_disk_io_time_seconds_total",
  "node_network_receive_bytes_total",
  "node_network_transmit_bytes_total",
  "node_boot_time_seconds",
  "node_time_seconds",
] as const;

/**
 * Written into the directory of node-exporter's textfile collector, which the node-exporter on every
 * host exports: by the backup script (render/backup.ts, BACKUP_METRICS; labelled `mode`) and, on
 * the proxy hosts, by the certificate-expiry script (render/cert-expiry.ts; the expiry labelled
 * `certificate`).
 */
export const NODE_TEXTFILE_METRICS = [
  "jairouter_backup_last_success_timestamp_seconds",
  "jairouter_backup_last_run_timestamp_seconds",
  "jairouter_backup_last_run_success",
  "jairouter_backup_last_size_bytes",
  "jairouter_tls_certificate_expiry_timestamp_seconds",
  "jairouter_tls_certificate_expiry_last_check_timestamp_seconds",
] as const;

/** Prometheus, Alertmanager and Grafana about themselves, and Prometheus' per-target series. */
export const MONITORING_SELF_METRICS = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "prometheus_build_info",
  "prometheus_config_last_reload_successful",
  "prometheus_rule_evaluation_failures_total",
  "prometheus_notifications_dropped_total",
  "prometheus_notifications_errors_total",
  "prometheus_tsdb_head_series",
  "alertmanager_build_info",
  "alertmanager_config_last_reload_successful",
  "alertmanager_notifications_total",
  "alertmanager_notifications_failed_total",
  "grafana_build_info",
] as const;

/** Every metric name a rule or dashboard may use. */
export const KNOWN_METRIC_NAMES: ReadonlySet<string> = new Set<string>([
  ...JAIROUTER_METRICS,
  ...SPRING_JVM_METRICS,
  ...HAPROXY_METRICS,
  ...NGINX_EXPORTER_METRICS,
  ...NODE_EXPORTER_METRICS,
  ...NODE_TEXTFILE_METRICS,
  ...MONITORING_SELF_METRICS,
]);

/** PromQL words that look like identifiers but are not series names. */
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "atan2",
  "inf",
  "nan",
]);

/** Clauses whose parenthesised list holds label names, not series. */
const LABEL_LIST = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;

/**
 * Metric names (and recording-rule names) an expression selects, in order of first use. Strings,
 * label matchers, ranges, label lists, functions, keywords, numbers and `$variables` are skipped.
 * A `{__name__=...}` selector yields its exact name; a regex on `__name__` cannot be checked and throws.
 */
export function extractMetricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  let s = expr;
  if (/__name__\s*(=~|!~|!=)/.test(s)) throw new Error(`cannot check a regex on __name__: ${expr}`);
  for (const m of s.matchAll(/__name__\s*=\s*"([^"]*)"/g)) add(m[1] ?? "");
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
  s = s.replace(LABEL_LIST, " ");
  // numbers and durations first, so the `m` of `5m` or the `e` of `1e3` is not read as a name
  const token = /(\$\{?[A-Za-z0-9_]+\}?)|([0-9][0-9A-Za-z_.]*)|([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g;
  for (const m of s.matchAll(token)) {
    const ident = m[3];
    if (ident === undefined || m[4] !== undefined || KEYWORDS.has(ident.toLowerCase())) continue;
    add(ident);
  }
  return names;
}

/**
 * Names used by `expr` that neither exist in the stack nor are one of `recorded` (recording rules
 * defined by this project). Empty when the expression is sound.
 */
export function unknownMetricNames(expr: string, recorded: Iterable<string> = []): string[] {
  const ours = new Set(recorded);
  return extractMetricNames(expr).filter((n) => !KNOWN_METRIC_NAMES.has(n) && !ours.has(n));
}
