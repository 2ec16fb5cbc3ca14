/** One line of the preflight checklist and how the lines add up to an exit code. */

export const CHECK_GROUPS = [
  "tools",
  "identity",
  "quotas",
  "permissions",
  "placeholders",
  "secrets",
] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];

/** pass; fail: the deploy would fail (blocked); unknown: could not check; skip: not asked for. */
export type CheckStatus = "pass" | "fail" | "unknown" | "skip";

export interface CheckResult {
  group: CheckGroup;
  /** Short, stable title of the line, e.g. "Elastic IPs". */
  title: string;
  status: CheckStatus;
  /** What was found (numbers, versions, names). Never a secret value. */
  detail: string;
  /** What to do when the line is not a pass. */
  fix?: string;
  /** Quota lines: what the account has available and what the stack needs. */
  have?: number;
  need?: number;
}

/** Exit codes of `npm run preflight` (docs/first-deploy.md lists them). */
export const EXIT = {
  /** Every check passed (skipped lines aside). */
  pass: 0,
  /** At least one check failed: the deploy would fail; fix the lines marked FAIL. */
  blocked: 1,
  /** Bad usage: unknown flag, missing or unreadable stack file, unreadable fixture. */
  usage: 2,
  /** Nothing failed, but some lines could not be checked (no credentials, API unreachable). */
  couldNotCheck: 3,
} as const;

/** A failure is definitive, so it wins over lines that could not be checked. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  if (results.some((r) => r.status === "fail")) return EXIT.blocked;
  if (results.some((r) => r.status === "unknown")) return EXIT.couldNotCheck;
  return EXIT.pass;
}

export function pass(group: CheckGroup, title: string, detail: string): CheckResult {
  return { group, title, status: "pass", detail };
}

export function fail(group: CheckGroup, title: string, detail: string, fix: string): CheckResult {
  return { group, title, status: "fail", detail, fix };
}

export function unknown(group: CheckGroup, title: string, detail: string, fix: string): CheckResult {
  return { group, title, status: "unknown", detail, fix };
}

export function skipped(group: CheckGroup, title: string, why: string): CheckResult {
  return { group, title, status: "skip", detail: why };
}
