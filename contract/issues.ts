import type { z } from "zod";
import { contractFields } from "./fields";
import { contractJsonSchema } from "./json-schema";

type Segment = PropertyKey;

/** `edge.nlb.name`, `app.privateIps[1]`. */
export function formatPath(path: readonly Segment[]): string {
  return path
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join("");
}

/** The path with array indices as `[]`, as the schema's fields name it. */
function schemaPath(path: readonly Segment[]): string {
  return formatPath(path).replace(/\[\d+\]/g, "[]");
}

function valueAt(value: unknown, path: readonly Segment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Keys beside a missing field that the contract does not know: the likely new name of a renamed one. */
function unknownSiblings(value: unknown, path: readonly Segment[], known: Set<string>): string[] {
  const parent = valueAt(value, path.slice(0, -1));
  if (parent === null || typeof parent !== "object" || Array.isArray(parent)) return [];
  return Object.keys(parent)
    .map((key) => [...path.slice(0, -1), key])
    .filter((sibling) => !known.has(schemaPath(sibling)))
    .map(formatPath);
}

/** One line per problem, each naming its field, what the contract expects and what was there. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], value: unknown): string {
  const known = new Set(contractFields(contractJsonSchema()).map((f) => f.path));
  return issues
    .map((issue) => {
      const path = issue.path;
      const name = formatPath(path) || "(the contract itself)";
      const found = valueAt(value, path);
      if (found === undefined && path.length > 0) {
        const expected = issue.code === "invalid_type" ? ` (${issue.expected})` : "";
        const siblings = unknownSiblings(value, path, known);
        const hint = siblings.length
          ? `; beside it is ${siblings.map((s) => `\`${s}\``).join(", ")}, which the contract does not know: renamed?`
          : "";
        return `  - \`${name}\`: missing${expected}${hint}`;
      }
      return `  - \`${name}\`: ${issue.message}; got ${preview(found)}`;
    })
    .join("\n");
}
