// URNs as the Pulumi engine computes them (the qualified type carries the whole parent type chain,
// `Parent$Child$Type`), the aliases it would accept for a resource, and the check of a stack's
// URNs against a committed snapshot: a URN that disappears without an alias is a delete and a
// recreate on the next `pulumi up`.

/** The root stack resource never appears in its children's type chain. */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface UrnParts {
  stack: string;
  project: string;
  /** The type chain: parent types then the resource's own, joined by `$`. */
  qualifiedType: string;
  /** The resource's own type (the last link of the chain). */
  type: string;
  name: string;
}

/** Splits `urn:pulumi:<stack>::<project>::<qualified type>::<name>` (the name may contain `::`). */
export function parseUrn(urn: string): UrnParts {
  const [head = "", project = "", qualifiedType = "", ...name] = urn.split("::");
  return {
    stack: head.replace(/^urn:pulumi:/, ""),
    project,
    qualifiedType,
    type: qualifiedType.split("$").pop() ?? "",
    name: name.join("::"),
  };
}

/** The URN of a resource of `type` named `name` under `parent` (a URN, or "" for none). */
export function createUrn(args: {
  name: string;
  type: string;
  parent: string;
  project: string;
  stack: string;
}) {
  const parentType = args.parent ? parseUrn(args.parent).qualifiedType : "";
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${args.type}` : args.type;
  return `urn:pulumi:${args.stack}::${args.project}::${qualified}::${args.name}`;
}

/** One alias as the SDK sends it: a whole URN, or the parts that differ from the resource's own. */
export type AliasRequest =
  | { urn: string }
  | {
      name?: string;
      type?: string;
      stack?: string;
      project?: string;
      parentUrn?: string;
      noParent?: boolean;
    };

/** The resource being registered and what is already known about the others. */
export interface AliasContext {
  name: string;
  type: string;
  /** URN of the parent, "" for none. */
  parent: string;
  project: string;
  stack: string;
  /** Every alias URN already computed for a registered resource (its parent in particular). */
  aliasesOf(urn: string): readonly string[];
}

/**
 * Every URN the engine would match against the old state for this resource: its own aliases, and
 * those inherited from its parent's aliases (a child named `<parent name>-x` follows a renamed
 * parent). The engine uses the one alias of the parent that matched; offline, every candidate is
 * listed. Sorted, without the resource's own URN.
 */
export function aliasUrns(aliases: readonly AliasRequest[], ctx: AliasContext): string[] {
  const own = aliases.flatMap((alias) => collapseAlias(alias, ctx));
  const found = new Set(own);
  if (ctx.parent) {
    const parentName = parseUrn(ctx.parent).name;
    for (const parentAlias of ctx.aliasesOf(ctx.parent)) {
      found.add(inheritedChildAlias(ctx.type, ctx.name, parentName, parentAlias, ctx));
      for (const alias of own) {
        const { type, name } = parseUrn(alias);
        found.add(inheritedChildAlias(type, name, parentName, parentAlias, ctx));
      }
    }
  }
  found.delete(createUrn(ctx));
  return [...found].sort();
}

/** An alias spec filled in with the resource's own name, type, parent, project and stack. */
function collapseAlias(alias: AliasRequest, ctx: AliasContext): string[] {
  if ("urn" in alias) return [alias.urn];
  const name = alias.name || ctx.name;
  const type = alias.type || ctx.type;
  const project = alias.project || ctx.project;
  const stack = alias.stack || ctx.stack;
  const parent = alias.noParent ? "" : alias.parentUrn || ctx.parent;
  // A parent that was aliased itself lends its old URNs too.
  const parents = parent ? [parent, ...ctx.aliasesOf(parent)] : [""];
  return parents.map((p) => createUrn({ name, type, parent: p, project, stack }));
}

function inheritedChildAlias(
  childType: string,
  childName: string,
  parentName: string,
  parentAlias: string,
  ctx: AliasContext,
): string {
  const aliasName = childName.startsWith(parentName)
    ? parseUrn(parentAlias).name + childName.slice(parentName.length)
    : childName;
  return createUrn({
    name: aliasName,
    type: childType,
    parent: parentAlias,
    project: ctx.project,
    stack: ctx.stack,
  });
}

// ---------------------------------------------------------------------------------------------
// The snapshot: the sorted URNs of a stack, one per line.

export interface SnapshotResource {
  urn: string;
  /** Former URNs the engine would accept for this resource (`options.aliases` of the synth). */
  aliases?: readonly string[];
}

export interface SnapshotComparison {
  /** Snapshot URNs that no resource has, nor claims as an alias: deleted and recreated on `up`. */
  missing: string[];
  /** Snapshot URNs carried over by an alias, with the URN that claims each. */
  aliased: { urn: string; by: string }[];
  /** URNs of the synth that the snapshot does not know yet. */
  added: string[];
}

export function compareWithSnapshot(
  snapshot: readonly string[],
  resources: readonly SnapshotResource[],
): SnapshotComparison {
  const present = new Set(resources.map((r) => r.urn));
  const claimedBy = new Map<string, string>();
  for (const r of resources) for (const alias of r.aliases ?? []) claimedBy.set(alias, r.urn);
  const known = new Set(snapshot);
  const gone = [...known].filter((urn) => !present.has(urn)).sort();
  return {
    missing: gone.filter((urn) => !claimedBy.has(urn)),
    aliased: gone.filter((urn) => claimedBy.has(urn)).map((urn) => ({ urn, by: claimedBy.get(urn)! })),
    added: [...present].filter((urn) => !known.has(urn)).sort(),
  };
}

export function missingUrnsMessage(stack: string, missing: readonly string[]): string {
  return [
    `${missing.length} URN(s) of the ${stack} snapshot are gone and no resource claims them as an alias:`,
    ...missing.map((urn) => `  - ${urn}`),
    "For each, a live stack would delete and recreate it (a protected data volume stops the update): " +
      "add an alias, or if the removal is deliberate run `npm run urns` and commit.",
  ].join("\n");
}

export function addedUrnsMessage(stack: string, added: readonly string[]): string {
  return [
    `${added.length} URN(s) of the ${stack} synth are not in its snapshot:`,
    ...added.map((urn) => `  + ${urn}`),
    "If these resources are meant to exist, run `npm run urns` and commit the snapshot.",
  ].join("\n");
}

/** The snapshot file's text: URNs sorted by code unit, one per line. */
export function formatSnapshot(urns: Iterable<string>): string {
  return `${[...new Set(urns)].sort().join("\n")}\n`;
}

export function parseSnapshot(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
