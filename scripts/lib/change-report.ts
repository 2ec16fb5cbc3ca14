// The change table, its one-line summary and its JSON form, from a ChangeSet (change-diff.ts).
import {
  CHANGE_ACTIONS,
  INSTANCE_TYPE,
  VOLUME_TYPE,
  type ChangeAction,
  type ChangeSet,
  type KeyChange,
  type ResourceChange,
} from "./change-diff";
import { stableJson } from "./stable-json";

export interface ChangeSummary {
  counts: Record<ChangeAction | "unchanged", number>;
  /** EC2 instances and EBS volumes created, deleted, replaced or updated, by name. */
  instances: Record<string, ChangeAction>;
  volumes: Record<string, ChangeAction>;
}

export function summarizeChanges(set: ChangeSet): ChangeSummary {
  const counts = { replace: 0, delete: 0, create: 0, update: 0, unchanged: set.unchanged };
  const instances: Record<string, ChangeAction> = {};
  const volumes: Record<string, ChangeAction> = {};
  for (const c of set.changes) {
    counts[c.action]++;
    if (c.type === INSTANCE_TYPE) instances[c.name] = c.action;
    if (c.type === VOLUME_TYPE) volumes[c.name] = c.action;
  }
  return { counts, instances, volumes };
}

function touched(label: string, byName: Record<string, ChangeAction>): string {
  const names = Object.keys(byName).sort();
  if (names.length === 0) return `${label}: none touched`;
  return `${label}: ${names.map((n) => `${n} (${byName[n]})`).join(", ")}`;
}

/** e.g. `3 replace, 0 delete, 0 create, 4 update, 242 unchanged; EC2 instances: none touched; ...` */
export function formatSummary(summary: ChangeSummary): string {
  const counts = [...CHANGE_ACTIONS, "unchanged" as const].map((a) => `${summary.counts[a]} ${a}`);
  return [
    counts.join(", "),
    touched("EC2 instances", summary.instances),
    touched("EBS volumes", summary.volumes),
  ].join("; ");
}

/** `key`, `key: old → new` when both are short, `key: [secret]` for a secret. */
export function formatKeyChange(k: KeyChange): string {
  if (k.secret) return `${k.key}: [secret]`;
  if (k.before !== undefined && k.after !== undefined) return `${k.key}: ${k.before} → ${k.after}`;
  return k.key;
}

function notes(c: ResourceChange): string {
  return [
    c.deleteBeforeReplace ? "delete before replace" : "",
    c.protect && (c.action === "replace" || c.action === "delete") ? "protected: fails" : "",
    c.retainOnDelete ? "retained in the cloud" : "",
  ]
    .filter(Boolean)
    .join("; ");
}

const HEADER = ["action", "type", "name", "changed inputs", "replaced because of", "notes"];

/** A Markdown table with aligned columns, one row per changed resource. */
export function formatChangeTable(set: ChangeSet): string {
  if (set.changes.length === 0) return "(no resource changes)";
  const rows = set.changes.map((c) => [
    c.action,
    c.type,
    c.name,
    c.changed.map(formatKeyChange).join(", "),
    c.replaceKeys.join(", "),
    notes(c),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(HEADER), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The machine-readable form: the summary and every change, secrets never included. */
export function changeSetJson(set: ChangeSet): string {
  return stableJson({ summary: summarizeChanges(set), changes: set.changes });
}
