/**
 * Stub scrape targets (Prometheus text format, real metric names) and a webhook sink that records
 * what Alertmanager posts. Plain node:http servers on loopback addresses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A scrape target whose exposition can change while Prometheus scrapes it. */
export interface MetricsStub {
  /** `host:port`, for the scrape config. */
  address: string;
  /** Replaces the exposition served from now on. */
  set(text: string): void;
  /** Stops answering: closes the listener and the keep-alive connections Prometheus holds. */
  close(): Promise<void>;
}

/** What Alertmanager's webhook integration posts (the fields the tests read). */
export interface WebhookPayload {
  receiver: string;
  status: "firing" | "resolved";
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** A webhook receiver that keeps every payload with the path it was posted to. */
export interface WebhookSink {
  received: { path: string; payload: WebhookPayload }[];
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Serves `text` at `path` on host:port in the Prometheus text format. */
export async function startMetricsStub(
  host: string,
  port: number,
  path: string,
  text: string,
): Promise<MetricsStub> {
  let body = text;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(body);
  });
  await listen(server, host, port);
  let closed = false;
  return {
    address: `${host}:${port}`,
    set: (t) => {
      body = t;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await shut(server);
    },
  };
}

/** Records JSON posted to any path on host:port. */
export async function startWebhookSink(host: string, port: number): Promise<WebhookSink> {
  const received: WebhookSink["received"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        received.push({
          path: req.url ?? "",
          payload: JSON.parse(Buffer.concat(chunks).toString("utf8")) as WebhookPayload,
        });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await listen(server, host, port);
  return { received, close: () => shut(server) };
}

/** One metric family in the text format. */
function family(name: string, type: "gauge" | "counter", samples: [string, number][]): string {
  const lines = samples.map(([labels, v]) => `${name}${labels} ${v}`);
  return [`# HELP ${name} ${name}`, `# TYPE ${name} ${type}`, ...lines].join("\n");
}

/** What JAiRouter's /actuator/prometheus shows, reduced to a few real series. */
export function jairouterExposition(state: { circuitBreakerChat: number }): string {
  return `${[
    family("jairouter_circuit_breaker_state", "gauge", [
      ['{service="chat"}', state.circuitBreakerChat],
      ['{service="embedding"}', 0],
    ]),
    family("jairouter_backend_health", "gauge", [['{service="chat"}', 1]]),
    family("jairouter_requests_total", "counter", [['{service="chat",method="POST",status="200"}', 42]]),
    family("jvm_memory_used_bytes", "gauge", [
      ['{area="heap",id="G1 Old Gen"}', 100e6],
      ['{area="heap",id="G1 Eden Space"}', 50e6],
    ]),
    family("jvm_memory_max_bytes", "gauge", [
      ['{area="heap",id="G1 Old Gen"}', 1e9],
      ['{area="heap",id="G1 Eden Space"}', -1],
    ]),
  ].join("\n")}\n`;
}

/** HAProxy's exporter with the app backend healthy. */
export function haproxyExposition(backend: string): string {
  return `${family("haproxy_backend_active_servers", "gauge", [[`{proxy="${backend}"}`, 2]])}\n`;
}

/**
 * node-exporter: plenty of memory, `rootFreeRatio` of the root filesystem free and, with
 * `configBackupOk`, the gauges its textfile collector exports from the backup script's files
 * (both modes succeeded an hour ago; the last config run's outcome as given).
 */
export function nodeExposition(state: { rootFreeRatio: number; configBackupOk?: 0 | 1 }): string {
  const root = '{device="/dev/nvme1n1",fstype="ext4",mountpoint="/"}';
  const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
  const backups =
    state.configBackupOk === undefined
      ? []
      : [
          family("jairouter_backup_last_success_timestamp_seconds", "gauge", [
            ['{mode="config"}', anHourAgo],
            ['{mode="data"}', anHourAgo],
          ]),
          family("jairouter_backup_last_run_success", "gauge", [
            ['{mode="config"}', state.configBackupOk],
            ['{mode="data"}', 1],
          ]),
        ];
  return `${[
    family("node_memory_MemAvailable_bytes", "gauge", [["", 6e9]]),
    family("node_memory_MemTotal_bytes", "gauge", [["", 8e9]]),
    family("node_filesystem_avail_bytes", "gauge", [[root, state.rootFreeRatio * 100e9]]),
    family("node_filesystem_size_bytes", "gauge", [[root, 100e9]]),
    ...backups,
  ].join("\n")}\n`;
}

/** Grafana's /metrics, reduced to its build info. */
export function grafanaExposition(): string {
  return `${family("grafana_build_info", "gauge", [['{version="11.0.0"}', 1]])}\n`;
}
