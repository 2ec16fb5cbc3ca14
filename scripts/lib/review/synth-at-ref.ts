// Offline synths for the review: the working tree in this process, a git ref in a child process
// that runs that ref's own program and synth (`git archive` into a temporary directory, this
// checkout's node_modules linked in). Both sides come back in the form `out/<stack>/resources.json`
// records them (secrets redacted), so an unchanged tree diffs to nothing.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedResource } from "../mock-cloud";
import { readStackFile, withSynthSecrets } from "../stack-file";

/** A ref git cannot resolve, or a base whose synth fails: the CLI prints the message alone. */
export class BaseSynthError extends Error {
  override name = "BaseSynthError";
}

/** Secrets redacted and passed through JSON, exactly as the synth writes resources.json. */
function asRecorded(resources: readonly RecordedResource[], redact: (v: unknown) => unknown) {
  return JSON.parse(
    JSON.stringify(resources.map((r) => ({ ...r, inputs: redact(r.inputs) }))),
  ) as RecordedResource[];
}

/** The working tree's stack, synthesised in this process. */
export async function synthWorkingTree(stack: string, dir = process.cwd()): Promise<RecordedResource[]> {
  const config = await withSynthSecrets(readStackFile(stack, dir));
  const { synthesize, redact } = await import("../synth-core");
  const result = await synthesize({ stack, ...config });
  return asRecorded(result.resources, redact);
}

function git(dir: string, args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The commit a ref names, or an error that says how to name one. */
export function resolveRef(ref: string, dir = process.cwd()): string {
  try {
    return git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).trim();
  } catch {
    throw new BaseSynthError(
      `--base ${ref}: git knows no such commit here; pass a branch, tag or commit (e.g. --base origin/main, after \`git fetch\`)`,
    );
  }
}

/** A checkout of `commit` without touching this one: `git archive`, node_modules linked. */
export function exportCommit(commit: string, dir = process.cwd()): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "jairouter-review-base-"));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    const archive = execFileSync("git", ["-C", dir, "archive", "--format=tar", commit], {
      maxBuffer: 1 << 30,
    });
    execFileSync("tar", ["-x", "-C", root], { input: archive });
    symlinkSync(join(dir, "node_modules"), join(root, "node_modules"), "dir");
    return { root, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * The stack as `root` (an exported commit) synthesises it, run by that commit's own synth script.
 * A stack file the commit does not have yet yields no resources: everything is new.
 */
export function synthExported(root: string, stack: string, label: string): RecordedResource[] {
  if (!existsSync(join(root, `Pulumi.${stack}.yaml`))) return [];
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const run = spawnSync(tsx, ["scripts/synth.ts", stack], { cwd: root, encoding: "utf8" });
  if (run.status !== 0)
    throw new BaseSynthError(
      `the synth of ${stack} at ${label} failed (exit ${run.status}): ${(run.stderr || run.stdout).trim()}`,
    );
  return JSON.parse(readFileSync(join(root, "out", stack, "resources.json"), "utf8")) as RecordedResource[];
}
