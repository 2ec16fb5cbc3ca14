/**
 * R8.2: the real backup and restore scripts (the bytes the stack places on hosts) round-trip a
 * host's state through a real S3 API (moto_server on 127.0.0.1). Docker and chown are stubs that
 * record their calls, with a hash of the H2 file at each call, so the order "stop, restore, start"
 * is checked on the data itself, not only on the call list.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, toolsAvailable } from "../support/tools";
import { startDaemon, type Daemon } from "./support/daemon";
import { BackupHost, REGION, freePort, hashTree, probeOf, s3, sha256, startS3 } from "./support/backup-host";

const BUCKET = "jr-e2e-backups";
const TS = /^\d{8}T\d{6}Z$/;

/** The gauges the script leaves for node-exporter's textfile collector (the alerts' contract). */
const GAUGE = {
  success: "jairouter_backup_last_success_timestamp_seconds",
  run: "jairouter_backup_last_run_timestamp_seconds",
  ok: "jairouter_backup_last_run_success",
  size: "jairouter_backup_last_size_bytes",
} as const;
const metric = (gauge: keyof typeof GAUGE, mode: string) => `${GAUGE[gauge]}{mode="${mode}"}`;
const now = () => Math.floor(Date.now() / 1000);

/** Calls without the probe hash. */
const plain = (calls: string[]) => calls.map((c) => c.replace(/ probe=\S+$/, ""));

