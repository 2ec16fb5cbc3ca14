/** Every port the stack opens, in one place, so firewall rules, configs and scrape targets agree. */
export const PORTS = {
  http: 80,
  https: 443,
  ssh: 22,
  app: 8080,
  redis: 6379,
  nodeExporter: 9100,
  /** HAProxy's built-in Prometheus exporter (`/metrics`). */
  haproxyMetrics: 8404,
  /** HAProxy stats page (basic auth) / Nginx stub_status for the exporter. */
  lbStats: 8405,
  nginxExporter: 9113,
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
} as const;
