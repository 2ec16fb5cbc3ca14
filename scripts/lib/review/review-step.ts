// One resource's planned change in the shape of a `pulumi preview --json` step, whichever source it
// comes from: a real preview (stepsFromPreview) or the diff of two offline synths
// (stepsFromChangeSet). The classifier and the report read only this shape.
import { shortRendering, type ChangeSet, type DiffableResource, type KeyChange } from "../change-diff";
import { formatKeyChange } from "../change-report";
import {
  PreviewFormatError,
  previewSteps,
  type PreviewJsonStep,
  type PreviewOp,
  type PropertyDiff,
} from "../preview-json";

export { PreviewFormatError, type PropertyDiff };

export type ReviewOp = "create" | "update" | "replace" | "delete";

export interface ReviewStep {
  op: ReviewOp;
  urn: string;
  type: string;
  /** The resource's logical name (the last URN segment). */
  name: string;
  /** Top-level properties that force the replacement (replace only). */
  replaceReasons: string[];
  /** Top-level properties that differ. */
  diffReasons: string[];
  detailedDiff: Record<string, PropertyDiff>;
  /** Old value → new value per changed property, when short and not secret (offline synth only). */
  valueChanges: string[];
  /** The same changes as data: per changed top-level input, its short old and new renderings. */
  inputChanges: KeyChange[];
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  /** A component or the stack itself: nothing exists in the cloud for it. */
  component: boolean;
}

/** What a preview JSON file or a synth diff amounts to: the changed steps and how many stayed the same. */
export interface ReviewChanges {
  steps: ReviewStep[];
  unchanged: number;
  /** Where the steps come from, for the report's heading. */
  source: string;
}

/** The type and name a URN carries: `urn:pulumi:<stack>::<project>::<parent$type>::<name>`. */
export function urnParts(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4) throw new PreviewFormatError(`"${urn}" is not a Pulumi URN`);
  const qualifiedType = parts[2]!;
  return { type: qualifiedType.split("$").at(-1)!, name: parts.slice(3).join("::") };
}

/** When the record does not say: the stack itself and this project's own components. */
const isComponentType = (type: string) => type === "pulumi:pulumi:Stack" || type.startsWith("jairouter:");

/** The engine's step operations, folded into the four a reviewer reads. */
const OP_OF: Record<PreviewOp, ReviewOp | "same"> = {
  same: "same",
  read: "same",
  refresh: "same",
  discard: "same",
  "remove-pending-replace": "same",
  create: "create",
  import: "create",
  update: "update",
  delete: "delete",
  "discard-replaced": "same",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  "read-replacement": "replace",
  "import-replacement": "replace",
};

const RANK: readonly ReviewOp[] = ["replace", "delete", "create", "update"];

/**
 * The steps of `pulumi preview --json` output, one per URN: the steps of one replacement
 * (delete-replaced, replace, create-replacement) are merged, and `same` steps only counted.
 */
export function stepsFromPreview(doc: unknown, source = "pulumi preview"): ReviewChanges {
  const byUrn = new Map<string, ReviewStep>();
  const sameUrns = new Set<string>();
  const order = new Map<string, string[]>();
  for (const s of previewSteps(doc)) {
    const op = OP_OF[s.op];
    order.set(s.urn, [...(order.get(s.urn) ?? []), s.op]);
    if (op === "same") {
      sameUrns.add(s.urn);
      continue;
    }
    const { type: urnType, name } = urnParts(s.urn);
    const type = s.newState?.type ?? s.oldState?.type ?? urnType;
    const previous = byUrn.get(s.urn);
    const inputChanges = previous?.inputChanges.length ? previous.inputChanges : previewInputChanges(s);
    const merged: ReviewStep = {
      op: previous && RANK.indexOf(previous.op) < RANK.indexOf(op) ? previous.op : op,
      urn: s.urn,
      type,
      name,
      replaceReasons: union(previous?.replaceReasons, s.replaceReasons),
      diffReasons: union(previous?.diffReasons, s.diffReasons),
      detailedDiff: { ...previous?.detailedDiff, ...(s.detailedDiff ?? {}) },
      valueChanges: inputChanges.map(formatKeyChange),
      inputChanges,
      protect: (previous?.protect ?? false) || s.oldState?.protect === true,
      retainOnDelete:
        (previous?.retainOnDelete ?? false) ||
        s.oldState?.retainOnDelete === true ||
        s.newState?.retainOnDelete === true,
      deleteBeforeReplace: false,
      component: (s.newState?.custom ?? s.oldState?.custom) === false || isComponentType(type),
    };
    byUrn.set(s.urn, merged);
  }
  for (const [urn, step] of byUrn) {
    const ops = order.get(urn)!;
    const deleted = ops.indexOf("delete-replaced");
    step.deleteBeforeReplace = deleted >= 0 && deleted < ops.indexOf("create-replacement");
    sameUrns.delete(urn);
  }
  // The digest's own count, when it carries one, also covers same steps it does not list.
  const summarized = (doc as { changeSummary?: { same?: unknown } }).changeSummary?.same;
  const unchanged = Math.max(sameUrns.size, typeof summarized === "number" ? summarized : 0);
  return { steps: sortSteps([...byUrn.values()]), unchanged, source };
}

