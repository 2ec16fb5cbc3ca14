import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_TEXTFILE_METRICS } from "../../render/metric-names";
import {
  BACKUP_METRICS,
  BACKUP_PATHS,
  BACKUP_PLAN,
  backupEnvProblems,
  backupHostFiles,
  renderBackupActivateScript,
  renderBackupEnv,
  renderBackupScript,
  renderBackupService,
  renderBackupTimer,
  renderRestoreScript,
  type BackupEnvInput,
} from "../../render/backup";
import { run, toolsAvailable } from "../support/tools";
import { parseUnit, verifyUnitsInRoot } from "../support/systemd-unit";

const ENV: BackupEnvInput = {
  role: "app",
  bucket: "jr-prod-backups-123456789012-eu-west-1",
  prefix: "app/jr-prod-app-0",
  region: "eu-west-1",
};

const SCRIPTS: Record<string, () => string> = {
  "jairouter-backup": renderBackupScript,
  "jairouter-restore": renderRestoreScript,
  "jairouter-backup-activate": renderBackupActivateScript,
};

describe("backup scripts", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "backup-render-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(toolsAvailable("shellcheck"))("are shellcheck-clean", () => {
    for (const [name, render] of Object.entries(SCRIPTS)) {
      const path = join(dir, name);
      writeFileSync(path, render());
      const result = run("shellcheck", ["-s", "bash", "--severity=style", path]);
      expect(`${name}\n${result.stdout}${result.stderr}`).toBe(`${name}\n`);
    }
  });

  it("fail fast, check every cd and keep secrets off command lines", () => {
    for (const [name, render] of Object.entries(SCRIPTS)) {
      const text = render();
      expect(text.startsWith("#!/bin/bash\n"), name).toBe(true);
      expect(text, name).toContain("set -euo pipefail");
      for (const line of text.split("\n").filter((l) => /(^|[\s;&|(])cd\s/.test(l))) {
        expect(line, `${name}: unchecked cd`).toMatch(/cd .*(\|\||&&)|^\s*#/);
      }
      expect(text, name).not.toMatch(/AWS_SECRET_ACCESS_KEY|--password|aws configure/);
      expect(text, name).not.toMatch(/@@[A-Z_]+@@/);
    }
  });

  it("bound every retry and wait", () => {
    const common = renderBackupScript();
    expect(common).toMatch(/RETRY_ATTEMPTS=\$\{RETRY_ATTEMPTS:-\d+\}/);
    expect(common).toMatch(/flock -w "\$LOCK_WAIT"/);
    expect(common).toMatch(/timeout "\$PAUSE_TIMEOUT" cp/);
    expect(renderRestoreScript()).toMatch(/deadline=\$\(\(SECONDS \+ HEALTH_TIMEOUT\)\)/);
    expect(renderBackupActivateScript()).toMatch(/for attempt in 1 2 3/);
  });

  it("report every run to node-exporter's textfile collector, from before anything can fail", () => {
    const text = renderBackupScript();
    // the exit handler is in place before the env file is read (COMMON starts with `set -e`)
    expect(text.indexOf("trap finish EXIT")).toBeGreaterThan(0);
    expect(text.indexOf("trap finish EXIT")).toBeLessThan(text.indexOf("set -euo pipefail"));
    expect(text).toContain("dir=${METRICS_DIR:-/var/lib/node-exporter/textfile}");
    expect(text).toContain('file="$dir/jairouter-backup-$REPORT_MODE.prom"');
    // the rename makes the file appear whole; the temporary name does not end in .prom
    expect(text).toMatch(/mktemp "\$dir\/\.jairouter-backup-\$REPORT_MODE\.XXXXXX"/);
    expect(text).toContain('chmod 0644 "$tmp" && mv -f -- "$tmp" "$file"');
    for (const name of Object.values(BACKUP_METRICS)) expect(text).toContain(`gauge ${name} `);
    // the handler keeps the exit status it was called with
    expect(text).toMatch(/finish\(\) \{\n {2}local rc=\$\?[\s\S]*?\n {2}exit "\$rc"\n\}/);
  });

  it("name their gauges as the allow-list of the rules and dashboards does", () => {
    // the allow-list's backup gauges are exactly the script's (the certificate gauges share the list)
    const listed = NODE_TEXTFILE_METRICS.filter((m) => m.startsWith("jairouter_backup_"));
    expect(Object.values(BACKUP_METRICS).sort()).toEqual([...listed].sort());
  });

  it("are the same on every host: only the env file differs", () => {
    const a = backupHostFiles(ENV);
    const b = backupHostFiles({ ...ENV, role: "monitoring", prefix: "monitoring/jr-prod-monitoring" });
    const differing = a.filter((f, i) => f.content !== b[i]!.content).map((f) => f.path);
    expect(differing).toEqual([BACKUP_PATHS.env]);
    expect(a.map((f) => [f.path, f.mode])).toEqual([
      ["/etc/jairouter/backup.env", "0644"],
      ["/usr/local/sbin/jairouter-backup", "0755"],
      ["/usr/local/sbin/jairouter-restore", "0755"],
      ["/etc/systemd/system/jairouter-backup@.service", "0644"],
      ["/etc/systemd/system/jairouter-backup-config.timer", "0644"],
      ["/etc/systemd/system/jairouter-backup-data.timer", "0644"],
    ]);
  });
});

