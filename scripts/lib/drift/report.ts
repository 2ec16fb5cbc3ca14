// The report: exit code, what is new since the previous report, and the Markdown summary. Pure.
import { EXIT, type DriftFinding, type DriftReport } from "./types";
import { markdownCell } from "../markdown";

/** A report with nothing in it yet: the checks fill it in. */
export function emptyReport(
  stack: string,
  generatedAt: Date,
  expectedFrom: DriftReport["expectedFrom"],
): DriftReport {
  return {
    version: 1,
    stack,
    generatedAt: generatedAt.toISOString(),
    expectedFrom,
    findings: [],
    benign: [],
    validations: [],
    unchecked: [],
    newFindings: [],
    fixed: [],
  };
}

/** Identity of a finding across runs: the same property drifted to the same value. */
export function findingKey(f: DriftFinding): string {
  return [f.section, f.subject, f.key, f.actual].join("|");
}

/** Keys of findings not in `previous` (all of them without a previous report). */
export function newFindingKeys(findings: DriftFinding[], previous?: Pick<DriftReport, "findings">): string[] {
  const before = new Set((previous?.findings ?? []).map(findingKey));
  return findings.map(findingKey).filter((k) => !before.has(k));
}

/** Reads a previous report; a file that is not one is an error naming the flag. */
export function parsePreviousReport(text: string): DriftReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error("--previous: the file is not JSON (pass the drift-report.json of an earlier run)");
  }
  const r = doc as Partial<DriftReport>;
  if (r.version !== 1 || !Array.isArray(r.findings)) {
    throw new Error(
      "--previous: not a drift report of version 1 (pass the drift-report.json of an earlier run)",
    );
  }
  return r as DriftReport;
}

export function exitCode(report: Pick<DriftReport, "findings" | "validations" | "unchecked">): number {
  if (report.findings.length > 0 || report.validations.some((v) => v.status === "failed")) return EXIT.drift;
  if (report.unchecked.length > 0) return EXIT.couldNotCheck;
  return EXIT.clean;
}

const cut = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

export function renderMarkdown(report: DriftReport): string {
  const code = exitCode(report);
  const verdict =
    code === EXIT.clean ? "clean" : code === EXIT.drift ? "**drift**" : "could not check everything";
  const failed = report.validations.filter((v) => v.status === "failed").length;
  const lines = [
    `## Drift report: ${report.stack}`,
    "",
    `${verdict} (exit ${code}) at ${report.generatedAt}; expected values from the ${report.expectedFrom}.`,
    "",
    "| findings | new | benign (filtered) | validations failed | could not check |",
    "| --- | --- | --- | --- | --- |",
    `| ${report.findings.length} | ${report.newFindings.length} | ${report.benign.length} | ${failed} | ${report.unchecked.length} |`,
    "",
  ];
  if (report.findings.length > 0) {
    const fresh = new Set(report.newFindings);
    lines.push(
      "### Drift",
      "",
      "| | where | subject | key | expected | actual | note |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const f of report.findings) {
      const mark = fresh.has(findingKey(f)) ? "new" : "";
      lines.push(
        `| ${mark} | ${f.section} | ${markdownCell(f.subject)} | ${markdownCell(f.key)} | ${markdownCell(cut(f.expected))} | ${markdownCell(cut(f.actual))} | ${markdownCell(f.note ?? "")} |`,
      );
    }
    lines.push("");
  }
  if (report.validations.length > 0) {
    lines.push(
      "### Continuous validation",
      "",
      "| check | subject | status | detail |",
      "| --- | --- | --- | --- |",
    );
    for (const v of report.validations)
      lines.push(`| ${v.check} | ${markdownCell(v.subject)} | ${v.status} | ${markdownCell(v.detail)} |`);
    lines.push("");
  }
  if (report.unchecked.length > 0) {
    lines.push("### Could not check", "");
    for (const u of report.unchecked) lines.push(`- ${u.section} ${u.subject}: ${u.reason}`);
    lines.push("");
  }
  if (report.benign.length > 0) {
    const byRule = new Map<string, number>();
    for (const b of report.benign) byRule.set(b.rule, (byRule.get(b.rule) ?? 0) + 1);
    lines.push("### Benign differences (reviewed list, not drift)", "");
    for (const [rule, count] of [...byRule].sort()) lines.push(`- ${rule}: ${count}`);
    lines.push("");
  }
  if (report.fixed.length > 0) {
    lines.push("### Re-applied by --fix", "", ...report.fixed.map((f) => `- ${f}`), "");
  }
  return lines.join("\n");
}
