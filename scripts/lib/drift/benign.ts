// The reviewed benign list (benign-diffs.json) and the test of one cloud difference against it.
import { goDuration } from "../../../components/container-defaults";
import list from "./benign-diffs.json";
import { sortKeys } from "../stable-json";

export type Relation = "any" | "same-duration" | "same-number" | "same-json" | "absent-equals-empty";

export interface BenignEntry {
  id: string;
  /** Resource type token; `aws:*` matches every type of that provider. */
  type: string;
  /** Property path; `*` matches any text within one step. */
  property: string;
  /** An input path a resource of this type must have for the entry to apply to it (its test). */
  requires: string;
  relation: Relation;
  reason: string;
  source: string;
}

export const BENIGN_ENTRIES: readonly BenignEntry[] = list.entries as BenignEntry[];

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^.]*");
  return new RegExp(`^${escaped}$`);
}

export function typeMatches(entry: BenignEntry, type: string): boolean {
  return globToRegExp(entry.type).test(type);
}

export function propertyMatches(entry: BenignEntry, property: string): boolean {
  return globToRegExp(entry.property).test(property);
}

function duration(value: unknown): string | undefined {
  try {
    return typeof value === "string" ? goDuration(value) : undefined;
  } catch {
    return undefined;
  }
}

function json(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return sortKeys(JSON.parse(value));
  } catch {
    return value;
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** Whether expected and actual are the same value in the sense of `relation`. */
export function related(relation: Relation, expected: unknown, actual: unknown): boolean {
  switch (relation) {
    case "any":
      return true;
    case "same-duration":
      return duration(expected) !== undefined && duration(expected) === duration(actual);
    case "same-number":
      return (
        expected !== undefined &&
        actual !== undefined &&
        Number(expected) === Number(actual) &&
        !Number.isNaN(Number(actual))
      );
    case "same-json":
      return JSON.stringify(json(expected)) === JSON.stringify(json(actual));
    case "absent-equals-empty":
      return isEmpty(expected) && isEmpty(actual);
  }
}

/** The first entry that explains this difference, if any. */
export function benignRule(
  type: string,
  property: string,
  expected: unknown,
  actual: unknown,
  entries: readonly BenignEntry[] = BENIGN_ENTRIES,
): BenignEntry | undefined {
  return entries.find(
    (e) => typeMatches(e, type) && propertyMatches(e, property) && related(e.relation, expected, actual),
  );
}
