// Markdown the scripts write: table cells, and the generated blocks kept between markers in docs.
import { readFileSync, writeFileSync } from "node:fs";

/** Text made safe for one cell of a Markdown table (no column break, no line break). */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Replaces the span from `start` through `end` in `file` by `block` (which carries both markers again). */
export function replaceGeneratedBlock(file: string, start: string, end: string, block: string): void {
  const doc = readFileSync(file, "utf8");
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`${file} lacks the markers ${start} … ${end}`);
  writeFileSync(file, doc.slice(0, from) + block + doc.slice(to + end.length));
}
