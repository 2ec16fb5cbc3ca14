// Input of the cloud-init renderer. Plain values only, and deliberately no field for a secret:
// EC2 user data is readable by anyone with ec2:DescribeInstanceAttribute and from the instance
// metadata service, so secrets reach hosts another way (SSM Parameter Store, container env).
/** What a host does; decides its directories on the data volume. */
export type HostRole = "app" | "loadbalancer" | "monitoring";

/** Supported Ubuntu LTS releases. */
export type UbuntuRelease = "22.04" | "24.04";

export const UBUNTU_CODENAMES: Record<UbuntuRelease, string> = { "22.04": "jammy", "24.04": "noble" };

/** UID/GID the JAiRouter image runs as (user `jairouter`); app state on the host must be theirs. */
export const JAIROUTER_UID = 10010;

/**
 * Host directory of node-exporter's textfile collector (every host; the node-exporter container,
 * managed by the stack, mounts it read-only). The bootstrap creates it; root writes `*.prom` files
 * there atomically, e.g. the backup script's outcome; it is on the root volume, so a replaced
 * instance starts without them.
 */
export const NODE_EXPORTER_TEXTFILE_DIR = "/var/lib/node-exporter/textfile";

/** Fixed places on every host, shared by the user data, its scripts and the readiness gate. */
export const HOST_PATHS = {
  /** Per-host values (`KEY='value'` lines) every host script reads. */
  hostEnv: "/etc/jairouter/host.env",
  /** Directories to create on the data volume: `path uid gid mode` lines. */
  directories: "/etc/jairouter/directories",
  /** The bootstrap: cloud-init runs it once; the readiness gate may run it again. */
  bootstrap: "/usr/local/sbin/jairouter-bootstrap",
  /** Mounts and grows the data volume; run at every boot and by the readiness gate. */
  mountData: "/usr/local/sbin/jairouter-mount-data",
  /** Installs the pinned Docker Engine and Compose plugin. */
  installDocker: "/usr/local/sbin/jairouter-install-docker",
  /** Written last by a bootstrap that completed. */
  bootstrapDone: "/var/lib/jairouter/bootstrap-done",
} as const;

/** The unit that runs HOST_PATHS.mountData at every boot, before Docker. */
export const DATA_VOLUME_UNIT = "jairouter-data.service";

/** How long the mount script waits for the data volume to attach, unless the input says otherwise. */
export const DEFAULT_DATA_VOLUME_WAIT_SECONDS = 1200;

/** Exact apt versions from Docker's repository (`apt-cache madison docker-ce` on a host of that release). */
export interface DockerPackagePins {
  /** Version of docker-ce and docker-ce-cli, e.g. `5:27.5.1-1~ubuntu.24.04~noble`. */
  engine: string;
  /** Version of containerd.io, e.g. `1.7.27-1`. */
  containerd: string;
  /** Version of docker-compose-plugin (Compose v2), e.g. `2.33.1-1~ubuntu.24.04~noble`. */
  compose: string;
}

/** The EBS volume that holds the host's state and logs. */
export interface DataVolumeSpec {
  /** EBS volume id, `vol-` and 8 or 17 hex digits: finds the NVMe device on Nitro instances. */
  volumeId: string;
  /** Device name given at attachment, `/dev/sdf` to `/dev/sdp`: used on Xen instances (shows as /dev/xvdX). */
  deviceName: string;
  /** Absolute mount point, e.g. `/data`. */
  mountPoint: string;
  /** Filesystem created when (and only when) the volume is blank. */
  filesystem: "ext4" | "xfs";
  /**
   * Seconds the mount script waits for the volume to attach (at first boot the attachment may come
   * minutes after the instance starts); DEFAULT_DATA_VOLUME_WAIT_SECONDS when omitted.
   */
  waitSeconds?: number;
}

/** A directory created on the data volume. */
export interface DataDirectory {
  /** Path relative to the mount point, e.g. `monitoring/prometheus`. */
  path: string;
  /** Owner UID (the container user that writes there). */
  uid: number;
  /** Owner GID. */
  gid: number;
  /** Octal mode, e.g. `0750`. */
  mode: string;
}

/**
 * Everything `renderCloudInit` needs; nothing secret. Every field here is part of the user data,
 * and a change to the user data replaces the instance: only what legitimately means "rebuild
 * this host" belongs here (no image, no application setting; those live in containers and files
 * the stack places over SSH).
 */
