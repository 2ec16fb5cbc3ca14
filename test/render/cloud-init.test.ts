import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderBackupScript } from "../../render/backup";
import {
  USER_DATA_DEPENDS_ON,
  USER_DATA_LIMIT_BYTES,
  hostFiles,
  renderCloudInit,
  type CloudInitInput,
} from "../../render/cloud-init";
import { HOST_PATHS, type HostRole } from "../../render/host-types";
import { MOUNT_DATA_SCRIPT } from "../../render/scripts/host-scripts";
import { hasTool, run, toolsAvailable, yamllint } from "../support/tools";
import { parseUnit, verifyUnitsInRoot } from "../support/systemd-unit";

// R9.2, written out here on purpose (not imported) so a wrong table in the renderer fails the test.
const EXPECTED_SYSCTLS: Record<string, string> = {
  "net.core.somaxconn": "65535",
  "net.core.netdev_max_backlog": "5000",
  "net.ipv4.tcp_max_syn_backlog": "65535",
  "net.ipv4.tcp_fin_timeout": "30",
  "net.ipv4.tcp_keepalive_time": "1200",
  "net.ipv4.tcp_max_tw_buckets": "5000",
  "fs.file-max": "2097152",
  "vm.swappiness": "10",
  "vm.dirty_ratio": "15",
  "vm.dirty_background_ratio": "5",
};

const ROLES: HostRole[] = ["app", "loadbalancer", "monitoring"];

function input(role: HostRole, overrides: Partial<CloudInitInput> = {}): CloudInitInput {
  return {
    role,
    deployUser: "ubuntu",
    hostname: `prod-${role}-1`,
    ubuntuRelease: "24.04",
    docker: {
      engine: "5:27.5.1-1~ubuntu.24.04~noble",
      containerd: "1.7.27-1",
      compose: "2.33.1-1~ubuntu.24.04~noble",
    },
    dataVolume: {
      volumeId: "vol-0123456789abcdef0",
      deviceName: "/dev/sdf",
      mountPoint: "/data",
      filesystem: "ext4",
    },
    ...(role === "monitoring"
      ? { extraDirectories: [{ path: "monitoring/prometheus", uid: 65534, gid: 65534, mode: "0750" }] }
      : {}),
    ...overrides,
  };
}

interface WrittenFile {
  path: string;
  content: string;
  permissions: string;
}

interface CloudConfig {
  write_files: WrittenFile[];
  runcmd: string[][];
  packages?: string[];
  package_update: boolean;
}

function files(text: string): Map<string, WrittenFile> {
  const config = parse(text) as CloudConfig;
  return new Map(config.write_files.map((f) => [f.path, f]));
}

function content(text: string, path: string): string {
  const file = files(text).get(path);
  if (!file) throw new Error(`${path} is not written`);
  return file.content;
}

