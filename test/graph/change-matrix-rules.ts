// The change matrix's vocabulary: a row says which configuration change it makes, what must change,
// what else may change; the invariants below hold for every row. checkRow() turns a diff into the
// list of broken expectations, each naming the resource, its action and the inputs that changed.
import {
  INSTANCE_TYPE,
  VOLUME_TYPE,
  type ChangeAction,
  type ChangeSet,
  type DiffableResource,
  type ResourceChange,
} from "../../scripts/lib/change-diff";
import { formatKeyChange } from "../../scripts/lib/change-report";
import { unwrapSecrets } from "../../scripts/lib/mock-cloud";

export const INSTANCE = INSTANCE_TYPE;
export const VOLUME = VOLUME_TYPE;
export const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";
export const EIP = "aws:ec2/eip:Eip";
export const NLB = "aws:lb/loadBalancer:LoadBalancer";
export const KEY_PAIR = "aws:ec2/keyPair:KeyPair";
export const CONTAINER = "docker:index/container:Container";
/** The backup bucket, whichever S3 bucket resource the stack uses for it. */
export const BUCKET = /^aws:s3\/bucket(V2)?:Bucket(V2)?$/;
/** What runs on a host or places files there: containers, images, commands. */
export const ON_HOST = /^(docker:index\/|command:)/;

/** Which changed resources a rule is about. */
export interface Selector {
  type?: string | RegExp;
  name?: RegExp;
  actions: readonly ChangeAction[];
}

/** Resources that must change: exactly `count`, or at least `atLeast` (default 1). */
export interface Requirement extends Selector {
  why: string;
  count?: number;
  atLeast?: number;
}

/** A new value that must reach a changed resource of every host matched by `onEach`. */
export interface Mention {
  text: string;
  onEach: readonly RegExp[];
}

export interface MatrixRow {
  change: string;
  /** Configuration changes (dotted key → value) from the committed prod stack to the row's base. */
  base?: Readonly<Record<string, unknown>>;
  /** Configuration changes from the base to the changed stack. */
  set: Readonly<Record<string, unknown>>;
  must: readonly Requirement[];
  mentions?: readonly Mention[];
  /** What else may change; anything changed that no requirement or allowance selects is a failure. */
  may: readonly Selector[];
  /** A tier change: instances and volumes may be updated in place. */
  tierChange?: boolean;
  /**
   * A host rebuild (OS image, anything in user data): instances and their volume attachments may be
   * replaced, one host at a time; the data volumes themselves still may not change.
   */
  rebuild?: boolean;
  /** Resources that go away with a removed host, and so may be deleted. */
  removes?: RegExp;
}

interface Invariant {
  rule: string;
  type: string | RegExp | readonly string[];
  forbidden: (row: MatrixRow, c: ResourceChange) => readonly ChangeAction[];
}

const STATEFUL = [INSTANCE, VOLUME, ATTACHMENT, EIP, NLB, KEY_PAIR];

/** The rules of the issue, for every row. */
export const INVARIANTS: readonly Invariant[] = [
  {
    rule: "only a tier change touches an existing EC2 instance, and only in place",
    type: INSTANCE,
    forbidden: (row) => (row.rebuild ? [] : row.tierChange ? ["replace"] : ["replace", "update"]),
  },
  {
    rule: "only a tier change touches an existing EBS volume, and only in place (resize)",
    type: VOLUME,
    forbidden: (row) => (row.tierChange ? ["replace"] : ["replace", "update"]),
  },
  {
    rule: "a volume attachment is replaced only with its host",
    type: ATTACHMENT,
    forbidden: (row) => (row.rebuild ? [] : ["replace"]),
  },
  { rule: "an EIP is never replaced", type: EIP, forbidden: () => ["replace"] },
  { rule: "the NLB is never replaced", type: NLB, forbidden: () => ["replace"] },
  { rule: "the backup bucket is never replaced", type: BUCKET, forbidden: () => ["replace", "delete"] },
  {
    rule: "nothing stateful is deleted but the resources of a removed host",
    type: STATEFUL,
    forbidden: (row, c) => (row.removes?.test(c.name) ? [] : ["delete"]),
  },
];

