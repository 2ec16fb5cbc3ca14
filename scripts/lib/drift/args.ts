// Flags of `npm run drift -- <stack> [...]`. Bad input: an error naming the flag and the fix.

export interface DriftArgs {
  stack: string;
  /** `pulumi stack export --show-secrets` output to read instead of calling the CLI. */
  state?: string;
  /** Expected values from the offline synth instead of the stack's state (no cloud). */
  synth: boolean;
  /** `pulumi preview --refresh --json` output to read instead of calling the CLI. */
  preview?: string;
  previous?: string;
  /** Directory of drift-report.json and drift-report.md. */
  out: string;
  fix: boolean;
}

export const USAGE = `usage: npm run drift -- <stack> [--state <export.json> | --synth] [--preview <preview.json>]
                          [--previous <drift-report.json>] [--out <dir>] [--fix]`;

const VALUE_FLAGS = ["--state", "--preview", "--previous", "--out"] as const;

export function parseDriftArgs(argv: string[]): DriftArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((VALUE_FLAGS as readonly string[]).includes(arg)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`${arg} needs a value\n${USAGE}`);
      values[arg] = value;
    } else if (arg === "--synth" || arg === "--fix") flags.add(arg);
    else if (arg.startsWith("--")) throw new Error(`unknown flag ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new Error(`name exactly one stack (got ${positional.length})\n${USAGE}`);
  const stack = positional[0]!;
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new Error(`stack "${stack}": letters, digits, _ . - only\n${USAGE}`);
  if (flags.has("--synth") && values["--state"])
    throw new Error(`--synth and --state both name where expected values come from: pick one\n${USAGE}`);
  if (flags.has("--synth") && flags.has("--fix"))
    throw new Error("--fix re-applies what the stack's state holds: it cannot run with --synth");
  return {
    stack,
    state: values["--state"],
    synth: flags.has("--synth"),
    preview: values["--preview"],
    previous: values["--previous"],
    out: values["--out"] ?? `out/${stack}/drift`,
    fix: flags.has("--fix"),
  };
}
