import { RECORD } from "../alert-rules";
import { JOB } from "../prometheus";
import { dashboard, upStat, type Dashboard, type PanelSpec } from "./panels";

const APP = `job="${JOB.app}"`;
const RI = "$__rate_interval";

const latency = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(http_server_requests_seconds_bucket{${APP}}[${RI}])))`;

const perMinute = (metric: string) => `sum by (instance) (rate(${metric}{${APP}}[${RI}])) * 60`;

const PANELS: PanelSpec[] = [
  upStat("Instances", JOB.app, 8),
  {
    kind: "stat",
    title: "Circuit breakers",
    description: "State of each model service's circuit breaker (worst instance).",
    unit: "none",
    width: 8,
    queries: [{ expr: `max by (service) (jairouter_circuit_breaker_state{${APP}})`, legend: "{{service}}" }],
    states: [
      { value: 0, text: "closed", color: "green" },
      { value: 1, text: "open", color: "red" },
      { value: 2, text: "half-open", color: "orange" },
    ],
  },
  {
    kind: "stat",
    title: "Model backend health",
    description: "Health of the upstream model backends as each JAiRouter instance sees them.",
    unit: "none",
    width: 8,
    queries: [{ expr: `min by (service) (jairouter_backend_health{${APP}})`, legend: "{{service}}" }],
    states: [
      { value: 0, text: "unhealthy", color: "red" },
      { value: 1, text: "healthy", color: "green" },
    ],
  },
  {
    kind: "timeseries",
    title: "HTTP request rate",
    description: "Requests per second served by each instance.",
    unit: "reqps",
    width: 12,
    queries: [
      {
        expr: `sum by (instance) (rate(http_server_requests_seconds_count{${APP}}[${RI}]))`,
        legend: "{{instance}}",
      },
    ],
  },
  {
    kind: "timeseries",
    title: "Model requests by service",
    description: "Routed model requests per second, per model service.",
    unit: "reqps",
    width: 12,
    queries: [
      { expr: `sum by (service) (rate(jairouter_requests_total{${APP}}[${RI}]))`, legend: "{{service}}" },
    ],
  },
  {
    kind: "timeseries",
    title: "Latency p50 / p95",
    description: "HTTP request duration quantiles over all instances (alert: p95 > 2 s for 5 m).",
    unit: "s",
    width: 12,
    queries: [
      { expr: latency(0.5), legend: "p50" },
      { expr: latency(0.95), legend: "p95" },
    ],
  },
  {
    kind: "timeseries",
    title: "5xx ratio",
    description: "Share of 5xx responses per instance over 5 m (alert above 5%).",
    unit: "percentunit",
    width: 12,
    queries: [{ expr: RECORD.http5xxRatio, legend: "{{instance}}" }],
  },
  {
    kind: "timeseries",
    title: "JVM heap used",
    description: "Used share of the heap pools that have a limit (alert above 80%).",
    unit: "percentunit",
    width: 12,
    queries: [{ expr: RECORD.heapUsedRatio, legend: "{{instance}}" }],
  },
  {
    kind: "timeseries",
    title: "Rate-limit rejections",
    description: "Share of requests rejected by the rate limiter over 5 m (alert above 10%).",
    unit: "percentunit",
    width: 12,
    queries: [{ expr: RECORD.rateLimitRejectedRatio, legend: "{{instance}} {{service}}" }],
  },
  {
    kind: "timeseries",
    title: "Backend calls",
    description: "Calls to upstream model backends per second, per model service.",
    unit: "reqps",
    width: 12,
    queries: [
      {
        expr: `sum by (service) (rate(jairouter_backend_calls_total{${APP}}[${RI}]))`,
        legend: "{{service}}",
      },
    ],
  },
  {
    kind: "timeseries",
    title: "Errors and security events per minute",
    description: "Application errors, security violations and authentication failures.",
    unit: "short",
    width: 12,
    queries: [
      { expr: perMinute("jairouter_errors_total"), legend: "errors {{instance}}" },
      { expr: perMinute("jairouter_security_violations_total"), legend: "violations {{instance}}" },
      {
        expr: perMinute("jairouter_security_authentication_failures_total"),
        legend: "auth failures {{instance}}",
      },
    ],
  },
  {
    kind: "timeseries",
    title: "Process CPU",
    description: "CPU used by each JVM, as a share of the host.",
    unit: "percentunit",
    width: 12,
    queries: [{ expr: `process_cpu_usage{${APP}}`, legend: "{{instance}}" }],
  },
  {
    kind: "timeseries",
    title: "GC pause (mean)",
    description: "Mean garbage-collection pause per instance (G1 target: 200 ms).",
    unit: "s",
    width: 12,
    queries: [
      {
        expr: `sum by (instance) (rate(jvm_gc_pause_seconds_sum{${APP}}[${RI}])) / sum by (instance) (rate(jvm_gc_pause_seconds_count{${APP}}[${RI}]))`,
        legend: "{{instance}}",
      },
    ],
  },
];

/** JAiRouter overview (R5.4): traffic, latency, errors, heap, rate limits, breakers, backends. */
export function overviewDashboard(): Dashboard {
  return dashboard("jairouter-overview", "JAiRouter overview", ["jairouter"], PANELS);
}
