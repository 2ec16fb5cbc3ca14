// cloud-init user data (`#cloud-config`) for every host of the stack, whatever its role.
//
// Choices:
// - Docker Engine + Compose plugin from Docker's apt repository at exact versions, key fingerprint
//   checked (see scripts/host-scripts.ts for why not Ubuntu's docker.io).
// - node-exporter as the pinned container image started by a systemd unit: the stack already pins
//   that image (one version for every host and for the docs), it is multi-arch (no per-arch
//   checksum table), and Docker is on every host anyway. Its own absence is what the
//   "instance down" alert on the node job sees.
// - Values reach the scripts through /etc/jairouter/host.env, never spliced into shell code.
import { stringify } from "yaml";
import { BOOTSTRAP_SCRIPT, INSTALL_DOCKER_SCRIPT, MOUNT_DATA_SCRIPT } from "./scripts/host-scripts";
import {
  JAIROUTER_UID,
  NODE_EXPORTER_TEXTFILE_DIR,
  UBUNTU_CODENAMES,
  cloudInitProblems,
  dataDirectories,
  roleDirectory,
  type CloudInitInput,
} from "./host-types";

export type { CloudInitInput } from "./host-types";

/** Kernel settings of R9.2, written to /etc/sysctl.d/90-jairouter.conf. */
export const KERNEL_SETTINGS: Readonly<Record<string, number>> = {
  "net.core.somaxconn": 65535,
  "net.core.netdev_max_backlog": 5000,
  "net.ipv4.tcp_max_syn_backlog": 65535,
  "net.ipv4.tcp_fin_timeout": 30,
  "net.ipv4.tcp_keepalive_time": 1200,
  "net.ipv4.tcp_max_tw_buckets": 5000,
  "fs.file-max": 2097152,
  "vm.swappiness": 10,
  "vm.dirty_ratio": 15,
  "vm.dirty_background_ratio": 5,
};

/** Per-process limits (R4.2) for logins, systemd services and Docker containers alike. */
export const PROCESS_LIMITS = { nofile: 65536, nproc: 32768 } as const;

/** Fingerprint of Docker's apt signing key, as published on docs.docker.com/engine/install/ubuntu. */
export const DOCKER_REPO_KEY_FINGERPRINT = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88";

/** EC2's limit on user data, before base64; nothing here may rely on gzip. */
export const USER_DATA_LIMIT_BYTES = 16384;

/** Log retention on the data volume (R7.2): application logs and audit logs, in days. */
export const HOST_LOG_RETENTION_DAYS = { logs: 30, audit: 90 } as const;

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner?: string;
}

function hostEnv(input: CloudInitInput): string {
  const values: Record<string, string> = {
    ROLE: input.role,
    DEPLOY_USER: input.deployUser,
    UBUNTU_CODENAME: UBUNTU_CODENAMES[input.ubuntuRelease],
    DATA_VOLUME_ID: input.dataVolume.volumeId,
    DATA_DEVICE_NAME: input.dataVolume.deviceName,
    DATA_MOUNT: input.dataVolume.mountPoint,
    DATA_FS: input.dataVolume.filesystem,
    DOCKER_KEY_FINGERPRINT: DOCKER_REPO_KEY_FINGERPRINT,
    DOCKER_ENGINE_VERSION: input.docker.engine,
    CONTAINERD_VERSION: input.docker.containerd,
    COMPOSE_VERSION: input.docker.compose,
  };
  if (input.role === "app") {
    values.SERVICE_USER = "jairouter";
    values.SERVICE_UID = String(JAIROUTER_UID);
  }
  // every value passed cloudInitProblems: none contains a quote
  return Object.entries(values)
    .map(([k, v]) => `${k}='${v}'\n`)
    .join("");
}

function sysctlConf(): string {
  const lines = Object.entries(KERNEL_SETTINGS).map(([k, v]) => `${k} = ${v}`);
  return `# R9.2 kernel settings (rendered by the jairouter stack)\n${lines.join("\n")}\n`;
}

function limitsConf(): string {
  const { nofile, nproc } = PROCESS_LIMITS;
  // `*` does not cover root in limits.conf
  const lines = ["*", "root"].flatMap((who) =>
    ["soft", "hard"].flatMap((kind) => [`${who} ${kind} nofile ${nofile}`, `${who} ${kind} nproc ${nproc}`]),
  );
  return `${lines.join("\n")}\n`;
}

function systemdLimitsConf(): string {
  return `[Manager]\nDefaultLimitNOFILE=${PROCESS_LIMITS.nofile}\nDefaultLimitNPROC=${PROCESS_LIMITS.nproc}\n`;
}

function dockerDaemonJson(): string {
  const ulimit = (name: string, value: number) => ({ Name: name, Soft: value, Hard: value });
  return `${JSON.stringify(
    {
      "log-driver": "json-file",
      "log-opts": { "max-size": "100m", "max-file": "3" },
      "default-ulimits": {
        nofile: ulimit("nofile", PROCESS_LIMITS.nofile),
        nproc: ulimit("nproc", PROCESS_LIMITS.nproc),
      },
      "live-restore": true,
    },
    null,
    2,
  )}\n`;
}

/**
 * logrotate for logs written on the data volume: `logs/*.log` daily, 30 kept; `logs/audit/*.log`
 * daily, 90 kept; compressed. (JAiRouter's own application log is JSON under `logs/` named
 * `*.json` and rotated by the app itself, see application-yml.ts, so the two never both rotate
 * the same file.) App directories belong to UID 10010, hence `su`.
 */