function typeMatches(type: Invariant["type"] | Selector["type"], actual: string): boolean {
  if (type === undefined) return true;
  if (typeof type === "string") return type === actual;
  if (type instanceof RegExp) return type.test(actual);
  return type.includes(actual);
}

function selects(s: Selector, c: ResourceChange): boolean {
  return typeMatches(s.type, c.type) && (s.name?.test(c.name) ?? true) && s.actions.includes(c.action);
}

/** `replace docker:index/container:Container jr-prod-app-0-jairouter (image: a → b; forced by image)` */
export function describeChange(c: ResourceChange): string {
  const keys = c.changed.map(formatKeyChange).join(", ");
  const forced = c.replaceKeys.length > 0 ? `; forced by ${c.replaceKeys.join(", ")}` : "";
  return `${c.action} ${c.type} ${c.name}${keys || forced ? ` (${keys}${forced})` : ""}`;
}

/**
 * The key pair's name must survive every change: an explicit `keyName` that stays the same, and a
 * replacement of a fixed name only delete-before-replace (AWS refuses a second pair of that name).
 */
function keyPairProblems(set: ChangeSet, before: Map<string, DiffableResource>): string[] {
  const problems: string[] = [];
  for (const c of set.changes.filter((c) => c.type === KEY_PAIR && c.action !== "create")) {
    const old = before.get(c.urn);
    const fixedName = old !== undefined && typeof old.inputs.keyName === "string";
    if (c.changed.some((k) => k.key === "keyName"))
      problems.push(`${describeChange(c)}: the key pair's name changes`);
    else if (c.action === "replace" && !fixedName)
      problems.push(`${describeChange(c)}: a replaced key pair without a fixed keyName gets a new name`);
    else if (c.action === "replace" && !c.deleteBeforeReplace)
      problems.push(`${describeChange(c)}: a fixed key name is replaced only delete-before-replace`);
  }
  return problems;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

function mentionProblems(mention: Mention, set: ChangeSet, after: Map<string, DiffableResource>): string[] {
  return mention.onEach.flatMap((host) => {
    const reached = set.changes.some((c) => {
      const r = after.get(c.urn);
      return (
        r && host.test(c.name) && stringsIn(unwrapSecrets(r.inputs)).some((s) => s.includes(mention.text))
      );
    });
    const shown = mention.text.length > 60 ? `${mention.text.slice(0, 57)}...` : mention.text;
    return reached ? [] : [`"${shown}" reaches no changed resource named like ${host}`];
  });
}

/** Every expectation of `row` that the diff breaks; empty when the row holds. */
export function checkRow(
  row: MatrixRow,
  set: ChangeSet,
  before: readonly DiffableResource[],
  after: readonly DiffableResource[],
): string[] {
  const problems: string[] = [];
  for (const req of row.must) {
    const n = set.changes.filter((c) => selects(req, c)).length;
    const expected = req.count ?? req.atLeast ?? 1;
    if (req.count !== undefined ? n !== req.count : n < expected) {
      const what = `${req.actions.join("/")} of ${String(req.type ?? "any type")} named like ${req.name ?? "anything"}`;
      problems.push(
        `expected ${req.count !== undefined ? "" : "at least "}${expected} ${what} (${req.why}); found ${n}`,
      );
    }
  }
  for (const c of set.changes) {
    const broken = INVARIANTS.filter(
      (inv) => typeMatches(inv.type, c.type) && inv.forbidden(row, c).includes(c.action),
    );
    for (const inv of broken) problems.push(`${describeChange(c)}: breaks "${inv.rule}"`);
    const expected = row.must.some((s) => selects(s, c)) || row.may.some((s) => selects(s, c));
    if (broken.length === 0 && !expected)
      problems.push(`${describeChange(c)}: not expected from this change`);
  }
  problems.push(...keyPairProblems(set, new Map(before.map((r) => [r.urn, r]))));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  for (const mention of row.mentions ?? []) problems.push(...mentionProblems(mention, set, afterByUrn));
  return problems;
}
