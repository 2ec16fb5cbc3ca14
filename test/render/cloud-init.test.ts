import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderBackupScript } from "../../render/backup";
import { renderCloudInit, type CloudInitInput } from "../../render/cloud-init";
import type { HostRole } from "../../render/host-types";
import { run, toolsAvailable, yamllint } from "../support/tools";

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
    nodeExporterImage: "prom/node-exporter:v1.9.1",
    nodeExporterPort: 9100,
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
  packages: string[];
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
    expect(Buffer.byteLength(text)).toBeLessThan(16384);
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
    const mount = content(text, "/usr/local/sbin/jairouter-mount-data");
    expect(mount).toContain("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$serial");
    expect(mount).toContain("serial=${DATA_VOLUME_ID//-/}");
    expect(mount).toMatch(/2\) .*mkfs -t "\$DATA_FS"/); // only on "no signature"
    expect(mount).toContain('echo "UUID=$uuid $DATA_MOUNT $DATA_FS defaults,nofail,');
    const config = parse(text) as CloudConfig;
    expect(config.runcmd).toEqual([["/usr/local/sbin/jairouter-bootstrap"]]);
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      "/usr/local/sbin/jairouter-mount-data",
    );
    expect(config.package_update).toBe(true);
  });

  it("installs pinned Docker from a fingerprint-checked repository and runs node-exporter", () => {
    const env = content(text, "/etc/jairouter/host.env");
    expect(env).toContain("DOCKER_KEY_FINGERPRINT='9DC858229FC7DD38854AE2D88D81803C0EBFCD88'");
    expect(env).toContain("DOCKER_ENGINE_VERSION='5:27.5.1-1~ubuntu.24.04~noble'");
    const docker = content(text, "/usr/local/sbin/jairouter-install-docker");
    expect(docker).toContain('"docker-compose-plugin=$COMPOSE_VERSION"');
    expect(docker).toContain("apt-mark hold");
    // the deployer's Docker provider connects as this user over SSH
    expect(env).toContain("DEPLOY_USER='ubuntu'");
    expect(docker).toContain('usermod -aG docker "$DEPLOY_USER"');
    const unit = content(text, "/etc/systemd/system/node-exporter.service");
    expect(unit).toContain("prom/node-exporter:v1.9.1 --path.rootfs=/host --web.listen-address=:9100");
    expect(content(text, "/usr/local/sbin/jairouter-bootstrap")).toContain(
      "snap start --enable amazon-ssm-agent",
    );
  });

  it("has node-exporter read the textfile directory the backup script writes, read-only", () => {
    const unit = content(text, "/etc/systemd/system/node-exporter.service");
    // the backup script's default (render/backup.ts) must be the directory mounted here
    const written = /dir=\$\{METRICS_DIR:-([^}]+)\}/.exec(renderBackupScript())?.[1];
    expect(written).toBe("/var/lib/node-exporter/textfile");
    expect(unit).toContain(`ExecStartPre=/usr/bin/install -d -m 0755 ${written}\n`);
    expect(unit).toContain(`--volume ${written}:/textfile:ro`);
    expect(unit).toContain("--collector.textfile.directory=/textfile");
    // the container stays unprivileged and read-only
    expect(unit).toContain("--read-only");
    expect(unit).toContain("--user 65534:65534");
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
      nodeExporterImage: "prom/node-exporter:latest",
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
      "nodeExporterImage",
      "docker.engine",
      "docker.containerd",
      "dataVolume.volumeId",
      "dataVolume.deviceName",
      "dataVolume.mountPoint",
    ]) {
      expect(message).toContain(`${field}:`);
    }
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
