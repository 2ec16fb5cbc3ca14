// The stack's cost ceiling (`jairouter:budget.monthlyUsd`) and the check that fails above it.
import { budget as budgetSchema } from "../../../config/schema";

export interface BudgetCheck {
  /** The ceiling, when the stack sets one. */
  limitUsd?: number;
  estimateUsd: number;
  exceeded: boolean;
}

/** A budget the stack file states wrongly: the CLI prints the message alone. */
export class BudgetConfigError extends Error {
  override name = "BudgetConfigError";
}

/** The ceiling from a stack file's `config:` mapping (`jairouter:budget` or `budget`), if set. */
export function budgetLimit(
  stack: string,
  stackConfig: Readonly<Record<string, unknown>>,
): number | undefined {
  const raw = stackConfig["jairouter:budget"] ?? stackConfig["budget"];
  if (raw === undefined) return undefined;
  const parsed = budgetSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ["jairouter:budget", ...issue.path.map(String)].join(".");
    throw new BudgetConfigError(
      `Pulumi.${stack}.yaml: ${path}: ${issue.message}; write it like \`jairouter:budget: {monthlyUsd: 4500}\``,
    );
  }
  return parsed.data.monthlyUsd;
}

export function checkBudget(estimateUsd: number, limitUsd: number | undefined): BudgetCheck {
  return {
    ...(limitUsd === undefined ? {} : { limitUsd }),
    estimateUsd,
    exceeded: limitUsd !== undefined && estimateUsd > limitUsd,
  };
}
