import { spawnSync } from "node:child_process";

/** True when the command is on PATH. */
export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
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