function logrotateConf(input: CloudInitInput): string {
  const base = `${input.dataVolume.mountPoint}/${roleDirectory(input.role)}/logs`;
  const su = input.role === "app" ? ["su jairouter jairouter"] : [];
  const stanza = (glob: string, days: number) =>
    [
      `${glob} {`,
      ...[
        "daily",
        `rotate ${days}`,
        "compress",
        "delaycompress",
        "dateext",
        "missingok",
        "notifempty",
        "copytruncate",
        ...su,
      ].map((l) => `    ${l}`),
      "}",
    ].join("\n");
  return `${stanza(`${base}/*.log`, HOST_LOG_RETENTION_DAYS.logs)}\n\n${stanza(`${base}/audit/*.log`, HOST_LOG_RETENTION_DAYS.audit)}\n`;
}

/** Where the textfile directory appears inside the node-exporter container. */
const TEXTFILE_MOUNT = "/textfile";

/**
 * node-exporter's unit. Besides the default collectors, the textfile collector reads `*.prom` files
 * that root writes into NODE_EXPORTER_TEXTFILE_DIR (the backup script's outcome, see render/backup.ts),
 * bind-mounted read-only: the container (user 65534) can read them, never write.
 */
function nodeExporterUnit(input: CloudInitInput): string {
  const run = [
    "/usr/bin/docker run --rm --name node-exporter --network host --pid host --read-only",
    "--cap-drop ALL --security-opt no-new-privileges --user 65534:65534",
    "--log-opt max-size=10m --log-opt max-file=3 --volume /:/host:ro,rslave",
    `--volume ${NODE_EXPORTER_TEXTFILE_DIR}:${TEXTFILE_MOUNT}:ro`,
    `${input.nodeExporterImage} --path.rootfs=/host --web.listen-address=:${input.nodeExporterPort}`,
    `--collector.textfile.directory=${TEXTFILE_MOUNT}`,
  ].join(" \\\n  ");
  return `[Unit]
Description=Prometheus node-exporter (pinned container image)
Wants=network-online.target
After=docker.service network-online.target
Requires=docker.service

[Service]
ExecStartPre=-/usr/bin/docker rm -f node-exporter
ExecStartPre=/usr/bin/install -d -m 0755 ${NODE_EXPORTER_TEXTFILE_DIR}
ExecStart=${run}
ExecStop=/usr/bin/docker stop node-exporter
Restart=always
RestartSec=5
TimeoutStartSec=300

[Install]
WantedBy=multi-user.target
`;
}

/** The files cloud-init writes (exported for tests and the offline synth). */
export function hostFiles(input: CloudInitInput): WriteFile[] {
  const directories = dataDirectories(input)
    .map((d) => `${d.path} ${d.uid} ${d.gid} ${d.mode}\n`)
    .join("");
  const file = (path: string, content: string, permissions = "0644"): WriteFile => ({
    path,
    content,
    permissions,
    owner: "root:root",
  });
  return [
    file("/etc/jairouter/host.env", hostEnv(input)),
    file("/etc/jairouter/directories", directories),
    file("/etc/sysctl.d/90-jairouter.conf", sysctlConf()),
    file("/etc/security/limits.d/90-jairouter.conf", limitsConf()),
    file("/etc/systemd/system.conf.d/90-jairouter-limits.conf", systemdLimitsConf()),
    file("/etc/docker/daemon.json", dockerDaemonJson()),
    file("/etc/logrotate.d/jairouter", logrotateConf(input)),
    file("/etc/systemd/system/node-exporter.service", nodeExporterUnit(input)),
    file("/usr/local/sbin/jairouter-bootstrap", BOOTSTRAP_SCRIPT, "0755"),
    file("/usr/local/sbin/jairouter-mount-data", MOUNT_DATA_SCRIPT, "0755"),
    file("/usr/local/sbin/jairouter-install-docker", INSTALL_DOCKER_SCRIPT, "0755"),
  ];
}

/** Renders the `#cloud-config` user data of one host. Throws on invalid input, listing every problem. */
export function renderCloudInit(input: CloudInitInput): string {
  const problems = cloudInitProblems(input);
  if (problems.length > 0) throw new Error(`invalid cloud-init input:\n  ${problems.join("\n  ")}`);
  const config = {
    hostname: input.hostname,
    preserve_hostname: false,
    timezone: input.timezone ?? "Etc/UTC",
    ssh_pwauth: false,
    package_update: true,
    // upgrades are left to unattended-upgrades; a first-boot upgrade would make hosts differ by boot date
    package_upgrade: false,
    packages: ["ca-certificates", "curl", "gnupg", "jq", "logrotate"],
    write_files: hostFiles(input),
    runcmd: [["/usr/local/sbin/jairouter-bootstrap"]],
    final_message: `jairouter ${input.role} host ${input.hostname} ready after $UPTIME s`,
  };
  // cloud-init parses with PyYAML (YAML 1.1)
  const body = stringify(config, { lineWidth: 0, blockQuote: "literal", version: "1.1" });
  const text = `#cloud-config\n${body}`;
  if (Buffer.byteLength(text) > USER_DATA_LIMIT_BYTES) {
    throw new Error(`user data is ${Buffer.byteLength(text)} bytes; EC2 accepts ${USER_DATA_LIMIT_BYTES}`);
  }
  return text;
}
