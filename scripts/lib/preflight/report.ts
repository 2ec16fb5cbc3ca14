import { EXIT, exitCodeOf, type CheckResult, type CheckStatus } from "./checks";

const MARK: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", unknown: "????", skip: "SKIP" };

export interface PreflightReport {
  stacks: string[];
  region?: string;
  account?: string;
  results: CheckResult[];
}

const VERDICT: Record<number, string> = {
  [EXIT.pass]: "ready to deploy",
  [EXIT.blocked]: "blocked: fix the FAIL lines first",
  [EXIT.couldNotCheck]: "could not check everything: fix the ???? lines and run again",
};

/** The checklist as text: one line per check, its fix indented below it. */
export function formatReport(report: PreflightReport): string {
  const width = Math.min(Math.max(...report.results.map((r) => `${r.group}/${r.title}`.length), 10), 56);
  const lines = [`preflight ${report.stacks.join(" + ")}${report.region ? ` (${report.region})` : ""}`];
  for (const r of report.results) {
    lines.push(`${MARK[r.status]}  ${`${r.group}/${r.title}`.padEnd(width)}  ${r.detail}`);
    if (r.fix && r.status !== "pass" && r.status !== "skip") lines.push(`      fix: ${r.fix}`);
  }
  const code = exitCodeOf(report.results);
  lines.push("", `exit ${code}: ${VERDICT[code]}`);
  return `${lines.join("\n")}\n`;
}

/** The checklist as JSON, for CI: the same lines plus the exit code and its meaning. */
export function reportJson(report: PreflightReport): string {
  const exitCode = exitCodeOf(report.results);
  return `${JSON.stringify({ ...report, exitCode, verdict: VERDICT[exitCode] }, null, 2)}\n`;
}
