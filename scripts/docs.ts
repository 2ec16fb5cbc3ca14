/** Regenerates the configuration reference inside docs/configuration.md. Usage: npm run docs */
import {
  CONFIG_REFERENCE_FILE,
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
} from "./lib/config-reference";
import { replaceGeneratedBlock } from "./lib/markdown";

replaceGeneratedBlock(CONFIG_REFERENCE_FILE, REFERENCE_START, REFERENCE_END, renderConfigReference());
console.log(`${CONFIG_REFERENCE_FILE} configuration reference regenerated`);
