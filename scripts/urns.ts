/**
 * URN snapshots of the committed stacks, test/fixtures/urns/<stack>.txt.
 * Usage: npm run urns             rewrite every snapshot from a fresh offline synth
 *        npm run urns -- --check  compare instead; exit 1 if a snapshot URN is gone without an
 *                                 alias (a live stack would delete and recreate it) or if the
 *                                 synth has URNs the snapshot does not know
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readStackFile, withSynthSecrets } from "./lib/stack-file";
import {
  addedUrnsMessage,
  compareWithSnapshot,
  formatSnapshot,
  missingUrnsMessage,
  parseSnapshot,
  type SnapshotResource,
} from "./lib/urn-snapshot";

const SNAPSHOT_DIR = join("test", "fixtures", "urns");

/** Every `Pulumi.<stack>.yaml` next to Pulumi.yaml. */
function committedStacks(): string[] {
  return readdirSync(".")
    .map((file) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

async function synthesizedUrns(stack: string): Promise<SnapshotResource[]> {
  const config = await withSynthSecrets(readStackFile(stack));
  const { synthesize } = await import("./lib/synth-core");
  const result = await synthesize({ stack, ...config });
  return result.resources.map((r) => ({ urn: r.urn, aliases: r.options.aliases ?? [] }));
}

/** Prints what differs from the snapshot; true when it holds. */
function check(stack: string, resources: SnapshotResource[]): boolean {
  const file = join(SNAPSHOT_DIR, `${stack}.txt`);
  if (!existsSync(file)) {
    console.error(`${stack}: no snapshot at ${file}; run \`npm run urns\` and commit it.`);
    return false;
  }
  const { missing, aliased, added } = compareWithSnapshot(
    parseSnapshot(readFileSync(file, "utf8")),
    resources,
  );
  for (const { urn, by } of aliased) console.log(`${stack}: ${urn}\n  carried over by the alias of ${by}`);
  if (missing.length > 0) console.error(missingUrnsMessage(stack, missing));
  if (added.length > 0) console.error(addedUrnsMessage(stack, added));
  if (missing.length === 0 && added.length === 0)
    console.log(`${stack}: ${resources.length} URNs match ${file}`);
  return missing.length === 0 && added.length === 0;
}

async function main() {
  const checking = process.argv.includes("--check");
  let ok = true;
  for (const stack of committedStacks()) {
    const resources = await synthesizedUrns(stack);
    if (checking) {
      ok = check(stack, resources) && ok;
    } else {
      const file = join(SNAPSHOT_DIR, `${stack}.txt`);
      writeFileSync(file, formatSnapshot(resources.map((r) => r.urn)));
      console.log(`${stack}: ${resources.length} URNs -> ${file}`);
    }
  }
  if (!ok) process.exit(1);
}

main().catch((err) => {
  const e = err as Error;
  console.error(e.name === "RunError" || e.name === "ConfigError" ? e.message : (e.stack ?? String(e)));
  process.exit(1);
});