describe.skipIf(!toolsAvailable("moto_server", "aws", "tar", "curl", "jq"))(
  "backup and restore (local S3)",
  () => {
    let dir = "";
    let moto: Daemon | undefined;
    let endpoint = "";
    const aws = (...args: string[]) => s3(dir, endpoint, args);
    const keys = (prefix: string): string[] =>
      JSON.parse(
        aws(
          "s3api",
          "list-objects-v2",
          "--bucket",
          BUCKET,
          "--prefix",
          prefix,
          "--query",
          "Contents[].Key",
          "--output",
          "json",
        ),
      ) ?? [];

    /** Downloads `<prefix>/<ts>.tar.gz`, checks its sha256 file, extracts it; returns the directory. */
    const fetchBackup = (prefix: string, ts: string): string => {
      const out = join(dir, "fetched", prefix, ts);
      mkdirSync(join(out, "tree"), { recursive: true });
      aws("s3", "cp", "--only-show-errors", `s3://${BUCKET}/${prefix}/${ts}.tar.gz`, join(out, "a.tar.gz"));
      aws(
        "s3",
        "cp",
        "--only-show-errors",
        `s3://${BUCKET}/${prefix}/${ts}.tar.gz.sha256`,
        join(out, "a.sha256"),
      );
      const archive = readFileSync(join(out, "a.tar.gz"));
      expect(readFileSync(join(out, "a.sha256"), "utf8")).toBe(`${sha256(archive)}  ${ts}.tar.gz\n`);
      const x = run("tar", ["-xzf", join(out, "a.tar.gz"), "-C", join(out, "tree")]);
      expect(x.status, x.stderr).toBe(0);
      return join(out, "tree");
    };

    /** The timestamp of the only complete backup under `prefix` written by the last run. */
    const newest = (prefix: string): string => {
      const stamps = keys(`${prefix}/`)
        .filter((k) => k.endsWith(".tar.gz.sha256"))
        .map((k) => k.split("/").pop()!.replace(".tar.gz.sha256", ""))
        .sort();
      const ts = stamps.pop()!;
      expect(ts).toMatch(TS);
      return ts;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "backup-e2e-"));
      ({ daemon: moto, endpoint } = await startS3());
      aws(
        "s3api",
        "create-bucket",
        "--bucket",
        BUCKET,
        "--create-bucket-configuration",
        `LocationConstraint=${REGION}`,
      );
      aws(
        "s3api",
        "put-bucket-versioning",
        "--bucket",
        BUCKET,
        "--versioning-configuration",
        "Status=Enabled",
      );
    });

    afterAll(async () => {
      await moto?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe("app host", () => {
      const PREFIX = "app/jr-e2e-app-0";
      const H2 = "jairouter/data/jairouter.mv.db";
      const original = randomBytes(256 * 1024);
      let host: BackupHost;
      let configTs = "";
      let configTree: Record<string, string> = {};
      let dataTs = "";

      beforeAll(() => {
        host = new BackupHost(join(dir, "app"), endpoint, { role: "app", bucket: BUCKET, prefix: PREFIX });
        host.put(H2, original);
        host.put("jairouter/data/jairouter.trace.db", "trace\n");
        host.put("jairouter/config/application.yml", "server:\n  port: 8080\n");
        host.put("jairouter/config/model-seed.yml", "model: {}\n");
        host.put("jairouter/logs/jairouter.json", '{"level":"INFO"}\n');
        host.put("jairouter/logs/audit/audit.log", "login ok\n");
        host.put("jairouter/logs/jairouter-2020-01-01.json", "old\n", 10);
      });

      it("backs up config and the H2 database, copied while the app is paused", async () => {
        const started = now();
        const r = await host.run("jairouter-backup", ["config"], {
          STUB_ON_PAUSE_APPEND: join(host.dataRoot, H2),
        });
        const ended = now();
        expect(r.status, r.stderr).toBe(0);
        expect(plain(host.recorded())).toEqual([
          "docker inspect --format {{.State.Status}} jairouter",
          "docker pause jairouter",
          "docker unpause jairouter",
        ]);
        configTs = newest(`${PREFIX}/config`);
        expect(keys(`${PREFIX}/config/`).sort()).toEqual([
          `${PREFIX}/config/${configTs}.tar.gz`,
          `${PREFIX}/config/${configTs}.tar.gz.sha256`,
        ]);
        const tree = fetchBackup(`${PREFIX}/config`, configTs);
        // everything written up to the pause, nothing written after it
        expect(readFileSync(join(tree, H2))).toEqual(
          Buffer.concat([original, Buffer.from("final-commit\n")]),
        );
        expect(readFileSync(join(tree, "jairouter/config/application.yml"), "utf8")).toBe(
          "server:\n  port: 8080\n",
        );
        configTree = hashTree(tree);
        expect(Object.keys(configTree).sort()).toEqual([
          "jairouter/config/application.yml",
          "jairouter/config/model-seed.yml",
          "jairouter/data/jairouter.mv.db",
          "jairouter/data/jairouter.trace.db",
        ]);
        expect(host.list(".jairouter-backup")).toEqual([]); // the work directory is gone

        // the outcome, for node-exporter's textfile collector: all four gauges, readable by its user
        const m = host.metrics("config");
        expect(Object.keys(m).sort()).toEqual(
          (["run", "ok", "size", "success"] as const).map((g) => metric(g, "config")).sort(),
        );
        expect(m[metric("ok", "config")]).toBe("1");
        expect(Number(m[metric("run", "config")])).toBeGreaterThanOrEqual(started);
        expect(Number(m[metric("run", "config")])).toBeLessThanOrEqual(ended);
        expect(m[metric("success", "config")]).toBe(m[metric("run", "config")]);
        const stored = aws(
          "s3api",
          "head-object",
          "--bucket",
          BUCKET,
          "--key",
          `${PREFIX}/config/${configTs}.tar.gz`,
          "--query",
          "ContentLength",
          "--output",
          "text",
        );
        expect(m[metric("size", "config")]).toBe(stored.trim());
        expect(statSync(host.metricsPath("config")).mode & 0o777).toBe(0o644);
        // renamed into place: no temporary file left behind
        expect(host.metricsEntries()).toEqual(["jairouter-backup-config.prom"]);
      });

      it.runIf(toolsAvailable("promtool"))("writes metrics promtool accepts", () => {
        const text = readFileSync(host.metricsPath("config"), "utf8");
        const r = run("promtool", ["check", "metrics"], { input: text });
        expect(r.status, r.stdout + r.stderr).toBe(0);
      });

      it("backs up data: the H2 database and the last 7 days of logs", async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_100)); // a new second, a new timestamp
        const config = readFileSync(host.metricsPath("config"), "utf8");
        const r = await host.run("jairouter-backup", ["data"]);
        expect(r.status, r.stderr).toBe(0);
        dataTs = newest(`${PREFIX}/data`);
        // one file per mode: a data run leaves the config outcome alone
        expect(host.metrics("data")[metric("ok", "data")]).toBe("1");
        expect(readFileSync(host.metricsPath("config"), "utf8")).toBe(config);
        expect(host.metricsEntries()).toEqual(["jairouter-backup-config.prom", "jairouter-backup-data.prom"]);
        const files = Object.keys(hashTree(fetchBackup(`${PREFIX}/data`, dataTs))).sort();
        expect(files).toEqual([
          "jairouter/data/jairouter.mv.db",
          "jairouter/data/jairouter.trace.db",
          "jairouter/logs/audit/audit.log",
          "jairouter/logs/jairouter.json",
        ]);
      });

      it("restores the latest complete config backup: stop, swap in, fix owners, start, health", async () => {
        // an older complete backup and a newer incomplete one (no checksum): neither may be chosen
        const decoy = join(dir, "decoy");
        mkdirSync(join(decoy, "jairouter/data"), { recursive: true });
        mkdirSync(join(decoy, "jairouter/config"), { recursive: true });
        writeFileSync(join(decoy, "jairouter/data/jairouter.mv.db"), "DECOY\n");
        expect(
          run("tar", ["-C", decoy, "-czf", join(dir, "decoy.tar.gz"), "jairouter/config", "jairouter/data"])
            .status,
        ).toBe(0);
        writeFileSync(join(dir, "decoy.sha256"), `${sha256(readFileSync(join(dir, "decoy.tar.gz")))}  x\n`);
        const old = `${PREFIX}/config/20000101T000000Z.tar.gz`;
        aws("s3", "cp", "--only-show-errors", join(dir, "decoy.tar.gz"), `s3://${BUCKET}/${old}`);
        aws("s3", "cp", "--only-show-errors", join(dir, "decoy.sha256"), `s3://${BUCKET}/${old}.sha256`);
        aws(
          "s3",
          "cp",
          "--only-show-errors",
          join(dir, "decoy.tar.gz"),
          `s3://${BUCKET}/${PREFIX}/config/29991231T235959Z.tar.gz`,
        );

        host.put(H2, "CORRUPT\n");
        rmSync(join(host.dataRoot, "jairouter/config/application.yml"));
        host.put("jairouter/data/stray.db", "stray\n");

        const r = await host.run("jairouter-restore", ["config", "latest"], {
          STUB_PROBE: join(host.dataRoot, H2),
        });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain(`restoring config backup ${configTs} of ${PREFIX}`);

        // byte for byte what was backed up, and nothing else
        expect({ ...host.tree("jairouter/config"), ...host.tree("jairouter/data") }).toEqual(
          Object.fromEntries(
            Object.entries(configTree).map(([k, v]) => [k.replace(/^jairouter\/(config|data)\//, ""), v]),
          ),
        );
        // the previous copy is kept
        const kept = host.list("jairouter").filter((n) => n.startsWith("data.pre-restore-"));
        expect(kept).toHaveLength(1);
        expect(host.read(`jairouter/${kept[0]}/jairouter.mv.db`).toString()).toBe("CORRUPT\n");
        expect(host.exists(`jairouter/${kept[0]}/stray.db`)).toBe(true);

        const calls = host.recorded();
        const restored = readFileSync(join(host.dataRoot, H2));
        const at = (pattern: RegExp) => calls.findIndex((c) => pattern.test(c));
        const stop = at(/^docker stop --time \d+ jairouter /);
        const start = at(/^docker start jairouter /);
        const chowns = calls.filter((c) => c.startsWith("chown "));
        expect(chowns).toEqual([
          `chown -R 10010:10010 ${host.dataRoot}/jairouter/config`,
          `chown -R 10010:10010 ${host.dataRoot}/jairouter/data`,
        ]);
        expect(stop).toBeGreaterThanOrEqual(0);
        expect(calls[stop]).toContain(`probe=${probeOf("CORRUPT\n")}`); // stopped before the data moved
        expect(calls[start]).toContain(`probe=${probeOf(restored)}`); // started on the restored data
        expect(stop).toBeLessThan(at(/^chown /));
        expect(calls.lastIndexOf(chowns[1]!)).toBeLessThan(start);
        expect(calls.slice(start + 1).some((c) => c.includes("Health.Status"))).toBe(true);
      });

      it("refuses a tampered archive (checksum mismatch) without touching data or containers", async () => {
        host.put(H2, "CORRUPT-2\n");
        const before = host.tree("jairouter");
        const archive = readFileSync(join(dir, "fetched", `${PREFIX}/config`, configTs, "a.tar.gz"));
        const tampered = Buffer.from(archive);
        const at = tampered.length - 20;
        tampered.writeUInt8(tampered.readUInt8(at) ^ 0xff, at);
        writeFileSync(join(dir, "tampered.tar.gz"), tampered);
        aws(
          "s3",
          "cp",
          "--only-show-errors",
          join(dir, "tampered.tar.gz"),
          `s3://${BUCKET}/${PREFIX}/config/${configTs}.tar.gz`,
        );

        for (const which of [configTs, "latest"]) {
          const r = await host.run("jairouter-restore", ["config", which]);
          expect(r.status, which).not.toBe(0);
          expect(r.stderr).toContain(`checksum mismatch for ${configTs}`);
          expect(r.stderr).toContain("nothing was changed on this host");
          expect(host.recorded().filter((c) => /^docker (stop|start)|^chown/.test(c))).toEqual([]);
          expect(host.tree("jairouter")).toEqual(before);
        }
      });

      it("restores a data backup by timestamp, putting logs next to the current ones", async () => {
        host.put("jairouter/logs/jairouter-today.json", "since the backup\n");
        const expected = hashTree(join(dir, "fetched", `${PREFIX}/data`, dataTs, "tree", "jairouter/data"));
        const r = await host.run("jairouter-restore", ["data", dataTs]);
        expect(r.status, r.stderr).toBe(0);
        expect(host.tree("jairouter/data")).toEqual(expected);
        expect(host.read("jairouter/logs/jairouter-today.json").toString()).toBe("since the backup\n");
        const restoredLogs = host.list("jairouter/logs").filter((n) => n.startsWith("restored-"));
        expect(restoredLogs).toHaveLength(1);
        expect(Object.keys(host.tree(`jairouter/logs/${restoredLogs[0]}`)).sort()).toEqual([
          "audit/audit.log",
          "jairouter.json",
        ]);
        expect(host.recorded()).toContain(
          `chown -R 10010:10010 ${host.dataRoot}/jairouter/logs/${restoredLogs[0]}`,
        );
      });

      it("rejects bad arguments before doing anything", async () => {
        for (const args of [
          ["config"],
          ["everything", "latest"],
          ["config", "yesterday"],
          ["config", "../x"],
        ]) {
          const r = await host.run("jairouter-restore", args);
          expect(r.status, args.join(" ")).toBe(2);
          expect(host.recorded()).toEqual([]);
        }
        const metrics = readFileSync(host.metricsPath("config"), "utf8");
        expect((await host.run("jairouter-backup", ["all"])).status).toBe(2);
        expect((await host.run("jairouter-backup", ["config", "extra"])).status).toBe(2);
        // a call without one valid mode reports nothing
        expect(host.metricsEntries()).toEqual(["jairouter-backup-config.prom", "jairouter-backup-data.prom"]);
        expect(readFileSync(host.metricsPath("config"), "utf8")).toBe(metrics);
      });

      it("fails, thaws the app and reports the failure, when the copy fails while it is paused", async () => {
        const before = keys(`${PREFIX}/`).length;
        const previous = host.metrics("config");
        const started = now();
        const r = await host.run("jairouter-backup", ["config"], {
          STUB_ON_PAUSE_REMOVE: join(host.dataRoot, "jairouter/data"),
        });
        expect(r.status).not.toBe(0);
        // the failure is reported; the last success (time and size) stays what it was
        const m = host.metrics("config");
        expect(m[metric("ok", "config")]).toBe("0");
        expect(Number(m[metric("run", "config")])).toBeGreaterThanOrEqual(started);
        expect(m[metric("success", "config")]).toBe(previous[metric("success", "config")]);
        expect(m[metric("size", "config")]).toBe(previous[metric("size", "config")]);
        expect(host.metrics("data")[metric("ok", "data")]).toBe("1");
        expect(plain(host.recorded()).slice(-2)).toEqual([
          "docker pause jairouter",
          "docker unpause jairouter",
        ]);
        expect(keys(`${PREFIX}/`)).toHaveLength(before);
      });

      it("fails when S3 refuses the upload, after a bounded number of tries", async () => {
        const lost = new BackupHost(join(dir, "lost"), endpoint, {
          role: "app",
          bucket: "jr-e2e-no-such-bucket",
          prefix: "app/jr-e2e-app-1",
        });
        lost.put("jairouter/config/application.yml", "x\n");
        lost.put(H2, "h2\n");
        const r = await lost.run("jairouter-backup", ["config"]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/giving up after \d+ attempts/);
        expect(r.stderr).toContain("no complete config backup was written");
        expect(plain(lost.recorded())).toContain("docker unpause jairouter");
        // a host that never succeeded reports the failed run and no success at all
        expect(lost.metrics("config")).toEqual({
          [metric("run", "config")]: expect.stringMatching(/^\d{10}$/),
          [metric("ok", "config")]: "0",
        });
      });

      it("reports a run that fails before it starts, keeping its exit status", async () => {
        const early = new BackupHost(join(dir, "early"), endpoint, {
          role: "app",
          bucket: BUCKET,
          prefix: "app/jr-e2e-app-2",
        });
        rmSync(early.dataRoot, { recursive: true }); // the data volume is not mounted
        const r = await early.run("jairouter-backup", ["data"]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("is not a directory");
        expect(r.stderr).toContain("FAILED (exit 1) before the data backup started");
        expect(early.recorded()).toEqual([]);
        expect(early.metrics("data")[metric("ok", "data")]).toBe("0");
      });

      it("does not fail a good backup over a textfile directory it cannot write", async () => {
        const blocked = new BackupHost(join(dir, "blocked"), endpoint, {
          role: "app",
          bucket: BUCKET,
          prefix: "app/jr-e2e-app-3",
        });
        blocked.put("jairouter/config/application.yml", "x\n");
        blocked.put(H2, "h2\n");
        writeFileSync(blocked.metricsDir, "not a directory\n");
        const r = await blocked.run("jairouter-backup", ["config"]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain(`could not write the backup metrics to ${blocked.metricsDir}`);
        expect(keys("app/jr-e2e-app-3/config/")).toHaveLength(2);
      });

      it.runIf(toolsAvailable("prometheus-node-exporter"))(
        "node-exporter's textfile collector exports what the script wrote",
        async () => {
          const port = await freePort();
          const url = `http://127.0.0.1:${port}/metrics`;
          const exporter = await startDaemon(
            "prometheus-node-exporter",
            [
              "--collector.disable-defaults",
              "--collector.textfile",
              `--collector.textfile.directory=${host.metricsDir}`,
              `--web.listen-address=127.0.0.1:${port}`,
            ],
            async () => (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok,
          );
          try {
            const text = await (await fetch(url)).text();
            expect(text).toMatch(/^node_textfile_scrape_error 0$/m);
            for (const mode of ["config", "data"] as const) {
              for (const [sample, value] of Object.entries(host.metrics(mode))) {
                const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
                expect(line, sample).toBeDefined();
                expect(Number(line!.slice(sample.length + 1)), sample).toBe(Number(value));
              }
            }
          } finally {
            await exporter.stop();
          }
        },
      );
    });

    describe("monitoring host", () => {
      const PREFIX = "monitoring/jr-e2e-monitoring";
      let host: BackupHost;
      let prometheus: Server;
      let adminApi = true;
      let snapshots = 0;
      const grafanaDb = randomBytes(64 * 1024);

      beforeAll(async () => {
        // Prometheus' snapshot API as the real one answers it, writing into the data volume
        prometheus = createServer((req, res) => {
          if (req.method !== "POST" || req.url !== "/api/v1/admin/tsdb/snapshot" || !adminApi) {
            res.writeHead(404, { "content-type": "application/json" });
            res.end('{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}');
            return;
          }
          snapshots++;
          const name = `20250101T000000Z-${snapshots}a2b3c4d5e6f7`;
          const block = join(host.dataRoot, "monitoring/prometheus/snapshots", name, "01JBLOCK");
          mkdirSync(join(block, "chunks"), { recursive: true });
          writeFileSync(join(block, "meta.json"), '{"ulid":"01JBLOCK"}\n');
          writeFileSync(join(block, "chunks/000001"), "chunk data\n");
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ status: "success", data: { name } }));
        });
        await new Promise<void>((resolve) => prometheus.listen(0, "127.0.0.1", () => resolve()));
        const address = prometheus.address();
        const port = typeof address === "object" && address ? address.port : 0;
        host = new BackupHost(join(dir, "monitoring"), endpoint, {
          role: "monitoring",
          bucket: BUCKET,
          prefix: PREFIX,
          prometheusUrl: `http://127.0.0.1:${port}`,
        });
        host.put("monitoring/prometheus/wal/00000001", "wal\n");
        host.put("monitoring/prometheus/01JOLD/meta.json", "{}\n");
        host.put("monitoring/grafana/grafana.db", grafanaDb);
        host.put("monitoring/alertmanager/silences", "silence\n");
        host.put("monitoring/alertmanager/nflog", "nflog\n");
      });

      afterAll(async () => {
        await new Promise<void>((resolve) => prometheus?.close(() => resolve()));
      });

      it("backs up Prometheus through a snapshot and Grafana and Alertmanager paused", async () => {
        const r = await host.run("jairouter-backup", ["data"]);
        expect(r.status, r.stderr).toBe(0);
        expect(snapshots).toBe(1);
        expect(host.list("monitoring/prometheus/snapshots")).toEqual([]); // removed once archived
        expect(plain(host.recorded())).toEqual([
          "docker inspect --format {{.State.Status}} grafana",
          "docker pause grafana",
          "docker unpause grafana",
          "docker inspect --format {{.State.Status}} alertmanager",
          "docker pause alertmanager",
          "docker unpause alertmanager",
        ]);
        const tree = hashTree(fetchBackup(`${PREFIX}/data`, newest(`${PREFIX}/data`)));
        expect(Object.keys(tree).sort()).toEqual([
          "monitoring/alertmanager/nflog",
          "monitoring/alertmanager/silences",
          "monitoring/grafana/grafana.db",
          "monitoring/prometheus/01JBLOCK/chunks/000001",
          "monitoring/prometheus/01JBLOCK/meta.json",
        ]);
      });

      it("restores it: every service stopped first, owners 65534 and 472, started after", async () => {
        host.put("monitoring/grafana/grafana.db", "CORRUPT\n");
        rmSync(join(host.dataRoot, "monitoring/alertmanager/silences"));
        const r = await host.run("jairouter-restore", ["data", "latest"]);
        expect(r.status, r.stderr).toBe(0);
        expect(host.read("monitoring/grafana/grafana.db")).toEqual(grafanaDb);
        expect(host.read("monitoring/alertmanager/silences").toString()).toBe("silence\n");
        expect(Object.keys(host.tree("monitoring/prometheus")).sort()).toEqual([
          "01JBLOCK/chunks/000001",
          "01JBLOCK/meta.json",
        ]);
        const calls = plain(host.recorded()).filter((c) => !c.startsWith("docker inspect"));
        expect(calls).toEqual([
          "docker stop --time 60 prometheus",
          "docker stop --time 60 grafana",
          "docker stop --time 60 alertmanager",
          `chown -R 65534:65534 ${host.dataRoot}/monitoring/prometheus`,
          `chown -R 472:472 ${host.dataRoot}/monitoring/grafana`,
          `chown -R 65534:65534 ${host.dataRoot}/monitoring/alertmanager`,
          "docker start prometheus",
          "docker start grafana",
          "docker start alertmanager",
        ]);
      });

      it("fails, and reports it, when Prometheus runs without the admin API", async () => {
        const previous = host.metrics("data");
        expect(previous[metric("ok", "data")]).toBe("1");
        adminApi = false;
        const r = await host.run("jairouter-backup", ["data"]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("--web.enable-admin-api");
        expect(host.metrics("data")[metric("ok", "data")]).toBe("0");
        expect(host.metrics("data")[metric("success", "data")]).toBe(previous[metric("success", "data")]);
      });
    });
  },
);
