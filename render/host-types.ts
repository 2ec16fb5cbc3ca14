// Input of the cloud-init renderer. Plain values only, and deliberately no field for a secret:
// EC2 user data is readable by anyone with ec2:DescribeInstanceAttribute and from the instance
// metadata service, so secrets reach hosts another way (SSM Parameter Store, container env).
import { imagePinProblem } from "../config/validators";

/** What a host does; decides its directories on the data volume. */
export type HostRole = "app" | "loadbalancer" | "monitoring";

/** Supported Ubuntu LTS releases. */
export type UbuntuRelease = "22.04" | "24.04";

export const UBUNTU_CODENAMES: Record<UbuntuRelease, string> = { "22.04": "jammy", "24.04": "noble" };

/** UID/GID the JAiRouter image runs as (user `jairouter`); app state on the host must be theirs. */
export const JAIROUTER_UID = 10010;

/**
 * Host directory of node-exporter's textfile collector (every host; mounted read-only into the
 * container). Root writes `*.prom` files there atomically, e.g. the backup script's outcome; it is on
 * the root volume, so a replaced instance starts without them.
 */
export const NODE_EXPORTER_TEXTFILE_DIR = "/var/lib/node-exporter/textfile";

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
  /** Filesystem created when (and only when) the volume carries none. */
  filesystem: "ext4" | "xfs";
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

/** Everything `renderCloudInit` needs; nothing secret. */
export interface CloudInitInput {
  /** Role of the host. App hosts get /<mount>/jairouter/{data,logs,config} owned by 10010:10010. */
  role: HostRole;
  /**
   * Login user the deployer's SSH key belongs to (`ubuntu` on Ubuntu AMIs); added to the `docker`
   * group, because the Docker provider talks to the daemon over that user's SSH session.
   */
  deployUser: string;
  /** Host name (RFC 1123 label, lower case), e.g. `prod-app-1`. */
  hostname: string;
  /** Ubuntu release of the AMI; the Docker pins must be builds for it. */
  ubuntuRelease: UbuntuRelease;
  /** Pinned Docker Engine, containerd and Compose plugin versions. */
  docker: DockerPackagePins;
  /** Pinned node-exporter image (`prom/node-exporter:v1.9.1`, optionally `@sha256:` digest). */
  nodeExporterImage: string;
  /** Port node-exporter listens on (9100). */
  nodeExporterPort: number;
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
  const imageProblem = imagePinProblem(input.nodeExporterImage);
  check(!imageProblem, `nodeExporterImage: "${input.nodeExporterImage}" ${imageProblem ?? ""}`);
  check(
    Number.isInteger(input.nodeExporterPort) && input.nodeExporterPort > 0 && input.nodeExporterPort < 65536,
    "nodeExporterPort: 1-65535",
  );
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
