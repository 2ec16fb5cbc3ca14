// Backup and restore (R8): the scripts, systemd units and env file placed on app and monitoring
// hosts. Pure: plain values in, file text out; the deployment, the synth and the tests use the same
// bytes.
//
// What a backup holds (BACKUP_PLAN) and why:
// - app, config (02:00): /data/jairouter/config (the rendered application.yml, logback, model seed)
//   and /data/jairouter/data, the H2 database that holds the live configuration (the guide's
//   script missed it). JAiRouter's H2 is embedded in the JVM and reachable only through the app
//   (no TCP server, no admin endpoint for `BACKUP TO`), so the copy is made while the container is
//   paused (`docker pause`: the cgroup freezer). A frozen process writes nothing, so the copy is the
//   state of a crash at that instant, which H2's MVStore is built to reopen (it appends chunks and
//   finds the last complete one). The pause lasts as long as a local `cp` of a few MB (bounded by
//   PAUSE_TIMEOUT); stopping the app instead would cost its 1-3 minute start and a health flap.
// - app, data (03:00): the H2 database again, and log files changed in the last 7 days.
// - monitoring, config: Grafana's and Alertmanager's state (users, preferences, silences), each
//   copied while its container is paused. Their configuration files are rendered by the stack and
//   come back with `pulumi up`.
// - monitoring, data: Prometheus through its snapshot API (a consistent, hard-linked TSDB copy),
//   plus Grafana and Alertmanager as above.
//
// Every run, failed or not, leaves its outcome for node-exporter's textfile collector
// (BACKUP_METRICS, one `.prom` file per mode, written atomically); the BackupFailed and
// BackupMissing alerts of render/alert-rules.ts read it.
import { JAIROUTER_UID, NODE_EXPORTER_TEXTFILE_DIR } from "./host-types";
import {
  ACTIVATE_TEMPLATE,
  BACKUP_TEMPLATE,
  COMMON_TEMPLATE,
  RESTORE_TEMPLATE,
} from "./scripts/backup-scripts";

export type BackupRole = "app" | "monitoring";
/** Roles whose hosts back up (load balancers hold nothing the stack cannot render again). */
export const BACKUP_ROLES: readonly BackupRole[] = ["app", "monitoring"];
export type BackupMode = "config" | "data";
export const BACKUP_MODES: readonly BackupMode[] = ["config", "data"];

/**
 * Gauges the backup script writes after every run, labelled `mode` (node-exporter adds the host's
 * job, instance, role and zone when Prometheus scrapes it).
 */
export const BACKUP_METRICS = {
  /** Unix time the last successful run finished; kept as it was when a run fails. */
  lastSuccess: "jairouter_backup_last_success_timestamp_seconds",
  /** Unix time the last run finished, successful or not. */
  lastRun: "jairouter_backup_last_run_timestamp_seconds",
  /** 1 when the last run succeeded, 0 when it failed. */
  lastRunSuccess: "jairouter_backup_last_run_success",
  /** Size in bytes of the archive of the last successful run; kept as it was when a run fails. */
  lastSize: "jairouter_backup_last_size_bytes",
} as const;

/** The textfile collector file of a mode, in the metrics directory. */
export function backupMetricsFile(mode: BackupMode): string {
  return `jairouter-backup-${mode}.prom`;
}

/**
 * Hours without a successful backup of a mode before BackupMissing fires: one daily run (24 h), its
 * random delay (5 min) and the run itself (minutes; up to an hour waiting for the lock), with margin.
 * Also the grace a new or replaced host gets before its first report is missed.
 */
export const BACKUP_MAX_AGE_HOURS = 26;

/** How an item is captured. */
export type BackupKind = "copy" | "paused-copy" | "recent-logs" | "prometheus-snapshot";

/** One directory of a backup. */
export interface BackupItem {
  kind: BackupKind;
  /** Directory relative to the data root, e.g. `jairouter/data`. */
  path: string;
  /** Container that writes it: paused for `paused-copy`, stopped during a restore. */
  container: string;
  /** Owner (UID and GID) the restore gives it: the container's user. */
  uid: number;
}

/** UIDs of the monitoring images (see components/monitoring.ts). */
export const PROM_IMAGE_UID = 65534;
export const GRAFANA_IMAGE_UID = 472;