describe.each(ROLES)("renderCloudInit for a %s host", (role) => {
  const text = renderCloudInit(input(role));
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `cloud-init-${role}-`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is #cloud-config user data under EC2's 16 KB limit, without relying on gzip", () => {
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(USER_DATA_LIMIT_BYTES).toBe(16384);
    // room to spare: the monitoring role's list of directories grows with its services
    expect(Buffer.byteLength(text)).toBeLessThan(16384 - 1024);
  });

  it.runIf(toolsAvailable("cloud-init"))("passes `cloud-init schema`", () => {
    const path = join(dir, "user-data.yaml");
    writeFileSync(path, text);
    const result = run("cloud-init", ["schema", "--config-file", path]);
    expect(result.stdout + result.stderr).toContain("Valid cloud-config");
    expect(result.status).toBe(0);
  });

  it.runIf(toolsAvailable("yamllint"))("passes yamllint (relaxed, no line-length limit)", () => {
    const result = yamllint(text);
    expect(result.report).toBe("");
    expect(result.status).toBe(0);
  });

  it.runIf(toolsAvailable("shellcheck"))("embeds shellcheck-clean scripts", () => {
    const scripts = [...files(text).values()].filter((f) => f.content.startsWith("#!"));
    expect(scripts.map((s) => s.path).sort()).toEqual([
      "/usr/local/sbin/jairouter-bootstrap",
      "/usr/local/sbin/jairouter-install-docker",
      "/usr/local/sbin/jairouter-mount-data",
    ]);
    for (const script of scripts) {
      const path = join(dir, script.path.split("/").pop()!);
      writeFileSync(path, script.content);
      const result = run("shellcheck", ["-s", "bash", path]);
      expect(`${script.path}\n${result.stdout}${result.stderr}`).toBe(`${script.path}\n`);
      expect(script.permissions).toBe("0755");
    }
  });

  it("sets exactly the R9.2 kernel settings and applies them on boot", () => {
    const sysctl = content(text, "/etc/sysctl.d/90-jairouter.conf");
    const entries = sysctl
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => l.split("=").map((s) => s.trim()) as [string, string]);
    expect(Object.fromEntries(entries)).toEqual(EXPECTED_SYSCTLS);
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      "sysctl -q -p /etc/sysctl.d/90-jairouter.conf",
    );
  });

  it("raises nofile/nproc for logins, services and containers; caps container logs at 100m x 3", () => {
    const limits = content(text, "/etc/security/limits.d/90-jairouter.conf");
    for (const who of ["*", "root"]) {
      for (const kind of ["soft", "hard"]) {
        expect(limits).toContain(`${who} ${kind} nofile 65536`);
        expect(limits).toContain(`${who} ${kind} nproc 32768`);
      }
    }
    expect(content(text, "/etc/systemd/system.conf.d/90-jairouter-limits.conf")).toContain(
      "DefaultLimitNOFILE=65536",
    );
    const daemon = JSON.parse(content(text, "/etc/docker/daemon.json")) as Record<string, unknown>;
    expect(daemon).toMatchObject({
      "log-driver": "json-file",
      "log-opts": { "max-size": "100m", "max-file": "3" },
      "default-ulimits": {
        nofile: { Name: "nofile", Soft: 65536, Hard: 65536 },
        nproc: { Name: "nproc", Soft: 32768, Hard: 32768 },
      },
    });
  });

  it("mounts the data volume by UUID with nofail, formatting it only when blank", () => {
    const env = content(text, "/etc/jairouter/host.env");
    expect(env).toContain("DATA_VOLUME_ID='vol-0123456789abcdef0'");
    expect(env).toContain("DATA_MOUNT='/data'");
    expect(env).toContain("DATA_VOLUME_WAIT_SECONDS='1200'"); // 20 minutes by default
    const mount = content(text, "/usr/local/sbin/jairouter-mount-data");
    expect(mount).toContain("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$serial");
    expect(mount).toContain("serial=${DATA_VOLUME_ID//-/}");
    expect(mount).toMatch(/2\)\n\s*cmp -s -n 1048576 "\$device" \/dev\/zero \|\| fail/); // blank only
    expect(mount).toContain('echo "UUID=$uuid $DATA_MOUNT $fs_type defaults,nofail,');
    const config = parse(text) as CloudConfig;
    expect(config.runcmd).toEqual([["/usr/local/sbin/jairouter-bootstrap"]]);
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      "/usr/local/sbin/jairouter-mount-data",
    );
  });

  it("mounts the data volume at every boot, and Docker starts only once it is mounted", () => {
    const unit = parseUnit(content(text, "/etc/systemd/system/jairouter-data.service"));
    expect(unit.Unit).toMatchObject({ After: ["local-fs.target"], Before: ["docker.service"] });
    expect(unit.Service).toMatchObject({
      Type: ["oneshot"],
      RemainAfterExit: ["yes"],
      ExecStart: ["/usr/local/sbin/jairouter-mount-data"],
    });
    // systemd must not kill the script before its own wait for the attachment ends
    expect(Number(unit.Service!.TimeoutStartSec![0])).toBeGreaterThan(1200);
    expect(unit.Install).toEqual({ WantedBy: ["multi-user.target"] });
    const dropIn = parseUnit(content(text, "/etc/systemd/system/docker.service.d/10-jairouter-data.conf"));
    expect(dropIn).toEqual({ Unit: { RequiresMountsFor: ["/data"], After: ["jairouter-data.service"] } });
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      "systemctl enable --quiet jairouter-data.service",
    );
  });

  it.runIf(toolsAvailable("systemd-analyze"))("has units that pass systemd-analyze verify", () => {
    const placed = [
      // a stand-in for the docker.service that Docker's package brings, so the drop-in is read
      { path: "/usr/bin/dockerd", content: "#!/bin/sh\n", mode: 0o755 },
      {
        path: "/usr/lib/systemd/system/docker.service",
        content:
          "[Unit]\nDescription=Docker\n\n[Service]\nExecStart=/usr/bin/dockerd\n\n[Install]\nWantedBy=multi-user.target\n",
        mode: 0o644,
      },
      ...[...files(text).values()].map((f) => ({
        path: f.path,
        content: f.content,
        mode: Number.parseInt(f.permissions, 8),
      })),
    ];
    expect(verifyUnitsInRoot(placed, ["jairouter-data.service", "docker.service"])).toBe("0\n");
  });

  it("installs pinned Docker from a fingerprint-checked repository, for the deploy user", () => {
    const env = content(text, "/etc/jairouter/host.env");
    expect(env).toContain("DOCKER_KEY_FINGERPRINT='9DC858229FC7DD38854AE2D88D81803C0EBFCD88'");
    expect(env).toContain("DOCKER_ENGINE_VERSION='5:27.5.1-1~ubuntu.24.04~noble'");
    const docker = content(text, "/usr/local/sbin/jairouter-install-docker");
    expect(docker).toContain('"docker-compose-plugin=$COMPOSE_VERSION"');
    expect(docker).toContain("apt-mark hold");
    // the deployer's Docker provider connects as this user over SSH
    expect(env).toContain("DEPLOY_USER='ubuntu'");
    expect(docker).toContain('usermod -aG docker "$DEPLOY_USER"');
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      "snap start --enable amazon-ssm-agent",
    );
  });

  it("makes sure the deploy user exists, with sudo and the instance's key pair, keeping other keys", () => {
    const bootstrap = content(text, "/usr/local/sbin/jairouter-bootstrap");
    expect(bootstrap).toContain('useradd --create-home --user-group --shell /bin/bash "$DEPLOY_USER"');
    expect(bootstrap).toContain('visudo -cf "$work/sudoers"');
    expect(bootstrap).toContain("/etc/sudoers.d/90-jairouter-deploy-user");
    // IMDSv2: a token first, then the key; 404 means "launched without a key pair"
    expect(bootstrap).toContain('-X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$imds/api/token"');
    expect(bootstrap).toContain('"$imds/meta-data/public-keys/0/openssh-key"');
    expect(bootstrap).toMatch(/404\) log "launched without a key pair/);
    expect(bootstrap).toContain('>>"$keys"'); // appended, never overwritten
    expect(bootstrap).not.toMatch(/[^>]>"\$keys"/);
    // the user is created before Docker adds it to its group
    expect(bootstrap.indexOf("useradd")).toBeLessThan(bootstrap.indexOf("jairouter-install-docker"));
  });

  it.runIf(hasTool("visudo"))("writes a sudoers rule that visudo accepts", () => {
    const format = /printf '([^']*)' "\$DEPLOY_USER" >"\$work\/sudoers"/.exec(
      content(text, "/usr/local/sbin/jairouter-bootstrap"),
    )?.[1];
    expect(format).toBe("%s ALL=(ALL) NOPASSWD:ALL\\n");
    const path = join(dir, "sudoers");
    writeFileSync(path, format!.replace("%s", "deployer").replace("\\n", "\n"));
    const result = run("visudo", ["-cf", path]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it("is rerunnable: one run at a time, the done-marker removed first and written last", () => {
    const bootstrap = content(text, "/usr/local/sbin/jairouter-bootstrap");
    expect(bootstrap).toContain("flock -w 3600 9");
    const lines = bootstrap.trimEnd().split("\n");
    expect(lines.findIndex((l) => l.startsWith('rm -f "$marker"'))).toBeLessThan(
      lines.findIndex((l) => l.includes("apt_get update")),
    );
    expect(lines.slice(-3)).toEqual([
      'date -u +%FT%TZ >"$marker.tmp"',
      'mv "$marker.tmp" "$marker"',
      'log "done"',
    ]);
    expect(bootstrap).toContain("marker=/var/lib/jairouter/bootstrap-done");
  });

  it("carries no node-exporter: it is a container the stack manages; the textfile directory stays", () => {
    expect(text).not.toMatch(/node-exporter\.service|prom\/node-exporter|docker run/);
    expect([...files(text).keys()].filter((p) => p.startsWith("/etc/systemd/system/"))).toEqual([
      "/etc/systemd/system/jairouter-data.service",
      "/etc/systemd/system/docker.service.d/10-jairouter-data.conf",
    ]);
    // the backup script's default (render/backup.ts) must be the directory the bootstrap creates
    const written = /dir=\$\{METRICS_DIR:-([^}]+)\}/.exec(renderBackupScript())?.[1];
    expect(written).toBe("/var/lib/node-exporter/textfile");
    expect(content(text, "/etc/jairouter/host.env")).toContain(`NODE_EXPORTER_TEXTFILE_DIR='${written}'`);
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      'install -d -m 0755 -o root -g root "$NODE_EXPORTER_TEXTFILE_DIR"',
    );
  });

  it("rotates host logs daily: 30 kept, audit 90, compressed", () => {
    const base = role === "app" ? "/data/jairouter/logs" : `/data/${role}/logs`;
    const conf = content(text, "/etc/logrotate.d/jairouter");
    const stanza = (glob: string) =>
      new RegExp(`${glob.replace(/[.*/]/g, "\\$&")} \\{([^}]*)\\}`).exec(conf)?.[1] ?? "";
    expect(stanza(`${base}/*.log`)).toMatch(/daily[\s\S]*rotate 30[\s\S]*compress/);
    expect(stanza(`${base}/audit/*.log`)).toMatch(/daily[\s\S]*rotate 90[\s\S]*compress/);
  });
});

