import type { LbEngine } from "../monitoring-types";
import { lbJob } from "../prometheus";
import { dashboard, upStat, type Dashboard, type PanelSpec } from "./panels";

const RI = "$__rate_interval";

function haproxyPanels(backend: string): PanelSpec[] {
  const job = `job="${lbJob("haproxy")}"`;
  const be = `${job},proxy="${backend}"`;
  return [
    upStat("Load balancers", lbJob("haproxy"), 12),
    {
      kind: "stat",
      title: "Healthy app servers",
      description: `Servers of backend ${backend} that pass the active health check, per load balancer.`,
      unit: "none",
      width: 12,
      queries: [{ expr: `haproxy_backend_active_servers{${be}}`, legend: "{{instance}}" }],
    },
    {
      kind: "timeseries",
      title: "Request rate",
      description: "HTTP requests per second received by each load balancer.",
      unit: "reqps",
      width: 12,
      queries: [
        {
          expr: `sum by (instance) (rate(haproxy_frontend_http_requests_total{${job}}[${RI}]))`,
          legend: "{{instance}}",
        },
      ],
    },
    {
      kind: "timeseries",
      title: "Backend responses by class",
      description: "Responses from the app servers per HTTP status class.",
      unit: "reqps",
      width: 12,
      queries: [
        {
          expr: `sum by (code) (rate(haproxy_backend_http_responses_total{${be}}[${RI}]))`,
          legend: "{{code}}",
        },
      ],
    },
    {
      kind: "timeseries",
      title: "Backend response time",
      description: "Average response time of the app backend over the last 1024 requests.",
      unit: "s",
      width: 12,
      queries: [{ expr: `haproxy_backend_response_time_average_seconds{${be}}`, legend: "{{instance}}" }],
    },
    {
      kind: "timeseries",
      title: "Retries, redispatches, connection errors",
      description: "Failures HAProxy absorbed by retrying or moving a request to another server.",
      unit: "short",
      width: 12,
      queries: [
        {
          expr: `sum by (instance) (rate(haproxy_backend_retry_warnings_total{${be}}[${RI}]))`,
          legend: "retries {{instance}}",
        },
        {
          expr: `sum by (instance) (rate(haproxy_backend_redispatch_warnings_total{${be}}[${RI}]))`,
          legend: "redispatches {{instance}}",
        },
        {
          expr: `sum by (instance) (rate(haproxy_backend_connection_errors_total{${be}}[${RI}]))`,
          legend: "connection errors {{instance}}",
        },
      ],
    },
    {
      kind: "timeseries",
      title: "Current sessions",
      description: "Open client sessions per load balancer.",
      unit: "short",
      width: 24,
      queries: [
        { expr: `sum by (instance) (haproxy_frontend_current_sessions{${job}})`, legend: "{{instance}}" },
      ],
    },
  ];
}

function nginxPanels(): PanelSpec[] {
  const job = `job="${lbJob("nginx")}"`;
  return [
    upStat("Exporters", lbJob("nginx"), 12),
    {
      kind: "stat",
      title: "Nginx reachable",
      description: "Whether nginx-prometheus-exporter can read stub_status.",
      unit: "none",
      width: 12,
      queries: [{ expr: `nginx_up{${job}}`, legend: "{{instance}}" }],
      states: [
        { value: 0, text: "down", color: "red" },
        { value: 1, text: "up", color: "green" },
      ],
    },
    {
      kind: "timeseries",
      title: "Request rate",
      description: "HTTP requests per second handled by each Nginx.",
      unit: "reqps",
      width: 12,
      queries: [{ expr: `rate(nginx_http_requests_total{${job}}[${RI}])`, legend: "{{instance}}" }],
    },
    {
      kind: "timeseries",
      title: "Active connections",
      description: "Open client connections, including idle keep-alive ones.",
      unit: "short",
      width: 12,
      queries: [{ expr: `nginx_connections_active{${job}}`, legend: "{{instance}}" }],
    },
    {
      kind: "timeseries",
      title: "Connection states",
      description: "Connections reading a request, writing a response (streams included) or idle.",
      unit: "short",
      width: 12,
      queries: [
        { expr: `sum by (instance) (nginx_connections_reading{${job}})`, legend: "reading {{instance}}" },
        { expr: `sum by (instance) (nginx_connections_writing{${job}})`, legend: "writing {{instance}}" },
        { expr: `sum by (instance) (nginx_connections_waiting{${job}})`, legend: "waiting {{instance}}" },
      ],
    },
    {
      kind: "timeseries",
      title: "Dropped connections",
      description: "Accepted but not handled connections per second (worker_connections exhausted).",
      unit: "short",
      width: 12,
      queries: [
        {
          expr: `rate(nginx_connections_accepted{${job}}[${RI}]) - rate(nginx_connections_handled{${job}}[${RI}])`,
          legend: "{{instance}}",
        },
      ],
    },
  ];
}

/** Load-balancer dashboard for the stack's engine. */
export function loadBalancersDashboard(engine: LbEngine, haproxyAppBackend: string): Dashboard {
  const panels = engine === "haproxy" ? haproxyPanels(haproxyAppBackend) : nginxPanels();
  return dashboard("jairouter-loadbalancers", `Load balancers (${engine})`, ["jairouter", engine], panels);
}