describe("backup plan", () => {
  it("backs up JAiRouter's H2 database (/app/data) in both modes, paused, and restores it as 10010", () => {
    for (const mode of ["config", "data"] as const) {
      expect(BACKUP_PLAN.app[mode]).toContainEqual({
        kind: "paused-copy",
        path: "jairouter/data",
        container: "jairouter",
        uid: 10010,
      });
    }
    expect(BACKUP_PLAN.app.config.map((i) => i.path)).toContain("jairouter/config");
    expect(BACKUP_PLAN.app.data.find((i) => i.path === "jairouter/logs")?.kind).toBe("recent-logs");
  });

  it("snapshots Prometheus and copies Grafana and Alertmanager paused, as their image users", () => {
    expect(BACKUP_PLAN.monitoring.data).toEqual([
      { kind: "prometheus-snapshot", path: "monitoring/prometheus", container: "prometheus", uid: 65534 },
      { kind: "paused-copy", path: "monitoring/grafana", container: "grafana", uid: 472 },
      { kind: "paused-copy", path: "monitoring/alertmanager", container: "alertmanager", uid: 65534 },
    ]);
  });

  it("writes the plan into the scripts as the table they read", () => {
    const text = renderBackupScript();
    expect(text).toContain("app config paused-copy jairouter/data jairouter 10010\n");
    expect(text).toContain("monitoring data prometheus-snapshot monitoring/prometheus prometheus 65534\n");
    expect(text).toContain("-mtime -7 ");
  });
});

