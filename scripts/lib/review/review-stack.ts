// Puts one stack's review together: the changes (a real preview's steps, or the diff of the base
// ref's synth and the working tree's), their classes, the cost of both sides and the budget check.
import { readFileSync } from "node:fs";
import { diffSynths } from "../change-diff";
import { readStackConfigMapping } from "../config-change";
import type { RecordedResource } from "../mock-cloud";
import { readStackFile } from "../stack-file";
import { budgetLimit, checkBudget } from "./budget";
import { classifySteps } from "./classify";
import { estimateCost, loadPriceTable, usageFor } from "./cost-model";
import type { StackReview } from "./report";
import { PreviewFormatError, stepsFromChangeSet, stepsFromPreview, type ReviewChanges } from "./review-step";

export interface ReviewInputs {
  stack: string;
  /** The working tree's synth. */
  after: readonly RecordedResource[];
  /** The base ref's synth, and how to name it. */
  base?: { label: string; resources: readonly RecordedResource[] };
  /** A real preview's steps (readPreviewFile): they replace the synth diff as the list of changes. */
  preview?: ReviewChanges;
  dir?: string;
}

export function readPreviewFile(file: string): ReviewChanges {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new PreviewFormatError(
      `--preview ${file}: ${(err as Error).message}; pass the file \`pulumi preview --json > ${file}\` wrote`,
    );
  }
  try {
    return stepsFromPreview(doc, `pulumi preview (${file})`);
  } catch (err) {
    if (err instanceof PreviewFormatError) throw new PreviewFormatError(`--preview ${file}: ${err.message}`);
    throw err;
  }
}

export function reviewStack({ stack, after, base, preview, dir = process.cwd() }: ReviewInputs): StackReview {
  const changes = preview
    ? preview
    : base
      ? stepsFromChangeSet(
          diffSynths(base.resources, after),
          `offline synth, ${base.label} → working tree`,
          base.resources,
          after,
        )
      : stepsFromChangeSet({ changes: [], unchanged: after.length }, "offline synth of the working tree");
  const { region } = readStackFile(stack, dir);
  const prices = loadPriceTable(region);
  const usage = usageFor(stack);
  const cost = estimateCost(after, prices, usage);
  const baseCost = base ? estimateCost(base.resources, prices, usage) : undefined;
  const limit = budgetLimit(stack, readStackConfigMapping(stack, dir));
  return {
    stack,
    changes,
    classified: classifySteps(changes.steps),
    cost,
    ...(baseCost ? { baseCost } : {}),
    budget: checkBudget(cost.totalUsd, limit),
  };
}