/** Days of logs a data backup keeps (R8.1). */
export const BACKUP_LOG_DAYS = 7;

const grafana: BackupItem = {
  kind: "paused-copy",
  path: "monitoring/grafana",
  container: "grafana",
  uid: GRAFANA_IMAGE_UID,
};
const alertmanager: BackupItem = {
  kind: "paused-copy",
  path: "monitoring/alertmanager",
  container: "alertmanager",
  uid: PROM_IMAGE_UID,
};
const h2: BackupItem = {
  kind: "paused-copy",
  path: "jairouter/data",
  container: "jairouter",
  uid: JAIROUTER_UID,
};

/** What each mode of each role backs up (and restores), in archive order. */
export const BACKUP_PLAN: Readonly<Record<BackupRole, Readonly<Record<BackupMode, readonly BackupItem[]>>>> =
  {
    app: {
      config: [{ kind: "copy", path: "jairouter/config", container: "jairouter", uid: JAIROUTER_UID }, h2],
      data: [h2, { kind: "recent-logs", path: "jairouter/logs", container: "jairouter", uid: JAIROUTER_UID }],
    },
    monitoring: {
      config: [grafana, alertmanager],
      data: [
        {
          kind: "prometheus-snapshot",
          path: "monitoring/prometheus",
          container: "prometheus",
          uid: PROM_IMAGE_UID,
        },
        grafana,
        alertmanager,
      ],
    },
  };

/** Daily schedule (UTC) of each mode (R8.1). */
export const BACKUP_SCHEDULE: Readonly<Record<BackupMode, string>> = { config: "02:00", data: "03:00" };
/** Spread of the timers, so hosts do not hit S3 in the same second. */
export const BACKUP_RANDOM_DELAY = "5min";

/** Where the files go on a host. */
export const BACKUP_PATHS = {
  env: "/etc/jairouter/backup.env",
  backup: "/usr/local/sbin/jairouter-backup",
  restore: "/usr/local/sbin/jairouter-restore",
  service: "/etc/systemd/system/jairouter-backup@.service",
  timer: (mode: BackupMode) => `/etc/systemd/system/jairouter-backup-${mode}.timer`,
} as const;

const DEFAULTS = {
  dataRoot: "/data",
  prometheusUrl: "http://127.0.0.1:9090",
  healthTimeoutSeconds: 900,
  pauseTimeoutSeconds: 120,
  retryAttempts: 4,
  retryDelaySeconds: 10,
  lockFile: "/run/lock/jairouter-backup.lock",
  lockWaitSeconds: 3600,
};

/** The env file of one host: where its backups go. Nothing here is secret. */
export interface BackupEnvInput {
  role: BackupRole;
  /** S3 bucket name. */
  bucket: string;
  /** Key prefix of this host, `<role>/<host name>` (see backupPrefix). */
  prefix: string;
  /** Region of the bucket, e.g. `eu-west-1`. */
  region: string;
  /** Mount point of the data volume; `/data` when omitted. */
  dataRoot?: string;
  /** S3 endpoint (tests: a local S3); AWS's own when omitted. */
  endpointUrl?: string;
  /** Docker CLI (tests: a stub that records calls); `docker` when omitted. */
  docker?: string;
  /** chown (tests: a stub); `chown` when omitted. */
  chown?: string;
  /** Prometheus base URL for the snapshot API; `http://127.0.0.1:9090` when omitted. */
  prometheusUrl?: string;
  /** Seconds a restore waits for the containers to be healthy. */
  healthTimeoutSeconds?: number;
  /** Seconds between health polls. */
  healthPollSeconds?: number;
  /** Seconds before the first retry of an S3 call (then twice that, ...). */
  retryDelaySeconds?: number;
  /** Lock shared by backups and restores. */
  lockFile?: string;
  /** Directory of node-exporter's textfile collector; NODE_EXPORTER_TEXTFILE_DIR when omitted. */
  metricsDir?: string;
}

/** The key prefix a host writes to, and the only one its IAM role may touch. */
export function backupPrefix(role: BackupRole, hostName: string): string {
  return `${role}/${hostName}`;
}

