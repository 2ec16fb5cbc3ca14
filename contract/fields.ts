import type { JsonSchema } from "./json-schema";

/** One field of the contract as the compatibility check sees it. */
export interface ContractField {
  /** Dotted path; `[]` marks array elements, `<key>` map values. */
  path: string;
  /** What a consumer can rely on: `string`, `integer`, `string[]`, `map<string>`, `enum(a|b)`... */
  type: string;
  /** Always present when its parent is. */
  required: boolean;
  /** What the field means (the zod definition's description). */
  description?: string;
}

function asSchema(value: unknown): JsonSchema {
  return value && typeof value === "object" ? (value as JsonSchema) : {};
}

/** Whether a schema is an object with declared properties (not a map of anything). */
function hasProperties(schema: JsonSchema): boolean {
  return typeof schema.properties === "object" && schema.properties !== null;
}

/** The type signature of a schema; formats and patterns narrow a value, they do not change its type. */
export function typeSignature(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return `enum(${schema.enum.map(String).join("|")})`;
  if ("const" in schema) return `const(${JSON.stringify(schema.const)})`;
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives))
    return alternatives
      .map((a) => typeSignature(asSchema(a)))
      .sort()
      .join("|");
  if (schema.type === "array") return `${typeSignature(asSchema(schema.items))}[]`;
  if (schema.type === "object" && !hasProperties(schema)) {
    const values = schema.additionalProperties;
    return values && typeof values === "object" && Object.keys(values).length > 0
      ? `map<${typeSignature(asSchema(values))}>`
      : "map<any>";
  }
  return String(schema.type ?? "any");
}

/** Every field of a contract JSON Schema, depth first, in declaration order. */
export function contractFields(schema: JsonSchema): ContractField[] {
  const fields: ContractField[] = [];
  const visit = (node: JsonSchema, path: string) => {
    if (node.type === "object" && hasProperties(node)) {
      const required = new Set((node.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries(node.properties as Record<string, unknown>)) {
        const childPath = path ? `${path}.${key}` : key;
        const childSchema = asSchema(child);
        const description = typeof childSchema.description === "string" ? childSchema.description : undefined;
        fields.push({
          path: childPath,
          type: typeSignature(childSchema),
          required: required.has(key),
          description,
        });
        visit(childSchema, childPath);
      }
    } else if (node.type === "array") {
      visit(asSchema(node.items), `${path}[]`);
    } else if (node.type === "object" && node.additionalProperties) {
      visit(asSchema(node.additionalProperties), `${path}.<key>`);
    }
  };
  visit(schema, "");
  return fields;
}
