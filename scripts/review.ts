/**
 * Pull-request review: what a change does to each stack (classed safe / restarts a service /
 * interrupts traffic / replaces or deletes state), what the stack costs per month and whether that
 * stays within `jairouter:budget.monthlyUsd`, and which steps AWS will refuse (an EBS volume that
 * would shrink). Offline: no cloud, no credentials (docs/review.md).
 * Usage: npm run review -- <stack> [<stack>...] [--base <git-ref>] [--preview <preview.json>] [--json]
 * Exit: 0 reviewed, 1 a stack's estimate exceeds its budget (or an error), 2 bad arguments,
 * 3 a step will fail (`pulumi up` would stop at it; the report says what to do instead).
 */
import { existsSync } from "node:fs";
import { formatReviewMarkdown, reviewJson, reviewOutcome, type StackReview } from "./lib/review/report";

const USAGE = `usage: npm run review -- <stack> [<stack>...] [--base <git-ref>] [--preview <preview.json>] [--json]
  --base <git-ref>   synthesise the stack at this ref too and review the difference (default HEAD)
  --preview <file>   classify the steps of \`pulumi preview --json\` output (one stack only)
  --json             print JSON instead of Markdown
exit: 0 reviewed, 1 over a budget or an error, 2 bad arguments, 3 a step will fail (AWS refuses it)`;

interface Args {
  stacks: string[];
  base: string;
  preview?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { stacks: [], base: "HEAD", json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value`);
      return next;
    };
    try {
      if (arg === "--base") args.base = value();
      else if (arg === "--preview") args.preview = value();
      else if (arg === "--json") args.json = true;
      else if (/^[A-Za-z0-9_.-]+$/.test(arg)) args.stacks.push(arg);
      else return `unknown argument ${arg}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (args.stacks.length === 0) return "name at least one stack (Pulumi.<stack>.yaml)";
  if (args.preview && args.stacks.length > 1) return "--preview holds one stack's steps: name one stack";
  return args;
}

const PLAIN_ERRORS = [
  "RunError",
  "ConfigError",
  "PreviewFormatError",
  "PriceTableError",
  "BudgetConfigError",
  "BaseSynthError",
];

function fail(err: unknown): never {
  const e = err as Error;
  console.error(PLAIN_ERRORS.includes(e.name) ? e.message : (e.stack ?? String(e)));
  process.exit(1);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(`${args}\n${USAGE}`);
    process.exit(2);
  }
  const { exportCommit, resolveRef, synthExported, synthWorkingTree } =
    await import("./lib/review/synth-at-ref");
  const { readPreviewFile, reviewStack } = await import("./lib/review/review-stack");
  // Everything that can be wrong with the arguments fails before the first (slow) synth.
  const missing = args.stacks.filter((s) => !existsSync(`Pulumi.${s}.yaml`));
  if (missing.length > 0) {
    console.error(`no stack file ${missing.map((s) => `Pulumi.${s}.yaml`).join(", ")} here\n${USAGE}`);
    process.exit(2);
  }
  const preview = args.preview ? readPreviewFile(args.preview) : undefined;
  const commit = resolveRef(args.base);
  const label = `${args.base} (${commit.slice(0, 12)})`;
  const exported = exportCommit(commit);
  const reviews: StackReview[] = [];
  try {
    for (const stack of args.stacks) {
      const base = { label, resources: synthExported(exported.root, stack, label) };
      const after = await synthWorkingTree(stack);
      reviews.push(reviewStack({ stack, after, base, ...(preview ? { preview } : {}) }));
    }
  } finally {
    exported.cleanup();
  }
  process.stdout.write(
    args.json
      ? `${JSON.stringify(reviews.length === 1 ? reviewJson(reviews[0]!) : reviews.map(reviewJson), null, 2)}\n`
      : reviews.map(formatReviewMarkdown).join("\n"),
  );
  const { status, messages } = reviewOutcome(reviews);
  for (const message of messages) console.error(message);
  process.exit(status);
}

main().catch(fail);
