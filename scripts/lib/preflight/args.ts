import { readFileSync } from "node:fs";
import { CHECK_GROUPS, type CheckGroup } from "./checks";
import type { QuotaFixture } from "./quotas";
import { UsageError } from "./stack-source";

export const USAGE = `usage: npm run preflight -- <stack> [--with <stack>]... [--json] [--skip <group>[,<group>]]
                               [--quotas-file <file.json>] [--principal-arn <arn>]
  <stack>            reads Pulumi.<stack>.yaml (aws:region, settings, secure keys)
  --with <stack>     add another stack's needs to the quota lines (same account and region)
  --json             print the checklist as JSON
  --skip <groups>    leave out groups: ${CHECK_GROUPS.join(", ")}
  --quotas-file <f>  quota values instead of the Service Quotas API: {"ec2/L-0263D0A3": 5, ...}
  --principal-arn    simulate this principal's permissions instead of the caller's
exit codes: 0 pass, 1 blocked (a check failed), 2 bad usage, 3 could not check`;

export interface PreflightArgs {
  stack: string;
  withStacks: string[];
  json: boolean;
  skip: CheckGroup[];
  quotas?: QuotaFixture;
  principalArn?: string;
}

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** Parses the command line; any mistake is a UsageError naming the flag and the fix. */
export function parseArgs(argv: string[]): PreflightArgs {
  const args: PreflightArgs = { stack: "", withStacks: [], json: false, skip: [] };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--json") args.json = true;
    else if (arg === "--with") args.withStacks.push(stackName(value(i++, arg), arg));
    else if (arg === "--skip") args.skip.push(...groups(value(i++, arg)));
    else if (arg === "--quotas-file") args.quotas = readQuotaFixture(value(i++, arg));
    else if (arg === "--principal-arn") args.principalArn = principalArn(value(i++, arg));
    else if (arg.startsWith("--")) throw new UsageError(`unknown flag ${arg}\n${USAGE}`);
    else if (!args.stack) args.stack = stackName(arg, "<stack>");
    else
      throw new UsageError(`one stack only (got ${args.stack} and ${arg}); add others with --with\n${USAGE}`);
  }
  if (!args.stack) throw new UsageError(`name the stack, e.g. npm run preflight -- prod\n${USAGE}`);
  if (args.withStacks.includes(args.stack))
    throw new UsageError(`--with ${args.stack} repeats the stack being checked`);
  return args;
}

function stackName(name: string, flag: string): string {
  if (!STACK_NAME.test(name))
    throw new UsageError(`${flag}: "${name}" is not a stack name (letters, digits, _ . -)`);
  return name;
}

function groups(list: string): CheckGroup[] {
  return list.split(",").map((g) => {
    if (!(CHECK_GROUPS as readonly string[]).includes(g))
      throw new UsageError(`--skip: unknown group "${g}"; groups are ${CHECK_GROUPS.join(", ")}`);
    return g as CheckGroup;
  });
}

function principalArn(arn: string): string {
  if (!/^arn:aws[\w-]*:iam::\d{12}:(user|role)\/.+$/.test(arn))
    throw new UsageError(
      `--principal-arn: "${arn}" is not an IAM user or role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  return arn;
}

/** Reads a quota fixture: an object of "serviceCode/quotaCode" → non-negative number. */
export function readQuotaFixture(file: string): QuotaFixture {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `--quotas-file: cannot read ${file} as JSON (${(err as Error).message.split("\n")[0]})`,
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new UsageError(`--quotas-file: ${file} must hold an object like {"ec2/L-0263D0A3": 5}`);
  for (const [key, v] of Object.entries(parsed)) {
    if (!/^[a-z0-9-]+\/L-[0-9A-F]{8}$/.test(key))
      throw new UsageError(
        `--quotas-file: key "${key}" is not "<service code>/<quota code>", e.g. "ec2/L-0263D0A3"`,
      );
    if (typeof v !== "number" || !(v >= 0))
      throw new UsageError(`--quotas-file: "${key}" must be a number ≥ 0`);
  }
  return parsed as QuotaFixture;
}
