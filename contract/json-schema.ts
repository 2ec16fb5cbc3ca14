import { z } from "zod";
import { CONTRACT_VERSION, contractSchema } from "./schema";

/** Where the generated JSON Schema is committed, for consumers in other languages. */
export const CONTRACT_SCHEMA_FILE = "contract/jairouter-contract.schema.json";

/** The version a JSON Schema of the contract describes (a top-level annotation). */
export const VERSION_KEY = "x-schemaVersion";

const STANDARD_FORMATS = new Set(["uri", "ipv4", "ipv6", "email", "date-time", "date", "uuid"]);

export type JsonSchema = Record<string, unknown>;

/** The contract's JSON Schema (draft 2020-12), annotated with the contract version it describes. */
export function contractJsonSchema(
  schema: z.ZodType = contractSchema,
  version: string = CONTRACT_VERSION,
): JsonSchema {
  // "output": the shape of what a producer emits (as consumers read it)
  const json = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "output",
    // zod's own formats (cidrv4) are not JSON Schema formats; strict validators reject unknown
    // ones. The pattern beside it says the same.
    override: ({ jsonSchema }) => {
      if (typeof jsonSchema.format === "string" && !STANDARD_FORMATS.has(jsonSchema.format))
        delete jsonSchema.format;
    },
  }) as JsonSchema;
  return { ...json, [VERSION_KEY]: version };
}

/** The committed file's text: stable key order from the definition, two-space indent, final newline. */
export function renderContractJsonSchema(schema?: z.ZodType, version?: string): string {
  return `${JSON.stringify(contractJsonSchema(schema, version), null, 2)}\n`;
}

/** The version a JSON Schema of the contract carries. */
export function schemaVersionOf(json: JsonSchema): string {
  const version = json[VERSION_KEY];
  if (typeof version !== "string") throw new Error(`contract JSON Schema lacks "${VERSION_KEY}"`);
  return version;
}
