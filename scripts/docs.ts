/** Regenerates the configuration reference inside docs/configuration.md. Usage: npm run docs */
import { readFileSync, writeFileSync } from "node:fs";
import {
  CONFIG_REFERENCE_FILE,
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
} from "./lib/config-reference";

const doc = readFileSync(CONFIG_REFERENCE_FILE, "utf8");
const start = doc.indexOf(REFERENCE_START);
const end = doc.indexOf(REFERENCE_END);
if (start === -1 || end === -1)
  throw new Error(`${CONFIG_REFERENCE_FILE} lacks the config-reference markers`);
writeFileSync(
  CONFIG_REFERENCE_FILE,
  doc.slice(0, start) + renderConfigReference() + doc.slice(end + REFERENCE_END.length),
);
console.log(`${CONFIG_REFERENCE_FILE} configuration reference regenerated`);