const COMMAND = /^[A-Za-z0-9_./-]+$/;
const ABSOLUTE = /^\/[A-Za-z0-9._/-]*$/;
const URL_BASE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** Every problem of an env input (empty when valid). Values land in a sourced shell file. */
export function backupEnvProblems(input: BackupEnvInput): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  check(
    input.role === "app" || input.role === "monitoring",
    `role: "${input.role}" is not app or monitoring`,
  );
  check(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(input.bucket) &&
      !/\.\.|^\d+\.\d+\.\d+\.\d+$/.test(input.bucket),
    `bucket: "${input.bucket}" is not an S3 bucket name`,
  );
  check(
    /^(app|monitoring)\/[a-z0-9][a-z0-9-]*$/.test(input.prefix) && input.prefix.startsWith(`${input.role}/`),
    `prefix: "${input.prefix}" is not ${input.role}/<host name>`,
  );
  check(/^[a-z]{2}(-[a-z]+)+-\d+$/.test(input.region), `region: "${input.region}" is not a region name`);
  const optional = (key: keyof BackupEnvInput, pattern: RegExp, what: string) => {
    const value = input[key];
    if (value !== undefined) check(pattern.test(String(value)), `${key}: "${value}" is not ${what}`);
  };
  optional("dataRoot", ABSOLUTE, "an absolute path");
  optional("endpointUrl", URL_BASE, "an http(s) base URL");
  optional("docker", COMMAND, "a command name or path");
  optional("chown", COMMAND, "a command name or path");
  optional("prometheusUrl", URL_BASE, "an http(s) base URL");
  optional("lockFile", ABSOLUTE, "an absolute path");
  optional("metricsDir", ABSOLUTE, "an absolute path");
  for (const key of ["healthTimeoutSeconds", "healthPollSeconds", "retryDelaySeconds"] as const) {
    const value = input[key];
    if (value !== undefined)
      check(Number.isInteger(value) && value >= 0 && value < 1e6, `${key}: a whole number of seconds`);
  }
  return problems;
}

/** /etc/jairouter/backup.env: KEY='value' lines the scripts source. */
export function renderBackupEnv(input: BackupEnvInput): string {
  const problems = backupEnvProblems(input);
  if (problems.length > 0) throw new Error(`invalid backup env input:\n  ${problems.join("\n  ")}`);
  const values: [string, string | number | undefined][] = [
    ["BACKUP_ROLE", input.role],
    ["BACKUP_BUCKET", input.bucket],
    ["BACKUP_PREFIX", input.prefix],
    ["AWS_REGION", input.region],
    ["DATA_ROOT", input.dataRoot ?? DEFAULTS.dataRoot],
    ["AWS_ENDPOINT_URL", input.endpointUrl],
    ["DOCKER", input.docker],
    ["CHOWN", input.chown],
    ["PROMETHEUS_URL", input.prometheusUrl],
    ["HEALTH_TIMEOUT", input.healthTimeoutSeconds],
    ["HEALTH_POLL", input.healthPollSeconds],
    ["RETRY_DELAY", input.retryDelaySeconds],
    ["LOCK_FILE", input.lockFile],
    ["METRICS_DIR", input.metricsDir],
  ];
  // every value passed backupEnvProblems: none contains a quote
  const lines = values.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}='${v}'`);
  return `# Where this host's backups go (rendered by the jairouter stack; nothing here is secret).\n${lines.join("\n")}\n`;
}

function planTable(): string {
  return (Object.keys(BACKUP_PLAN) as BackupRole[])
    .flatMap((role) =>
      BACKUP_MODES.flatMap((mode) =>
        BACKUP_PLAN[role][mode].map((i) => `${role} ${mode} ${i.kind} ${i.path} ${i.container} ${i.uid}`),
      ),
    )
    .join("\n");
}

function fill(template: string, values: Record<string, string | number>): string {
  const text = template.replace(/@@([A-Z_]+)@@/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`backup template: no value for ${whole}`);
    return String(value);
  });
  return text;
}

