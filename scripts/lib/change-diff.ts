// What a second `pulumi up` would do, read from two offline synths: per URN, create, delete,
// replace or update, the top-level inputs that changed and, for a replacement, what forces it.
// Pure: it works on recorded resources and never prints a secret value.
import { isWrappedSecret, unwrapSecrets } from "./mock-cloud";
import { getAtPath, parsePropertyPath, setAtPath, type PathSegment } from "./property-path";
import { REPLACEMENT_TABLE, replacingInputs } from "./replacement-table";
import { stableJson } from "./stable-json";

export type ChangeAction = "replace" | "delete" | "create" | "update";

/** Most disruptive first: the order of the table. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = ["replace", "delete", "create", "update"];

export const INSTANCE_TYPE = "aws:ec2/instance:Instance";
export const VOLUME_TYPE = "aws:ebs/volume:Volume";

/** Pseudo-key for a changed provider reference: Pulumi replaces what an explicit provider manages when that provider is replaced. */
export const PROVIDER_KEY = "(provider)";

/** The resource options the diff reads, as the synth records them. */
export interface LifecycleOptions {
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: readonly string[];
  ignoreChanges?: readonly string[];
  protect?: boolean;
  retainOnDelete?: boolean;
}

/** What the diff reads of one recorded resource (a RecordedResource is one). */
export interface DiffableResource {
  urn: string;
  type: string;
  name: string;
  /** `urn::id` of an explicit provider, "" or absent for the default one. */
  provider?: string;
  protect?: boolean;
  /** Inputs with secrets still wrapped, so the diff knows which ones to hide. */
  inputs: Record<string, unknown>;
  options?: LifecycleOptions;
}

/** One changed top-level input. Values are shown only when short, and never when secret. */
export interface KeyChange {
  key: string;
  secret: boolean;
  /** Short rendering of the old value ("(none)" when absent); absent when long or secret. */
  before?: string;
  after?: string;
}

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  action: ChangeAction;
  /** Changed inputs (update and replace only). */
  changed: KeyChange[];
  /** Inputs (or PROVIDER_KEY, or replaceOnChanges paths) that force the replacement. */
  replaceKeys: string[];
  deleteBeforeReplace: boolean;
  /** The old resource is protected: a replace or delete of it fails until the protection is lifted. */
  protect: boolean;
  /** A delete leaves the cloud resource in place and only forgets it. */
  retainOnDelete: boolean;
}

export interface ChangeSet {
  changes: ResourceChange[];
  unchanged: number;
}

const same = (a: unknown, b: unknown) => stableJson(a) === stableJson(b);

function containsSecret(value: unknown): boolean {
  if (isWrappedSecret(value)) return true;
  if (value && typeof value === "object") return Object.values(value).some(containsSecret);
  return false;
}

const SHORT = 48;

/** A value as the change table shows it: "(none)" when absent, the text when short, else undefined. */
export function shortRendering(value: unknown): string | undefined {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length <= SHORT && !text.includes("\n") ? text : undefined;
}

/** Inputs the engine would compare: secrets unwrapped, ignored paths reset to their old value. */
function comparableInputs(before: DiffableResource, after: DiffableResource) {
  const old = unwrapSecrets(before.inputs) as Record<string, unknown>;
  let next = unwrapSecrets(after.inputs) as Record<string, unknown>;
  for (const ignored of after.options?.ignoreChanges ?? []) {
    if (ignored === "*") return { old, next: old };
    const path = wildcardFree(parsePropertyPath(ignored));
    // As the engine does: the old value at the path, or no value where there was none. A path
    // through a scalar ignores nothing.
    try {
      next = setAtPath(next, path, getAtPath(old, path)) as Record<string, unknown>;
    } catch {
      continue;
    }
  }
  return { old, next };
}

/** A path up to its first `[*]`: comparing the whole list covers every element. */
function wildcardFree(path: PathSegment[]): PathSegment[] {
  const star = path.indexOf("*");
  return star < 0 ? path : path.slice(0, star);
}

function replaceOnChangesKeys(
  paths: readonly string[],
  old: Record<string, unknown>,
  next: Record<string, unknown>,
  changedKeys: string[],
): string[] {
  if (paths.includes("*")) return changedKeys;
  return paths
    .map((p) => wildcardFree(parsePropertyPath(p)))
    .filter((path) => !same(getAtPath(old, path), getAtPath(next, path)))
    .map((path) => path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join(""));
}

function compare(before: DiffableResource, after: DiffableResource): ResourceChange | undefined {
  const { old, next } = comparableInputs(before, after);
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  const changedKeys = keys.filter((k) => !same(old[k], next[k]));
  const providerChanged = (before.provider ?? "") !== (after.provider ?? "");
  if (changedKeys.length === 0 && !providerChanged) return undefined;

  const changed = changedKeys.map((key): KeyChange => {
    const secret = containsSecret(before.inputs[key]) || containsSecret(after.inputs[key]);
    return secret
      ? { key, secret }
      : { key, secret, before: shortRendering(old[key]), after: shortRendering(next[key]) };
  });
  if (providerChanged) changed.push({ key: PROVIDER_KEY, secret: false });
  const replaceKeys = [
    ...new Set([
      ...replacingInputs(after.type, old, next),
      ...replaceOnChangesKeys(after.options?.replaceOnChanges ?? [], old, next, changedKeys),
      ...(providerChanged ? [PROVIDER_KEY] : []),
    ]),
  ].sort();
  return {
    ...changeOf(after, before, replaceKeys.length > 0 ? "replace" : "update"),
    changed,
    replaceKeys,
  };
}

/** Some providers ask the engine to delete the old resource first, whatever the options say. */
function providerDeletesFirst(type: string): boolean {
  const rule = REPLACEMENT_TABLE[type] as { deleteBeforeReplace?: boolean } | undefined;
  return rule?.deleteBeforeReplace === true;
}

function changeOf(
  r: DiffableResource,
  old: DiffableResource | undefined,
  action: ChangeAction,
): ResourceChange {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    action,
    changed: [],
    replaceKeys: [],
    deleteBeforeReplace:
      action === "replace" && (r.options?.deleteBeforeReplace === true || providerDeletesFirst(r.type)),
    protect: old !== undefined && (old.options?.protect ?? old.protect ?? false),
    retainOnDelete: action === "delete" && r.options?.retainOnDelete === true,
  };
}

/** Compares the resources of a base synth with those of a changed one, URN by URN. */
export function diffSynths(
  before: readonly DiffableResource[],
  after: readonly DiffableResource[],
): ChangeSet {
  const old = new Map(before.map((r) => [r.urn, r]));
  const next = new Map(after.map((r) => [r.urn, r]));
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  for (const r of after) {
    const previous = old.get(r.urn);
    const change = previous ? compare(previous, r) : changeOf(r, undefined, "create");
    if (change) changes.push(change);
    else unchanged++;
  }
  for (const r of before) if (!next.has(r.urn)) changes.push(changeOf(r, r, "delete"));
  const rank = (c: ResourceChange) => CHANGE_ACTIONS.indexOf(c.action);
  changes.sort((a, b) => rank(a) - rank(b) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { changes, unchanged };
}