export interface CloudInitInput {
  /** Role of the host. App hosts get /<mount>/jairouter/{data,logs,config} owned by 10010:10010. */
  role: HostRole;
  /**
   * Login user of the deployer (`ubuntu` on Ubuntu AMIs). The bootstrap creates it when the image
   * lacks it, gives it passwordless sudo and the instance's EC2 key pair, and adds it to the
   * `docker` group: the Docker provider talks to the daemon over this user's SSH session.
   */
  deployUser: string;
  /** Host name (RFC 1123 label, lower case), e.g. `prod-app-1`. */
  hostname: string;
  /** Ubuntu release of the AMI; the Docker pins must be builds for it. */
  ubuntuRelease: UbuntuRelease;
  /** Pinned Docker Engine, containerd and Compose plugin versions. */
  docker: DockerPackagePins;
  /** The data volume. */
  dataVolume: DataVolumeSpec;
  /** More directories to create on the data volume (e.g. Prometheus' and Grafana's, with their UIDs). */
  extraDirectories?: readonly DataDirectory[];
  /** IANA time zone of the host; `Etc/UTC` when omitted. */
  timezone?: string;
}

/** Directory of a role on the data volume, relative to the mount point. */
export function roleDirectory(role: HostRole): string {
  return role === "app" ? "jairouter" : role;
}

/** Directories the host creates on the data volume, parents first. */
export function dataDirectories(input: CloudInitInput): DataDirectory[] {
  const base = roleDirectory(input.role);
  const owner = input.role === "app" ? JAIROUTER_UID : 0;
  const own = (path: string, mode = "0750"): DataDirectory => ({ path, uid: owner, gid: owner, mode });
  const dirs = [own(base, "0755"), own(`${base}/logs`), own(`${base}/logs/audit`)];
  if (input.role === "app") dirs.push(own(`${base}/data`), own(`${base}/config`));
  return [...dirs, ...(input.extraDirectories ?? [])];
}

const APT_VERSION = /^[0-9A-Za-z.+~:-]{1,80}$/;

/** Every problem of an input (empty when valid). Values end up in shell files: the checks are strict. */
export function cloudInitProblems(input: CloudInitInput): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  check(["app", "loadbalancer", "monitoring"].includes(input.role), `role: unknown role "${input.role}"`);
  check(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(input.hostname),
    "hostname: an RFC 1123 label in lower case",
  );
  check(
    /^[a-z_][a-z0-9_-]{0,31}$/.test(input.deployUser),
    `deployUser: "${input.deployUser}" is not a Linux user name`,
  );
  // root logins are refused by the image's sshd and cloud-init; the deployer needs its own user
  check(input.deployUser !== "root", "deployUser: not root (a login user with sudo)");
  check(input.ubuntuRelease in UBUNTU_CODENAMES, "ubuntuRelease: 22.04 or 24.04");
  for (const key of ["engine", "containerd", "compose"] as const) {
    check(APT_VERSION.test(input.docker[key]), `docker.${key}: "${input.docker[key]}" is not an apt version`);
  }
  const codename = UBUNTU_CODENAMES[input.ubuntuRelease];
  for (const key of ["engine", "compose"] as const) {
    // Docker builds carry the release in the version; a jammy build does not install on noble
    check(
      !/~ubuntu\./.test(input.docker[key]) || input.docker[key].endsWith(`~${codename}`),
      `docker.${key}: "${input.docker[key]}" is not a build for Ubuntu ${input.ubuntuRelease} (${codename})`,
    );
  }
  const v = input.dataVolume;
  check(
    /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/.test(v.volumeId),
    `dataVolume.volumeId: "${v.volumeId}" is not an EBS volume id`,
  );
  check(
    /^\/dev\/sd[f-p]$/.test(v.deviceName),
    `dataVolume.deviceName: "${v.deviceName}" is not /dev/sdf to /dev/sdp`,
  );
  check(
    /^\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(v.mountPoint) &&
      !/^\/(etc|usr|var|boot|proc|sys|dev|run|bin|sbin|lib)(\/|$)/.test(v.mountPoint),
    `dataVolume.mountPoint: "${v.mountPoint}" is not a free absolute path`,
  );
  check(v.filesystem === "ext4" || v.filesystem === "xfs", "dataVolume.filesystem: ext4 or xfs");
  if (v.waitSeconds !== undefined) {
    check(
      Number.isInteger(v.waitSeconds) && v.waitSeconds >= 1 && v.waitSeconds <= 86400,
      `dataVolume.waitSeconds: ${v.waitSeconds} is not a whole number of seconds from 1 to 86400`,
    );
  }
  for (const [i, d] of (input.extraDirectories ?? []).entries()) {
    check(
      /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(d.path),
      `extraDirectories[${i}].path: a relative path of [a-z0-9_-] segments`,
    );
    check(
      [d.uid, d.gid].every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 31),
      `extraDirectories[${i}]: uid/gid are integers`,
    );
    check(/^0?[0-7]{3}$/.test(d.mode), `extraDirectories[${i}].mode: an octal mode like 0750`);
  }
  if (input.timezone !== undefined) {
    check(
      /^[A-Za-z]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(input.timezone),
      `timezone: "${input.timezone}" is not an IANA zone name`,
    );
  }
  return problems;
}