describe("backup env file", () => {
  it("names the bucket, the host's own prefix and the region, and nothing secret", () => {
    expect(renderBackupEnv(ENV)).toBe(
      [
        "# Where this host's backups go (rendered by the jairouter stack; nothing here is secret).",
        "BACKUP_ROLE='app'",
        "BACKUP_BUCKET='jr-prod-backups-123456789012-eu-west-1'",
        "BACKUP_PREFIX='app/jr-prod-app-0'",
        "AWS_REGION='eu-west-1'",
        "DATA_ROOT='/data'",
        "",
      ].join("\n"),
    );
  });

  it("takes test overrides: endpoint, data root, stubs", () => {
    const text = renderBackupEnv({
      ...ENV,
      endpointUrl: "http://127.0.0.1:15000",
      dataRoot: "/tmp/x/data",
      docker: "/tmp/x/bin/docker",
      chown: "/tmp/x/bin/chown",
      retryDelaySeconds: 0,
    });
    expect(text).toContain("AWS_ENDPOINT_URL='http://127.0.0.1:15000'\n");
    expect(text).toContain("DOCKER='/tmp/x/bin/docker'\n");
    expect(text).toContain("RETRY_DELAY='0'\n");
    expect(renderBackupEnv({ ...ENV, metricsDir: "/tmp/x/textfile" })).toContain(
      "METRICS_DIR='/tmp/x/textfile'\n",
    );
  });

  it("rejects every value that could break out of the sourced file, naming the key", () => {
    const problems = backupEnvProblems({
      role: "loadbalancer" as never,
      bucket: "Bad_Bucket'",
      prefix: "app/../other",
      region: "eu-west-1'; rm -rf /",
      dataRoot: "relative",
      endpointUrl: "http://127.0.0.1:1/$(id)",
      docker: "docker; id",
      chown: "ch own",
      healthTimeoutSeconds: -1,
      metricsDir: "textfile; id",
    });
    for (const key of [
      "role",
      "bucket",
      "prefix",
      "region",
      "dataRoot",
      "endpointUrl",
      "docker",
      "chown",
      "healthTimeoutSeconds",
      "metricsDir",
    ]) {
      expect(
        problems.some((p) => p.startsWith(`${key}:`)),
        key,
      ).toBe(true);
    }
    expect(backupEnvProblems({ ...ENV, prefix: "monitoring/jr-prod-app-0" })[0]).toMatch(/^prefix:/);
    expect(() => renderBackupEnv({ ...ENV, bucket: "a'b" })).toThrow(/invalid backup env input/);
    expect(backupEnvProblems(ENV)).toEqual([]);
  });
});

describe("backup systemd units", () => {
  it("run the backup as a oneshot per mode", () => {
    const unit = parseUnit(renderBackupService());
    expect(unit.Service!.Type).toEqual(["oneshot"]);
    expect(unit.Service!.ExecStart).toEqual([`${BACKUP_PATHS.backup} %i`]);
    expect(unit.Unit!.After![0]).toContain("docker.service");
    expect(unit.Install).toBeUndefined(); // started by its timers only
  });

  it("fire config daily at 02:00 and data at 03:00 UTC, caught up after downtime, spread a little", () => {
    for (const [mode, time] of [
      ["config", "02:00:00"],
      ["data", "03:00:00"],
    ] as const) {
      const timer = parseUnit(renderBackupTimer(mode));
      expect(timer.Timer!.OnCalendar).toEqual([`*-*-* ${time} UTC`]);
      expect(timer.Timer!.Persistent).toEqual(["true"]);
      expect(timer.Timer!.Unit).toEqual([`jairouter-backup@${mode}.service`]);
      const delay = /^(\d+)min$/.exec(timer.Timer!.RandomizedDelaySec![0]!);
      expect(Number(delay![1])).toBeLessThanOrEqual(15);
      expect(timer.Install!.WantedBy).toEqual(["timers.target"]);
    }
  });

  it.runIf(toolsAvailable("systemd-analyze"))("pass systemd-analyze (calendar and verify)", () => {
    for (const mode of ["config", "data"] as const) {
      const spec = parseUnit(renderBackupTimer(mode)).Timer!.OnCalendar![0]!;
      const calendar = run("systemd-analyze", ["calendar", spec]);
      expect(calendar.status, calendar.stderr).toBe(0);
      expect(calendar.stdout).toContain(`Normalized form: ${spec}`);
    }
    const placed = backupHostFiles(ENV).map((f) => ({ ...f, mode: Number.parseInt(f.mode, 8) }));
    const units = [
      "jairouter-backup-config.timer",
      "jairouter-backup-data.timer",
      "jairouter-backup@config.service",
      "jairouter-backup@data.service",
    ];
    expect(verifyUnitsInRoot(placed, units)).toBe("0\n");
  });
});
