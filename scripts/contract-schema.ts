/**
 * Regenerates the committed JSON Schema of the stack contract from its zod definition, and the
 * table of its fields in docs/contract.md. Refuses when
 * the definition changed in a way its schemaVersion does not allow (see contract/compatibility.ts).
 * Usage: npm run contract:schema
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { checkCompatibility } from "../contract/compatibility";
import { CONTRACT_SCHEMA_FILE, contractJsonSchema, renderContractJsonSchema } from "../contract/json-schema";
import {
  CONTRACT_REFERENCE_END,
  CONTRACT_REFERENCE_FILE,
  CONTRACT_REFERENCE_START,
  renderContractReference,
} from "../contract/reference";
import { replaceGeneratedBlock } from "./lib/markdown";

if (existsSync(CONTRACT_SCHEMA_FILE)) {
  const committed = JSON.parse(readFileSync(CONTRACT_SCHEMA_FILE, "utf8")) as Record<string, unknown>;
  const report = checkCompatibility(committed, contractJsonSchema());
  if (report.problems.length > 0) {
    console.error(
      `${CONTRACT_SCHEMA_FILE} not written:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    process.exit(1);
  }
}
writeFileSync(CONTRACT_SCHEMA_FILE, renderContractJsonSchema());
console.log(`${CONTRACT_SCHEMA_FILE} regenerated`);

replaceGeneratedBlock(
  CONTRACT_REFERENCE_FILE,
  CONTRACT_REFERENCE_START,
  CONTRACT_REFERENCE_END,
  renderContractReference(),
);
console.log(`${CONTRACT_REFERENCE_FILE} contract reference regenerated`);
