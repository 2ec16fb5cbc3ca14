/** Regenerates the configuration reference inside README.md. Usage: npm run docs */
import { readFileSync, writeFileSync } from "node:fs";
import { REFERENCE_END, REFERENCE_START, renderConfigReference } from "./lib/config-reference";

const readme = readFileSync("README.md", "utf8");
const start = readme.indexOf(REFERENCE_START);
const end = readme.indexOf(REFERENCE_END);
if (start === -1 || end === -1) throw new Error("README.md lacks the config-reference markers");
writeFileSync(
  "README.md",
  readme.slice(0, start) + renderConfigReference() + readme.slice(end + REFERENCE_END.length),
);
console.log("README.md configuration reference regenerated");
