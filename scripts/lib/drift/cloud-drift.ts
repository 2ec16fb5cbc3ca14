// Cloud drift from the JSON of `pulumi preview --refresh --json`: after the refresh, each step's
// old state holds what the provider read back (actual) and its new state what the program declares
// (expected). Every changed property becomes one finding unless the benign list explains it. Pure.
import { benignRule, type BenignEntry, BENIGN_ENTRIES } from "./benign";
import { displayValue } from "./mask";
import { getAtPath, parsePropertyPath } from "../property-path";
import type { BenignMatch, DriftFinding } from "./types";
import { parsePreviewJson, type PreviewJsonStep, type PreviewState } from "../preview-json";

export type PreviewStep = PreviewJsonStep;

/** Operations that mean nothing differs. */
const QUIET = new Set(["same", "refresh", "read", "discard"]);

export interface CloudDrift {
  findings: DriftFinding[];
  benign: BenignMatch[];
}

function valueAt(state: PreviewState | undefined, path: string): unknown {
  let segments;
  try {
    segments = parsePropertyPath(path);
  } catch {
    return undefined;
  }
  const fromInputs = getAtPath(state?.inputs, segments);
  return fromInputs !== undefined ? fromInputs : getAtPath(state?.outputs, segments);
}

function show(key: string, value: unknown, secrets: ReadonlySet<string>): string {
  if (value === undefined) return "(absent)";
  return displayValue(key, typeof value === "string" ? value : JSON.stringify(value), secrets);
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Reads the refreshing preview's document; fails with a clear message when it is not one. */
export function parsePreview(text: string): PreviewStep[] {
  return parsePreviewJson(text, "pulumi preview --refresh --json");
}

/** Drift of every resource the refreshed preview would change, benign differences set apart. */
export function cloudDrift(
  steps: PreviewStep[],
  secrets: ReadonlySet<string>,
  entries: readonly BenignEntry[] = BENIGN_ENTRIES,
): CloudDrift {
  const out: CloudDrift = { findings: [], benign: [] };
  for (const step of steps) {
    if (QUIET.has(step.op)) continue;
    const subject = nameOf(step.urn);
    const type = step.newState?.type ?? step.oldState?.type ?? "";
    if (step.op === "create") {
      out.findings.push({
        section: "cloud",
        subject,
        key: "(resource)",
        expected: "exists",
        actual: "(missing)",
        note: `${type} deleted outside the stack`,
      });
      continue;
    }
    if (step.op === "delete") {
      out.findings.push({
        section: "cloud",
        subject,
        key: "(resource)",
        expected: "(absent)",
        actual: "exists",
        note: `${type} in the state but not in the program`,
      });
      continue;
    }
    const keys = step.detailedDiff ? Object.keys(step.detailedDiff) : (step.diffReasons ?? []);
    if (keys.length === 0) {
      out.findings.push({
        section: "cloud",
        subject,
        key: "(resource)",
        expected: "as declared",
        actual: step.op,
        note: type,
      });
    }
    for (const key of keys.sort()) {
      const expected = valueAt(step.newState, key);
      const actual = valueAt(step.oldState, key);
      const rule = benignRule(type, key, expected, actual, entries);
      if (rule) {
        out.benign.push({ subject, key, rule: rule.id });
        continue;
      }
      const kind = step.detailedDiff?.[key]?.kind ?? "";
      out.findings.push({
        section: "cloud",
        subject,
        key,
        expected: show(key, expected, secrets),
        actual: show(key, actual, secrets),
        ...(kind.endsWith("-replace") ? { note: "would replace the resource" } : {}),
      });
    }
  }
  return out;
}
