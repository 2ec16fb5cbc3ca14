// cloud-init user data (`#cloud-config`) for every host of the stack, whatever its role.
//
// User data is a stable bootstrap: a change to it replaces the instance, so it holds only what
// legitimately means "rebuild this host" (USER_DATA_DEPENDS_ON). Images, application settings and
// node-exporter are containers and files the stack manages over SSH after the readiness gate.
//
// Choices:
// - Docker Engine + Compose plugin from Docker's apt repository at exact versions, key fingerprint
//   checked (see scripts/host-scripts.ts for why not Ubuntu's docker.io).
// - The data volume is mounted (and grown after a resize) by jairouter-data.service at every boot,
//   and Docker starts only once it is mounted, so containers never write to the root disk.
// - Values reach the scripts through /etc/jairouter/host.env, never spliced into shell code.
import { stringify } from "yaml";
import { BOOTSTRAP_SCRIPT, INSTALL_DOCKER_SCRIPT, MOUNT_DATA_SCRIPT } from "./scripts/host-scripts";
import {
  DATA_VOLUME_UNIT,
  DEFAULT_DATA_VOLUME_WAIT_SECONDS,
  HOST_PATHS,
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

/**
 * What a host's user data depends on, for docs/operations.md: a change to any of these replaces the
 * instance. `inputs` covers every field of CloudInitInput (the type makes sure of it); `builtIn`
 * is what the stack's own code fixes for every host.
 */
export const USER_DATA_DEPENDS_ON: {
  inputs: Readonly<Record<keyof CloudInitInput, string>>;
  builtIn: readonly string[];
} = {
  inputs: {
    role: "the host's role (its directories on the data volume, its service user)",
    deployUser: "the deployer's login user (created, given sudo, the EC2 key and the docker group)",
    hostname: "the host name",
    ubuntuRelease: "the Ubuntu release the Docker pins are built for",
    docker: "the Docker Engine, containerd and Compose plugin versions",
    dataVolume: "the data volume's id, device name, mount point, filesystem and attachment wait",
    extraDirectories: "more directories on the data volume (e.g. Prometheus' and Grafana's)",
    timezone: "the host's time zone",
  },
  builtIn: [
    "kernel settings (R9.2) and nofile/nproc limits",
    "Docker daemon settings (log rotation, default ulimits, live-restore)",
    "host logrotate rules",
    "the bootstrap, data volume and Docker install scripts and their systemd units",
  ],
};

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
    DATA_VOLUME_WAIT_SECONDS: String(dataVolumeWaitSeconds(input)),
    NODE_EXPORTER_TEXTFILE_DIR,
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

function dataVolumeWaitSeconds(input: CloudInitInput): number {
  return input.dataVolume.waitSeconds ?? DEFAULT_DATA_VOLUME_WAIT_SECONDS;
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

/**
 * Mounts (and grows) the data volume at every boot, before Docker. Its start timeout outlasts the
 * script's own wait for the attachment, so the script's clear message is what a failure shows.
 */
function dataVolumeUnit(input: CloudInitInput): string {
  return `[Unit]
Description=Mount and grow the jairouter data volume ${input.dataVolume.mountPoint}
After=local-fs.target
Before=docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${HOST_PATHS.mountData}
TimeoutStartSec=${dataVolumeWaitSeconds(input) + 300}

[Install]
WantedBy=multi-user.target
`;
}

/** Docker starts only with the data volume mounted: containers' bind mounts must never land on the root disk. */
function dockerDropIn(input: CloudInitInput): string {
  return `[Unit]
RequiresMountsFor=${input.dataVolume.mountPoint}
After=${DATA_VOLUME_UNIT}
`;
}

/**
 * A host script as placed by the user data: its comment lines dropped (they stay in the source), to
 * keep within EC2's 16 KB. The shebang and shellcheck directives stay. The scripts hold no heredoc,
 * so a line starting with `#` is always a comment.
 */
function compactScript(script: string): string {
  const [shebang, ...rest] = script.split("\n");
  const code = rest.filter((line) => !/^\s*#/.test(line) || /^\s*# shellcheck /.test(line));
  return [
    shebang,
    "# jairouter stack host script; commented source: render/scripts/host-scripts.ts",
    ...code,
  ].join("\n");
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
    file(HOST_PATHS.hostEnv, hostEnv(input)),
    file(HOST_PATHS.directories, directories),
    file("/etc/sysctl.d/90-jairouter.conf", sysctlConf()),
    file("/etc/security/limits.d/90-jairouter.conf", limitsConf()),
    file("/etc/systemd/system.conf.d/90-jairouter-limits.conf", systemdLimitsConf()),
    file("/etc/docker/daemon.json", dockerDaemonJson()),
    file("/etc/logrotate.d/jairouter", logrotateConf(input)),
    file(`/etc/systemd/system/${DATA_VOLUME_UNIT}`, dataVolumeUnit(input)),
    file("/etc/systemd/system/docker.service.d/10-jairouter-data.conf", dockerDropIn(input)),
    file(HOST_PATHS.bootstrap, compactScript(BOOTSTRAP_SCRIPT), "0755"),
    file(HOST_PATHS.mountData, compactScript(MOUNT_DATA_SCRIPT), "0755"),
    file(HOST_PATHS.installDocker, compactScript(INSTALL_DOCKER_SCRIPT), "0755"),
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
    // The bootstrap installs what it needs (and converges when run again); upgrades are left to
    // unattended-upgrades: a first-boot upgrade would make hosts differ by boot date.
    package_update: false,
    package_upgrade: false,
    write_files: hostFiles(input),
    runcmd: [[HOST_PATHS.bootstrap]],
    final_message: `jairouter ${input.role} host ${input.hostname} ready after $UPTIME s`,
  };
  // cloud-init parses with PyYAML (YAML 1.1)
  const body = stringify(config, { lineWidth: 0, blockQuote: "literal", version: "1.1", indentSeq: false });
  const text = `#cloud-config\n${body}`;
  if (Buffer.byteLength(text) > USER_DATA_LIMIT_BYTES) {
    throw new Error(`user data is ${Buffer.byteLength(text)} bytes; EC2 accepts ${USER_DATA_LIMIT_BYTES}`);
  }
  return text;
}
