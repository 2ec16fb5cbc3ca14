/** Every port the stack opens, in one place, so firewall rules, configs and scrape targets agree. */
export const PORTS = {
  http: 80,
  https: 443,
  ssh: 22,
  app: 8080,
  redis: 6379,
  nodeExporter: 9100,
  /** HAProxy's Prometheus exporter (`/metrics`) and its stats page (basic auth). */
  haproxyMetrics: 8404,
  /** Nginx stub_status, read by the exporter inside the proxy's network namespace only. */
  lbStats: 8405,
  nginxExporter: 9113,
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
} as const;