describe("renderCloudInit: role differences and input checks", () => {
  it("gives app hosts data, logs and config owned by the image's UID 10010, and only app hosts", () => {
    const app = content(renderCloudInit(input("app")), "/etc/jairouter/directories");
    for (const dir of ["jairouter/data", "jairouter/logs", "jairouter/config"]) {
      expect(app).toMatch(new RegExp(`^${dir} 10010 10010 0750$`, "m"));
    }
    expect(content(renderCloudInit(input("app")), "/etc/jairouter/host.env")).toContain(
      "SERVICE_UID='10010'",
    );
    const lb = renderCloudInit(input("loadbalancer"));
    expect(content(lb, "/etc/jairouter/directories")).not.toContain("10010");
    expect(content(lb, "/etc/jairouter/host.env")).not.toContain("SERVICE_USER");
    expect(content(renderCloudInit(input("monitoring")), "/etc/jairouter/directories")).toContain(
      "monitoring/prometheus 65534 65534 0750",
    );
  });

  it("rejects values that could break out of the shell files or the wrong release", () => {
    const bad = input("app", {
      hostname: "App_1",
      deployUser: "ubuntu; reboot",
      docker: {
        engine: "5:27.5.1-1~ubuntu.22.04~jammy",
        containerd: "1.7.27-1'; reboot; '",
        compose: "2.33.1-1",
      },
      dataVolume: {
        volumeId: "vol-1; rm -rf /",
        deviceName: "/dev/nvme0n1",
        mountPoint: "/etc",
        filesystem: "ext4",
        waitSeconds: 0.5,
      },
    });
    let message = "";
    try {
      renderCloudInit(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const field of [
      "hostname",
      "deployUser",
      "docker.engine",
      "docker.containerd",
      "dataVolume.volumeId",
      "dataVolume.deviceName",
      "dataVolume.mountPoint",
      "dataVolume.waitSeconds",
    ]) {
      expect(message).toContain(`${field}:`);
    }
    expect(() => renderCloudInit(input("app", { deployUser: "root" }))).toThrow(/deployUser: not root/);
  });

  it("takes the data volume wait from the input, into host.env and the unit's timeout", () => {
    const text = renderCloudInit(
      input("app", {
        dataVolume: { ...input("app").dataVolume, waitSeconds: 3600 },
      }),
    );
    expect(content(text, "/etc/jairouter/host.env")).toContain("DATA_VOLUME_WAIT_SECONDS='3600'");
    const unit = parseUnit(content(text, "/etc/systemd/system/jairouter-data.service"));
    expect(Number(unit.Service!.TimeoutStartSec![0])).toBeGreaterThan(3600);
  });

  it("renders jammy hosts with jammy pins", () => {
    const text = renderCloudInit(
      input("app", {
        ubuntuRelease: "22.04",
        docker: {
          engine: "5:27.5.1-1~ubuntu.22.04~jammy",
          containerd: "1.7.27-1",
          compose: "2.33.1-1~ubuntu.22.04~jammy",
        },
      }),
    );
    expect(content(text, "/etc/jairouter/host.env")).toContain("UBUNTU_CODENAME='jammy'");
  });
});

// Compile-time: no field of the input names an image, so no image can reach the user data.
type ImageFields = Extract<keyof CloudInitInput, `${string}${"image" | "Image"}${string}`>;
const noImageField: [ImageFields] extends [never] ? true : false = true;

describe("user data is a stable bootstrap", () => {
  it("has no image among its inputs, and every input is listed for the README", () => {
    expect(noImageField).toBe(true);
    const inputs = Object.keys(USER_DATA_DEPENDS_ON.inputs);
    expect(inputs.filter((k) => /image|port|version|secret|password|token/i.test(k))).toEqual([]);
    for (const role of ROLES) {
      for (const key of Object.keys(input(role))) expect(inputs).toContain(key);
    }
    expect(USER_DATA_DEPENDS_ON.builtIn.length).toBeGreaterThan(0);
  });

  it("stays byte-identical whatever else the stack's settings carry (images, ports)", () => {
    for (const role of ROLES) {
      const settings = {
        ...input(role),
        nodeExporterImage: "prom/node-exporter:v1.9.2",
        nodeExporterPort: 9200,
      };
      const other = { ...input(role), nodeExporterImage: "prom/node-exporter:v2.0.0", jairouterImage: "x:2" };
      expect(renderCloudInit(settings)).toBe(renderCloudInit(input(role)));
      expect(renderCloudInit(other)).toBe(renderCloudInit(input(role)));
    }
  });

  it("changes only with what means a rebuild", () => {
    const base = renderCloudInit(input("app"));
    expect(renderCloudInit(input("app", { hostname: "prod-app-2" }))).not.toBe(base);
    expect(renderCloudInit(input("app", { deployUser: "deployer" }))).not.toBe(base);
    expect(
      renderCloudInit(
        input("app", { dataVolume: { ...input("app").dataVolume, volumeId: "vol-0fedcba9876543210" } }),
      ),
    ).not.toBe(base);
  });

  it("places every host script where the readiness gate looks for it", () => {
    const placed = hostFiles(input("app")).map((f) => f.path);
    for (const path of [
      HOST_PATHS.hostEnv,
      HOST_PATHS.directories,
      HOST_PATHS.bootstrap,
      HOST_PATHS.mountData,
    ]) {
      expect(placed).toContain(path);
    }
    const bootstrap = content(renderCloudInit(input("app")), HOST_PATHS.bootstrap);
    expect(bootstrap).toContain(`marker=${HOST_PATHS.bootstrapDone}`);
    expect(bootstrap).toContain(`. ${HOST_PATHS.hostEnv}`);
  });
});

/**
 * A data volume on a loop device, and runs of the mount script against it. Each run happens in a
 * private mount namespace with /etc under an overlay kept in the temp dir: the script reads and
 * writes /etc/jairouter and /etc/fstab as on a host, and this machine's own files stay untouched.
 * A new namespace is a reboot: the volume is unmounted, /etc (fstab included) persists.
 */
class LoopVolume {
  readonly dir = mkdtempSync(join(tmpdir(), "mount-data-"));
  readonly image = join(this.dir, "volume.img");
  readonly mount = join(this.dir, "data");
  readonly device: string;

  constructor(sizeMiB: number) {
    writeFileSync(this.image, "");
    truncateSync(this.image, sizeMiB * 2 ** 20);
    const attached = run("losetup", ["--find", "--show", this.image]);
    if (attached.status !== 0) throw new Error(`losetup: ${attached.stderr}`);
    this.device = attached.stdout.trim();
    for (const d of ["etc-upper", "etc-work", "bin"]) mkdirSync(join(this.dir, d));
    writeFileSync(join(this.dir, "jairouter-mount-data"), MOUNT_DATA_SCRIPT);
    // no systemd here: record the calls; docker.service is "not enabled"
    this.stub("systemctl", 'echo "systemctl $*" >>"$T/calls"\n[ "$1" = daemon-reload ]');
    // online resize needs a privilege some sandboxes refuse: record the call, the test grows offline
    this.stub("resize2fs", 'echo "resize2fs $*" >>"$T/calls"');
    writeFileSync(
      join(this.dir, "directories"),
      "jairouter 10010 10010 0755\njairouter/data 10010 10010 0750\n",
    );
    this.env({});
  }

  private stub(name: string, body: string) {
    const path = join(this.dir, "bin", name);
    writeFileSync(path, `#!/bin/bash\nT=${JSON.stringify(this.dir)}\n${body}\n`);
    chmodSync(path, 0o755);
  }

  /** Writes host.env as the renderer would, for this device (not a /dev/sdX name: the test's own). */
  env(overrides: Record<string, string>) {
    const values = {
      DATA_VOLUME_ID: "vol-00000000",
      DATA_DEVICE_NAME: this.device,
      DATA_MOUNT: this.mount,
      DATA_FS: "ext4",
      DATA_VOLUME_WAIT_SECONDS: "5",
      SERVICE_USER: "jairouter",
      SERVICE_UID: "10010",
      ...overrides,
    };
    writeFileSync(
      join(this.dir, "host.env"),
      Object.entries(values)
        .map(([k, v]) => `${k}='${v}'\n`)
        .join(""),
    );
  }

  /** Boots a namespace, runs `before`, the script `times` times (stops at a failure), then `after`. */
  boot(times: number, shell: { before?: string; after?: string } = {}) {
    const wrapper = [
      "set -eu",
      `T=${JSON.stringify(this.dir)}`,
      'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc',
      "install -d /etc/jairouter",
      'cp "$T/host.env" "$T/directories" /etc/jairouter/',
      'export PATH="$T/bin:$PATH"',
      shell.before ?? "",
      `for _ in $(seq ${times}); do bash "$T/jairouter-mount-data"; done`,
      shell.after ?? "",
    ].join("\n");
    const started = Date.now();
    const result = run("unshare", ["--mount", "--propagation", "private", "bash", "-c", wrapper]);
    return { ...result, seconds: (Date.now() - started) / 1000 };
  }

  calls(): string[] {
    const path = join(this.dir, "calls");
    return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n") : [];
  }

  fstab(): string {
    return readFileSync(join(this.dir, "etc-upper", "fstab"), "utf8");
  }

  resize(sizeMiB: number) {
    truncateSync(this.image, sizeMiB * 2 ** 20);
    expect(run("losetup", ["--set-capacity", this.device]).status).toBe(0);
  }

  remove() {
    run("losetup", ["--detach", this.device]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const MOUNT_TOOLS = ["unshare", "losetup", "blkid", "findmnt", "mountpoint", "blockdev", "cmp"];
const EXT4_TOOLS = ["mkfs.ext4", "dumpe2fs", "e2fsck", "resize2fs"];
// Loop devices and mount namespaces need root; elsewhere these runs are skipped.
const canRunMountScript = process.getuid?.() === 0 && toolsAvailable(...MOUNT_TOOLS, ...EXT4_TOOLS);
const MiB = 2 ** 20;

describe.runIf(canRunMountScript)("the data volume script, run for real on a loop device", () => {
  let volume: LoopVolume;
  beforeAll(() => {
    volume = new LoopVolume(64);
  });
  afterAll(() => volume?.remove());

  it("formats the blank volume once, mounts it by UUID, creates the directories; a second run changes nothing", () => {
    const r = volume.boot(2, {
      after: [
        'echo keep >"$T/data/jairouter/data/kept"',
        'findmnt -n -o SOURCE,FSTYPE --mountpoint "$T/data"',
        'stat -c "%n %u:%g %a" "$T/data/jairouter" "$T/data/jairouter/data"',
      ].join("\n"),
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.match(/formatting blank/g)).toHaveLength(1);
    expect(r.stdout.match(/: mounted /g)).toHaveLength(1);
    expect(r.stdout.match(/already fills it/g)).toHaveLength(2);
    expect(r.stdout).toMatch(new RegExp(`^${volume.device} ext4$`, "m"));
    expect(r.stdout).toContain(`${volume.mount}/jairouter 10010:10010 755`);
    expect(r.stdout).toContain(`${volume.mount}/jairouter/data 10010:10010 750`);
    const entries = volume
      .fstab()
      .split("\n")
      .filter((l) => l.startsWith("UUID="));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(new RegExp(`^UUID=[0-9a-f-]{36} ${volume.mount} ext4 defaults,nofail,`));
    expect(volume.calls().filter((c) => c === "systemctl daemon-reload")).toHaveLength(1);
  });

  it("after a reboot and a volume resize: mounts without formatting, keeps the data, grows the filesystem", () => {
    volume.resize(256);
    const r = volume.boot(1, { after: 'cat "$T/data/jairouter/data/kept"' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("formatting");
    expect(r.stdout).toContain(`: mounted ${volume.device}`);
    expect(r.stdout).toContain(`growing ext4 on ${volume.device} from ${64 * MiB} to ${256 * MiB} bytes`);
    expect(r.stdout).toMatch(/^keep$/m);
    expect(volume.calls()).toContain(`resize2fs ${volume.device}`);
  });

  it("leaves a filesystem that already fills the device alone", () => {
    // what the recorded resize2fs call does on a host, done offline here
    expect(run("e2fsck", ["-f", "-y", volume.device]).status).toBeLessThan(2);
    expect(run("/sbin/resize2fs", [volume.device]).status).toBe(0);
    const before = volume.calls().length;
    const r = volume.boot(1);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `ext4 on ${volume.device} already fills it (${256 * MiB} of ${256 * MiB} bytes)`,
    );
    expect(
      volume
        .calls()
        .slice(before)
        .filter((c) => c.startsWith("resize2fs")),
    ).toEqual([]);
    expect(
      volume
        .fstab()
        .split("\n")
        .filter((l) => l.startsWith("UUID=")),
    ).toHaveLength(1);
  });
});

describe.runIf(canRunMountScript)("the data volume script, when the volume is not what it expects", () => {
  let volume: LoopVolume;
  beforeEach(() => {
    volume = new LoopVolume(16);
  });
  afterEach(() => volume?.remove());

  it("never formats a device that carries no filesystem but is not blank", () => {
    const pattern = Buffer.alloc(4096, "not blank ");
    writeFileSync(volume.image, pattern, { flag: "r+" });
    const r = volume.boot(1);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${volume.device} has no filesystem but is not blank: not formatting it`);
    expect(readFileSync(volume.image).subarray(0, 4096).equals(pattern)).toBe(true);
  });

  it("waits as long as host.env says for the attachment, then fails clearly", () => {
    volume.env({ DATA_DEVICE_NAME: join(volume.dir, "not-attached"), DATA_VOLUME_WAIT_SECONDS: "2" });
    const r = volume.boot(1);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("waiting up to 2 s for volume vol-00000000");
    expect(r.stderr).toContain("volume vol-00000000 is not attached after 2 s");
    expect(r.seconds).toBeGreaterThanOrEqual(2);
    expect(r.seconds).toBeLessThan(8);
  });

  it("picks up a volume that attaches while it waits", () => {
    const late = join(volume.dir, "attached-late");
    volume.env({ DATA_DEVICE_NAME: late, DATA_VOLUME_WAIT_SECONDS: "30" });
    const r = volume.boot(1, { before: `(sleep 1; ln -s ${volume.device} ${late}) &` });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("waiting up to 30 s");
    expect(r.stdout).toContain(`: mounted ${volume.device}`);
    expect(r.seconds).toBeLessThan(15);
  });
});
