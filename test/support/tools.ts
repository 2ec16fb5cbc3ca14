import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when the command is on PATH. */
export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** Absolute path of a command on PATH (env files want a binary's path); throws when missing. */
export function toolPath(name: string): string {
  const path = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (!path.startsWith("/")) throw new Error(`${name} not found on PATH`);
  return path;
}

/**
 * Whether tests needing `names` may run. Outside CI a missing validator skips the test (developer
 * machines may lack a Debian package); under CI=true it is a hard failure, so a broken install step
 * can never turn into a silently green run.
 */
export function toolsAvailable(...names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return true;
  if (process.env.CI === "true") {
    throw new Error(`CI=true but required tool(s) missing: ${missing.join(", ")} (install them in .ci/run)`);
  }
  return false;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command synchronously and returns its exit status and output. */
export function run(cmd: string, args: string[], opts: { input?: string; cwd?: string } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", input: opts.input, cwd: opts.cwd, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** yamllint's relaxed rules without the line-length limit (rendered files have long lines). */
export const YAMLLINT_RELAXED = "{extends: relaxed, rules: {line-length: disable}}";

/**
 * Runs yamllint with `config` on YAML text; `report` is empty when the text is clean. `strict`
 * makes warnings fail too.
 */
export function yamllint(
  text: string,
  config = YAMLLINT_RELAXED,
  strict = false,
): { status: number | null; report: string } {
  const dir = mkdtempSync(join(tmpdir(), "yamllint-"));
  try {
    const file = join(dir, "file.yml");
    writeFileSync(file, text);
    const r = run("yamllint", ["-f", "parsable", ...(strict ? ["-s"] : []), "-d", config, file]);
    return { status: r.status, report: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
