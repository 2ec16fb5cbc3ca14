import type { z } from "zod";
import { stackConfigSchema, type FieldDoc } from "./schema";

/** One documented key of the stack configuration, as listed in docs/configuration.md. */
export interface FieldReference extends FieldDoc {
  /** Dotted path below the namespace; `[]` marks array elements, `<type>` record keys. */
  path: string;
  type: string;
  defaultValue?: unknown;
  required: boolean;
}

// zod 4 keeps a schema's kind in `_zod.def`; these are the wrappers the walker sees through.
interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  entries?: Record<string, string>;
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function metaOf(schema: z.ZodType): FieldDoc | undefined {
  const meta = schema.meta() as Partial<FieldDoc> | undefined;
  return meta?.description !== undefined && meta.example !== undefined
    ? { description: meta.description, example: meta.example }
    : undefined;
}

interface Unwrapped {
  core: z.ZodType;
  doc?: FieldDoc;
  defaultValue?: unknown;
  optional: boolean;
}

function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema;
  let doc = metaOf(schema);
  let defaultValue: unknown;
  let optional = false;
  for (;;) {
    const d = def(current);
    if (d.type === "default" || d.type === "prefault") {
      defaultValue ??=
        typeof d.defaultValue === "function" ? (d.defaultValue as () => unknown)() : d.defaultValue;
      optional = true;
    } else if (d.type === "optional") {
      optional = true;
    } else if (d.type !== "pipe") {
      return { core: current, doc, defaultValue, optional };
    }
    current = (d.innerType ?? d.in)!;
    doc ??= metaOf(current);
  }
}

function typeName(core: z.ZodType): string {
  const d = def(core);
  if (d.type === "enum")
    return Object.values(d.entries ?? {})
      .map((v) => JSON.stringify(v))
      .join(" | ");
  if (d.type === "array") return `${typeName(unwrap(d.element!).core)}[]`;
  if (d.type === "record") return "map";
  return d.type;
}

/** Every documented field of the schema, depth first, in declaration order. */
export function fieldReference(schema: z.ZodType = stackConfigSchema): FieldReference[] {
  const out: FieldReference[] = [];
  const visit = (node: z.ZodType, path: string) => {
    const { core, doc, defaultValue, optional } = unwrap(node);
    const d = def(core);
    if (path && doc) {
      out.push({ path, ...doc, type: typeName(core), defaultValue, required: !optional });
    }
    if (d.type === "object") {
      for (const [key, child] of Object.entries(d.shape!)) visit(child, path ? `${path}.${key}` : key);
    } else if (d.type === "array") {
      const element = unwrap(d.element!).core;
      if (def(element).type === "object") visit(element, `${path}[]`);
    } else if (d.type === "record") {
      visit(d.valueType!, `${path}.<type>`);
    }
  };
  visit(schema, "");
  return out;
}

/** The documentation of the field at a concrete path (indices and record keys allowed). */
export function docAt(
  path: (string | number)[],
  schema: z.ZodType = stackConfigSchema,
): FieldDoc | undefined {
  let node: z.ZodType | undefined = schema;
  let found: FieldDoc | undefined;
  for (const segment of path) {
    if (!node) break;
    const { core } = unwrap(node);
    const d = def(core);
    if (d.type === "object") node = d.shape![String(segment)];
    else if (d.type === "array") node = d.element;
    else if (d.type === "record") node = d.valueType;
    else node = undefined;
    const doc = node && unwrap(node).doc;
    if (doc) found = doc;
  }
  return found;
}

/** Known keys of the object at `path`, for "unknown key" hints. */
export function knownKeysAt(path: (string | number)[], schema: z.ZodType = stackConfigSchema): string[] {
  let node: z.ZodType | undefined = schema;
  for (const segment of path) {
    const d = def(unwrap(node!).core);
    node = d.type === "object" ? d.shape![String(segment)] : d.type === "array" ? d.element : d.valueType;
    if (!node) return [];
  }
  const d = def(unwrap(node!).core);
  return d.type === "object" ? Object.keys(d.shape!) : [];
}
