// The review of one stack as Markdown (a pull-request comment: summary first, raw diff folded) and
// as JSON. Pure: it formats what classify.ts, cost-model.ts and budget.ts computed.
import type { BudgetCheck } from "./budget";
import { countByClass, willFail, type ClassifiedStep } from "./classify";
import { costDelta, type CostEstimate } from "./cost-model";
import type { ReviewChanges } from "./review-step";
import { RISK_CLASSES, RISK_LABELS } from "./risk-rules";
import { markdownCell } from "../markdown";

export interface StackReview {
  stack: string;
  changes: ReviewChanges;
  classified: ClassifiedStep[];
  cost: CostEstimate;
  /** The base's estimate, when a base was synthesised. */
  baseCost?: CostEstimate;
  budget: BudgetCheck;
}

/** The comment marker the workflow finds and edits, one comment per stack. */
export const commentMarker = (stack: string) => `<!-- jairouter-review:${stack} -->`;

export const usd = (n: number) =>
  `${n < 0 ? "-" : ""}$${Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signedUsd = (n: number) => (n > 0 ? `+${usd(n)}` : usd(n));

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(markdownCell).join(" | ")} |`),
  ].join("\n");
}

/** `[1 will fail · ]3 replaces or deletes state · 0 interrupts traffic · ... · 240 unchanged` */
export function formatCounts(review: StackReview): string {
  const counts = countByClass(review.classified);
  const failing = willFail(review.classified).length;
  return [
    ...(failing > 0 ? [`${failing} will fail`] : []),
    ...RISK_CLASSES.map((r) => `${counts[r]} ${RISK_LABELS[r]}`),
    `${review.changes.unchanged} unchanged`,
  ].join(" · ");
}

function riskyLine(c: ClassifiedStep): string {
  const forced = c.forcedBy.length > 0 ? ` — forced by \`${c.forcedBy.join("`, `")}\`` : "";
  const effect = c.effect ? ` (${c.effect})` : "";
  const answer =
    c.stackAnswer.length > 0
      ? `\n  - the stack: ${c.stackAnswer.join("; ")}`
      : "\n  - the stack: nothing softens this";
  return `- **${RISK_LABELS[c.risk]}**: ${c.step.op} \`${c.step.name}\` (${c.step.type}), ${c.holds}${forced}${effect}${answer}`;
}

/** The steps AWS refuses, above everything else: `pulumi up` would stop half-way. */
function willFailSection(review: StackReview): string[] {
  const failing = willFail(review.classified);
  if (failing.length === 0) return [];
  const lines = failing.flatMap((c) =>
    c.blocked.map(
      (b) =>
        `- **will fail**: ${c.step.op} \`${c.step.name}\` (${c.step.type}) — \`${b.property}\` ${b.before} → ${b.after}: ${b.reason}\n  - instead: ${b.remedy}`,
    ),
  );
  return [
    `### Will fail: ${failing.length} ${failing.length === 1 ? "step" : "steps"} AWS refuses`,
    "",
    "The preview shows an ordinary update; `pulumi up` stops with an AWS error at the step, and what it applied before stays applied. Change the plan before merging.",
    "",
    ...lines,
    "",
  ];
}

const classCell = (c: ClassifiedStep) =>
  c.blocked.length > 0 ? `will fail · ${RISK_LABELS[c.risk]}` : RISK_LABELS[c.risk];

/** A pull-request comment holds 65536 characters: the folded table stops here (--json has all). */
const MAX_TABLE_ROWS = 250;

function changesSection(review: StackReview): string[] {
  const risky = review.classified.filter((c) => c.risk !== "safe");
  if (review.classified.length === 0) return ["**No change.**"];
  const lines = [`**${formatCounts(review)}**`, ""];
  lines.push(risky.length > 0 ? "Risky steps:" : "No risky step.", "");
  lines.push(...risky.map(riskyLine));
  const rows = review.classified
    .slice(0, MAX_TABLE_ROWS)
    .map((c) => [
      classCell(c),
      c.step.op,
      c.step.type,
      c.step.name,
      (c.step.valueChanges.length > 0 ? c.step.valueChanges : c.step.diffReasons).join(", "),
      c.step.replaceReasons.join(", "),
    ]);
  lines.push(
    "",
    `<details><summary>Every change (${review.classified.length})</summary>`,
    "",
    table(["class", "op", "type", "name", "changed", "replaced because of"], rows),
    ...(review.classified.length > MAX_TABLE_ROWS
      ? ["", `${review.classified.length - MAX_TABLE_ROWS} more changes: run the review with --json for all.`]
      : []),
    "",
    "</details>",
  );
  return lines;
}