/** The CLI prints a secret as "[secret]" (or a signed secret object without --show-secrets). */
function looksSecret(value: unknown): boolean {
  if (value === "[secret]") return true;
  return typeof value === "object" && value !== null && "4dabf18193072939515e22adb298388d" in value;
}

/** Old and new value of each changed top-level input of a preview step, as the synth diff has them. */
function previewInputChanges(s: PreviewJsonStep): KeyChange[] {
  const old = s.oldState?.inputs ?? {};
  const next = s.newState?.inputs ?? {};
  return (s.diffReasons ?? []).map((key) => {
    const secret = looksSecret(old[key]) || looksSecret(next[key]);
    return secret
      ? { key, secret }
      : { key, secret, before: shortRendering(old[key]), after: shortRendering(next[key]) };
  });
}

function union(a: readonly string[] = [], b: readonly string[] = []): string[] {
  return [...new Set([...a, ...b])].sort();
}

function sortSteps(steps: ReviewStep[]): ReviewStep[] {
  return steps.sort(
    (a, b) => RANK.indexOf(a.op) - RANK.indexOf(b.op) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0),
  );
}

function detailedDiffOf(changed: readonly KeyChange[], replaceKeys: readonly string[]) {
  const diff: Record<string, PropertyDiff> = {};
  for (const k of changed) {
    const base = k.before === "(none)" ? "add" : k.after === "(none)" ? "delete" : "update";
    diff[k.key] = { kind: replaceKeys.includes(k.key) ? `${base}-replace` : base, inputDiff: true };
  }
  return diff;
}

/**
 * The diff of two offline synths (change-diff.ts) as preview steps, so one classifier reads both.
 * `before` (the base synth) tells which replaced resources are kept in the cloud (retainOnDelete);
 * both synths tell which resources are components (`custom: false`).
 */
export function stepsFromChangeSet(
  set: ChangeSet,
  source: string,
  before: readonly (DiffableResource & { custom?: boolean })[] = [],
  after: readonly { urn: string; custom?: boolean }[] = [],
): ReviewChanges {
  const retained = new Set(before.filter((r) => r.options?.retainOnDelete).map((r) => r.urn));
  const components = new Set([...before, ...after].filter((r) => r.custom === false).map((r) => r.urn));
  const steps = set.changes.map((c): ReviewStep => ({
    op: c.action,
    urn: c.urn,
    type: c.type,
    name: c.name,
    // Nested paths (`rootBlockDevice.encrypted`) are reported by their top-level property, as the engine does.
    replaceReasons: [...new Set(c.replaceKeys.map((k) => k.split(/[.[]/)[0]!))].sort(),
    diffReasons: c.changed.map((k) => k.key).sort(),
    detailedDiff: detailedDiffOf(c.changed, c.replaceKeys),
    valueChanges: c.changed.map(formatKeyChange),
    inputChanges: c.changed,
    protect: c.protect,
    retainOnDelete: c.retainOnDelete || (c.action === "replace" && retained.has(c.urn)),
    deleteBeforeReplace: c.deleteBeforeReplace,
    component: components.has(c.urn) || isComponentType(c.type),
  }));
  return { steps: sortSteps(steps), unchanged: set.unchanged, source };
}
