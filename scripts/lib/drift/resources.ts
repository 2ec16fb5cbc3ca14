// The stack's resources with their inputs, from either source of expected values: the stack's
// state (`pulumi stack export --show-secrets`) or the offline synth (secrets still wrapped the
// way the mock runtime wraps them). Secret values are unwrapped for comparison and remembered,
// so the report can print them as hashes only.

import { SECRET_NAME } from "./mask";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One resource as the drift checks need it. */
export interface DeployedResource {
  urn: string;
  type: string;
  name: string;
  /** Provider reference `urn::id`, or "". */
  provider: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface ResourceSet {
  resources: DeployedResource[];
  /** Every string that sat under a secret marker (for masking). */
  secrets: Set<string>;
  /** Secret values the export did not decrypt (`ciphertext`): their checks cannot run. */
  encrypted: number;
}

/** Marker left where a secret could not be read (an export without --show-secrets). */
export const ENCRYPTED = "[encrypted]";

function isSecret(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/**
 * Records a secret string, and the values inside it that reports might show on their own: the
 * value of a `KEY=value` env entry (the env list is secret as a whole) and of `export KEY='value'`
 * lines (a sync step's stdin), when the name says it is a secret.
 */
function addSecret(text: string, into: Set<string>): void {
  into.add(text);
  const entry = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]+)$/.exec(text);
  if (entry && SECRET_NAME.test(entry[1]!)) into.add(entry[2]!);
  for (const m of text.matchAll(/^export ([A-Za-z_][A-Za-z0-9_]*)='((?:[^']|'"'"')+)'$/gm)) {
    if (SECRET_NAME.test(m[1]!)) into.add(m[2]!.replace(/'"'"'/g, "'"));
  }
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === "string") addSecret(value, into);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, into));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => collectStrings(v, into));
}

/** Unwraps every secret marker (mock `value`, export `plaintext`), recording the secret strings. */
export function unwrap(value: unknown, set: Pick<ResourceSet, "secrets" | "encrypted">): unknown {
  if (isSecret(value)) {
    let inner: unknown;
    if ("value" in value) inner = value.value;
    else if (typeof value.plaintext === "string") inner = JSON.parse(value.plaintext);
    else {
      set.encrypted++;
      return ENCRYPTED;
    }
    const plain = unwrap(inner, set);
    collectStrings(plain, set.secrets);
    return plain;
  }
  if (Array.isArray(value)) return value.map((v) => unwrap(v, set));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, set)]));
  }
  return value;
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

interface RawResource {
  urn: string;
  type: string;
  provider?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function normalise(raw: RawResource[]): ResourceSet {
  const set: ResourceSet = { resources: [], secrets: new Set(), encrypted: 0 };
  for (const r of raw) {
    set.resources.push({
      urn: r.urn,
      type: r.type,
      name: nameOf(r.urn),
      provider: r.provider ?? "",
      inputs: (unwrap(r.inputs ?? {}, set) as Record<string, unknown>) ?? {},
      outputs: (unwrap(r.outputs ?? {}, set) as Record<string, unknown>) ?? {},
    });
  }
  return set;
}

/** Resources of a `pulumi stack export` document (v3). */
export function fromStackExport(doc: unknown): ResourceSet {
  const resources = (doc as { deployment?: { resources?: unknown } })?.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new Error(
      "the state file has no deployment.resources list: pass the output of `pulumi stack export --show-secrets`",
    );
  }
  return normalise(resources as RawResource[]);
}

/** Resources the offline synth recorded (inputs only; outputs are the mock's). */
export function fromSynthRecords(records: RawResource[]): ResourceSet {
  return normalise(records);
}