function costSection(review: StackReview): string[] {
  const { cost, baseCost } = review;
  const lines = [
    `### Monthly cost: ${usd(cost.totalUsd)}${baseCost ? ` (base ${usd(baseCost.totalUsd)}, ${signedUsd(cost.totalUsd - baseCost.totalUsd)})` : ""}`,
    "",
    `Prices: ${cost.prices.region}, price table of ${cost.prices.date} (${cost.prices.basis}); usage assumed: ${Object.entries(
      cost.usage,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    "",
  ];
  if (baseCost) {
    const delta = costDelta(baseCost, cost);
    lines.push(
      delta.length === 0
        ? "The change moves no cost."
        : table(
            ["resource", "type", "base", "PR", "delta"],
            delta.map((d) => [d.name, d.type, usd(d.baseUsd), usd(d.prUsd), signedUsd(d.deltaUsd)]),
          ),
      "",
    );
  }
  const rows = cost.lines.map((l) => [l.name, l.type, l.basis, usd(l.monthlyUsd)]);
  rows.push([
    "**total**",
    "",
    `${cost.uncharged} other resources carry no direct charge`,
    `**${usd(cost.totalUsd)}**`,
  ]);
  lines.push(table(["resource", "type", "basis", "per month"], rows));
  return lines;
}

function budgetLine(budget: BudgetCheck): string {
  if (budget.limitUsd === undefined)
    return "Budget: none set (`jairouter:budget.monthlyUsd`), nothing to check.";
  return budget.exceeded
    ? `**Budget exceeded**: the estimate ${usd(budget.estimateUsd)} is above \`jairouter:budget.monthlyUsd\` ${usd(budget.limitUsd)}.`
    : `Budget: ${usd(budget.estimateUsd)} of ${usd(budget.limitUsd)} (\`jairouter:budget.monthlyUsd\`).`;
}

export function formatReviewMarkdown(review: StackReview): string {
  return [
    commentMarker(review.stack),
    `## Review of ${review.stack}: ${review.changes.source}`,
    "",
    ...willFailSection(review),
    ...changesSection(review),
    "",
    ...costSection(review),
    "",
    budgetLine(review.budget),
    "",
  ].join("\n");
}

/** The machine-readable review; secret values never reach it (inputs are not included). */
export function reviewJson(review: StackReview) {
  return {
    stack: review.stack,
    source: review.changes.source,
    counts: {
      ...countByClass(review.classified),
      unchanged: review.changes.unchanged,
      willFail: willFail(review.classified).length,
    },
    steps: review.classified.map((c) => ({
      risk: c.risk,
      op: c.step.op,
      type: c.step.type,
      name: c.step.name,
      urn: c.step.urn,
      holds: c.holds,
      forcedBy: c.forcedBy,
      ...(c.effect ? { effect: c.effect } : {}),
      stackAnswer: c.stackAnswer,
      blocked: c.blocked,
      diffReasons: c.step.diffReasons,
      replaceReasons: c.step.replaceReasons,
    })),
    cost: {
      totalUsd: round(review.cost.totalUsd),
      ...(review.baseCost ? { baseTotalUsd: round(review.baseCost.totalUsd) } : {}),
      prices: review.cost.prices,
      usage: review.cost.usage,
      lines: review.cost.lines.map((l) => ({ ...l, monthlyUsd: round(l.monthlyUsd) })),
    },
    budget: { ...review.budget, estimateUsd: round(review.budget.estimateUsd) },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Exit status of `npm run review` when a step will fail (AWS refuses it), whatever the budgets. */
export const EXIT_WILL_FAIL = 3;
/** Exit status when a stack's estimate exceeds its budget (and nothing will fail). */
export const EXIT_OVER_BUDGET = 1;

/** What `npm run review` prints to stderr after the report, and the status it exits with. */
export function reviewOutcome(reviews: readonly StackReview[]): { status: number; messages: string[] } {
  const messages: string[] = [];
  for (const r of reviews)
    for (const c of willFail(r.classified))
      for (const b of c.blocked)
        messages.push(
          `${r.stack}: ${c.step.op} ${c.step.name} will fail: ${b.property} ${b.before} → ${b.after} (${b.reason})`,
        );
  const failing = messages.length > 0;
  const over = reviews.filter((r) => r.budget.exceeded);
  for (const r of over)
    messages.push(
      `${r.stack}: the monthly estimate $${r.budget.estimateUsd.toFixed(2)} exceeds jairouter:budget.monthlyUsd $${r.budget.limitUsd}`,
    );
  return { status: failing ? EXIT_WILL_FAIL : over.length > 0 ? EXIT_OVER_BUDGET : 0, messages };
}
