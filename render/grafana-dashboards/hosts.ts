import { RECORD } from "../alert-rules";
import { BACKUP_MAX_AGE_HOURS, BACKUP_METRICS } from "../backup";
import { JOB } from "../prometheus";
import { dashboard, upStat, type Dashboard, type PanelSpec } from "./panels";

const NODE = `job="${JOB.node}"`;
const RI = "$__rate_interval";

const PANELS: PanelSpec[] = [
  upStat("Hosts", JOB.node, 24),
  {
    kind: "timeseries",
    title: "CPU busy",
    description: "Share of CPU time not idle, per host.",
    unit: "percentunit",
    width: 12,
    queries: [
      {
        expr: `1 - avg by (instance) (rate(node_cpu_seconds_total{${NODE},mode="idle"}[${RI}]))`,
        legend: "{{instance}}",
      },
    ],
  },
  {
    kind: "timeseries",
    title: "Load (1 m)",
    description: "One-minute load average per host.",
    unit: "short",
    width: 12,
    queries: [{ expr: `node_load1{${NODE}}`, legend: "{{instance}}" }],
  },
  {
    kind: "timeseries",
    title: "Memory available",
    description: "Share of memory available (alerts below 10% and 5%).",
    unit: "percentunit",
    width: 12,
    queries: [{ expr: RECORD.memAvailRatio, legend: "{{instance}}" }],
  },
  {
    kind: "timeseries",
    title: "Disk space free",
    description: "Free share of each real filesystem (alerts below 15% and 5%).",
    unit: "percentunit",
    width: 12,
    queries: [{ expr: RECORD.fsAvailRatio, legend: "{{instance}} {{mountpoint}}" }],
  },
  {
    kind: "timeseries",
    title: "Network traffic",
    description: "Bytes per second received and sent, loopback excluded.",
    unit: "Bps",
    width: 12,
    queries: [
      {
        expr: `sum by (instance) (rate(node_network_receive_bytes_total{${NODE},device!="lo"}[${RI}]))`,
        legend: "in {{instance}}",
      },
      {
        expr: `sum by (instance) (rate(node_network_transmit_bytes_total{${NODE},device!="lo"}[${RI}]))`,
        legend: "out {{instance}}",
      },
    ],
  },
  {
    kind: "timeseries",
    title: "Disk busy",
    description: "Share of time each host's busiest disk was doing I/O.",
    unit: "percentunit",
    width: 12,
    queries: [
      {
        expr: `max by (instance) (rate(node_disk_io_time_seconds_total{${NODE}}[${RI}]))`,
        legend: "{{instance}}",
      },
    ],
  },
  {
    kind: "timeseries",
    title: "Backup age",
    description: `Time since each app and monitoring host's last successful backup, per mode (BackupMissing above ${BACKUP_MAX_AGE_HOURS} h); a saw-tooth that drops daily.`,
    unit: "s",
    width: 12,
    queries: [{ expr: `time() - ${BACKUP_METRICS.lastSuccess}{${NODE}}`, legend: "{{instance}} {{mode}}" }],
  },
  {
    kind: "stat",
    title: "Last backup run",
    description: "Outcome of each host's last backup run, per mode (BackupFailed when failed).",
    unit: "none",
    width: 12,
    queries: [{ expr: `${BACKUP_METRICS.lastRunSuccess}{${NODE}}`, legend: "{{instance}} {{mode}}" }],
    states: [
      { value: 0, text: "failed", color: "red" },
      { value: 1, text: "ok", color: "green" },
    ],
  },
];

/** Host dashboard from node-exporter on every host. */
export function hostsDashboard(): Dashboard {
  return dashboard("jairouter-hosts", "Hosts", ["jairouter", "hosts"], PANELS);
}
