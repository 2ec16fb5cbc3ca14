// A stand-in host for the backup and restore scripts: a temporary data root, stub `docker` and
// `chown` that record every call, the rendered scripts and env file, and a real `moto_server` as S3
// on loopback. The scripts under test are byte for byte the ones the stack places on hosts.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import {
  backupMetricsFile,
  renderBackupEnv,
  renderBackupScript,
  renderRestoreScript,
  type BackupEnvInput,
  type BackupMode,
} from "../../../render/backup";
import { startDaemon, type Daemon } from "./daemon";

export const REGION = "eu-west-1";

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Environment of every AWS CLI call: fake credentials, nothing read from the user's files. */
export function awsEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** moto_server on 127.0.0.1 at a free high port, ready within 30 s. */
export async function startS3(): Promise<{ daemon: Daemon; endpoint: string }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon(
    "moto_server",
    ["-H", "127.0.0.1", "-p", String(port)],
    async () => (await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(1_000) })).status < 500,
    30_000,
  );
  return { daemon, endpoint };
}

/** The AWS CLI against the local S3; throws with its output when it fails. */
export function s3(home: string, endpoint: string, args: string[]): string {
  const r = spawnSync("aws", ["--endpoint-url", endpoint, "--region", REGION, ...args], {
    encoding: "utf8",
    env: awsEnv(home),
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`aws ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

const DOCKER_STUB = `#!/bin/bash
# Records each call (with a hash of the probed file at that moment) and answers like a healthy host.
set -euo pipefail
probe=none
if [ -n "\${STUB_PROBE:-}" ] && [ -f "$STUB_PROBE" ]; then probe=$(sha256sum <"$STUB_PROBE" | cut -c1-16); fi
printf 'docker %s probe=%s\\n' "$*" "$probe" >>"$STUB_CALLS"
case "$1" in
  inspect) case "$*" in *Health*) echo healthy ;; *) echo "\${STUB_STATE:-running}" ;; esac ;;
  pause)
    # what the app writes until the instant it is frozen belongs in the backup
    if [ -n "\${STUB_ON_PAUSE_APPEND:-}" ]; then printf 'final-commit\\n' >>"$STUB_ON_PAUSE_APPEND"; fi
    if [ -n "\${STUB_ON_PAUSE_REMOVE:-}" ]; then rm -rf "$STUB_ON_PAUSE_REMOVE"; fi
    ;;
  unpause)
    # what it writes after it thaws must not be
    if [ -n "\${STUB_ON_PAUSE_APPEND:-}" ]; then printf 'after-unpause\\n' >>"$STUB_ON_PAUSE_APPEND"; fi
    ;;
esac
`;

const CHOWN_STUB = `#!/bin/bash
set -euo pipefail
printf 'chown %s\\n' "$*" >>"$STUB_CALLS"
`;

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Samples of a text exposition: `name{labels}` → value. Throws on a line it cannot read. */
export function parseExposition(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const sample = /^(\S+) (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    out[sample[1]!] = sample[2]!;
  }
  return out;
}

/** One stand-in host: data root, stubs, scripts, env file. */
export class BackupHost {
  readonly dataRoot: string;
  /** node-exporter's textfile directory of this host (METRICS_DIR in the env file). */
  readonly metricsDir: string;
  readonly calls: string;
  private readonly bin: string;
  private readonly envFile: string;

  constructor(
    readonly dir: string,
    endpoint: string,
    env: Omit<BackupEnvInput, "dataRoot" | "endpointUrl" | "docker" | "chown" | "region">,
  ) {
    this.dataRoot = join(dir, "data");
    this.metricsDir = join(dir, "textfile");
    this.bin = join(dir, "bin");
    this.calls = join(dir, "calls.log");
    this.envFile = join(dir, "backup.env");
    mkdirSync(this.dataRoot, { recursive: true });
    mkdirSync(this.bin, { recursive: true });
    const files: [string, string][] = [
      ["docker", DOCKER_STUB],
      ["chown", CHOWN_STUB],
      ["jairouter-backup", renderBackupScript()],
      ["jairouter-restore", renderRestoreScript()],
    ];
    for (const [name, text] of files) {
      writeFileSync(join(this.bin, name), text);
      chmodSync(join(this.bin, name), 0o755);
    }
    writeFileSync(
      this.envFile,
      renderBackupEnv({
        ...env,
        region: REGION,
        dataRoot: this.dataRoot,
        endpointUrl: endpoint,
        docker: join(this.bin, "docker"),
        chown: join(this.bin, "chown"),
        healthTimeoutSeconds: 20,
        healthPollSeconds: 1,
        retryDelaySeconds: 0,
        lockFile: join(dir, "backup.lock"),
        metricsDir: this.metricsDir,
      }),
    );
    writeFileSync(this.calls, "");
  }

  /** Writes `content` at `rel` under the data root (parents created), optionally `ageDays` old. */
  put(rel: string, content: string | Buffer, ageDays = 0): void {
    const path = join(this.dataRoot, rel);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
    if (ageDays > 0) {
      const when = new Date(Date.now() - ageDays * 86_400_000);
      spawnSync("touch", ["-d", when.toISOString(), path]);
    }
  }

  read(rel: string): Buffer {
    return readFileSync(join(this.dataRoot, rel));
  }

  exists(rel: string): boolean {
    return existsSync(join(this.dataRoot, rel));
  }

  /** Runs one of the scripts with `args`; `stub` adds STUB_* variables for the docker stub. */
  run(script: "jairouter-backup" | "jairouter-restore", args: string[], stub: Record<string, string> = {}) {
    writeFileSync(this.calls, "");
    return new Promise<ScriptRun>((resolve, reject) => {
      const child = spawn("bash", [join(this.bin, script), ...args], {
        env: {
          ...awsEnv(this.dir),
          JAIROUTER_BACKUP_ENV: this.envFile,
          STUB_CALLS: this.calls,
          ...stub,
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }

  /** Path of the textfile-collector file of `mode`. */
  metricsPath(mode: BackupMode): string {
    return join(this.metricsDir, backupMetricsFile(mode));
  }

  /** The samples the backup script left for `mode` (`name{mode="..."}` → value). */
  metrics(mode: BackupMode): Record<string, string> {
    return parseExposition(readFileSync(this.metricsPath(mode), "utf8"));
  }

  /** Entries of the textfile directory (none when it does not exist yet). */
  metricsEntries(): string[] {
    return existsSync(this.metricsDir) ? readdirSync(this.metricsDir).sort() : [];
  }

  /** The recorded stub calls of the last run, one per line. */
  recorded(): string[] {
    return readFileSync(this.calls, "utf8").split("\n").filter(Boolean);
  }

  /** Every file under `rel` (relative path → sha256), for byte-for-byte comparisons. */
  tree(rel: string): Record<string, string> {
    return hashTree(join(this.dataRoot, rel));
  }

  /** Entries directly under `rel`. */
  list(rel: string): string[] {
    return readdirSync(join(this.dataRoot, rel)).sort();
  }
}

/** Relative path → sha256 of every regular file under `root`. */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = sha256(readFileSync(path));
    }
  };
  walk(root);
  return out;
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The first 16 hex digits the docker stub records as `probe=`. */
export function probeOf(data: string | Buffer): string {
  return sha256(data).slice(0, 16);
}