function common(): string {
  return fill(COMMON_TEMPLATE, {
    ENV_PATH: BACKUP_PATHS.env,
    DATA_ROOT: DEFAULTS.dataRoot,
    PROMETHEUS_URL: DEFAULTS.prometheusUrl,
    HEALTH_TIMEOUT: DEFAULTS.healthTimeoutSeconds,
    PAUSE_TIMEOUT: DEFAULTS.pauseTimeoutSeconds,
    RETRY_ATTEMPTS: DEFAULTS.retryAttempts,
    RETRY_DELAY: DEFAULTS.retryDelaySeconds,
    LOCK_FILE: DEFAULTS.lockFile,
    LOCK_WAIT: DEFAULTS.lockWaitSeconds,
    PLAN: planTable(),
  });
}

/** /usr/local/sbin/jairouter-backup (identical on every host). */
export function renderBackupScript(): string {
  return fill(BACKUP_TEMPLATE, {
    COMMON: common(),
    CONFIG_TIME: BACKUP_SCHEDULE.config,
    DATA_TIME: BACKUP_SCHEDULE.data,
    LOG_DAYS: BACKUP_LOG_DAYS,
    METRICS_DIR: NODE_EXPORTER_TEXTFILE_DIR,
    METRIC_LAST_SUCCESS: BACKUP_METRICS.lastSuccess,
    METRIC_LAST_RUN: BACKUP_METRICS.lastRun,
    METRIC_LAST_RUN_SUCCESS: BACKUP_METRICS.lastRunSuccess,
    METRIC_LAST_SIZE: BACKUP_METRICS.lastSize,
  });
}

/** /usr/local/sbin/jairouter-restore (identical on every host). */
export function renderRestoreScript(): string {
  return fill(RESTORE_TEMPLATE, { COMMON: common() });
}

/** The timers' unit names. */
export function backupTimerNames(): string[] {
  return BACKUP_MODES.map((mode) => `jairouter-backup-${mode}.timer`);
}

/** Script the deployer runs as root over SSH once the files are in place: AWS CLI, timers on. */
export function renderBackupActivateScript(): string {
  return fill(ACTIVATE_TEMPLATE, { TIMERS: backupTimerNames().join(" ") });
}

/** jairouter-backup@.service: one run of the backup script, `%i` being the mode. */
export function renderBackupService(): string {
  return `[Unit]
Description=JAiRouter %i backup to S3
Wants=network-online.target
After=network-online.target docker.service

[Service]
Type=oneshot
ExecStart=${BACKUP_PATHS.backup} %i
# the AWS CLI comes as a snap
Environment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin
Nice=10
IOSchedulingClass=best-effort
IOSchedulingPriority=7
TimeoutStartSec=3h
PrivateTmp=true
`;
}

/** jairouter-backup-<mode>.timer: daily at the mode's time (UTC), caught up after downtime. */
export function renderBackupTimer(mode: BackupMode): string {
  return `[Unit]
Description=Daily JAiRouter ${mode} backup (${BACKUP_SCHEDULE[mode]} UTC)

[Timer]
OnCalendar=*-*-* ${BACKUP_SCHEDULE[mode]}:00 UTC
Persistent=true
RandomizedDelaySec=${BACKUP_RANDOM_DELAY}
AccuracySec=1min
Unit=jairouter-backup@${mode}.service

[Install]
WantedBy=timers.target
`;
}

/** A file placed on a host. */
export interface BackupFile {
  /** Short key for resource names, e.g. `backup-env`. */
  key: string;
  path: string;
  content: string;
  mode: string;
}

/** Every file a host needs for backups, in placement order. */
export function backupHostFiles(env: BackupEnvInput): BackupFile[] {
  return [
    { key: "backup-env", path: BACKUP_PATHS.env, content: renderBackupEnv(env), mode: "0644" },
    { key: "backup-script", path: BACKUP_PATHS.backup, content: renderBackupScript(), mode: "0755" },
    { key: "restore-script", path: BACKUP_PATHS.restore, content: renderRestoreScript(), mode: "0755" },
    { key: "backup-service", path: BACKUP_PATHS.service, content: renderBackupService(), mode: "0644" },
    ...BACKUP_MODES.map((mode) => ({
      key: `backup-${mode}-timer`,
      path: BACKUP_PATHS.timer(mode),
      content: renderBackupTimer(mode),
      mode: "0644",
    })),
  ];
}
