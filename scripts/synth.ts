/**
 * Offline synth: evaluates the program for Pulumi.<stack>.yaml under Pulumi's mock runtime (no
 * cloud, no CLI) and writes out/<stack>/{resources.json, outputs.json, files/...}.
 * Usage: npm run synth -- <stack>
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readStackFile, withSynthSecrets } from "./lib/stack-file";
import { stableJson } from "./lib/stable-json";

async function main() {
  const stack = process.argv[2];
  if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack)) {
    console.error("usage: npm run synth -- <stack>   (reads Pulumi.<stack>.yaml)");
    process.exit(2);
  }
  const config = await withSynthSecrets(readStackFile(stack));
  const { synthesize, redact } = await import("./lib/synth-core");
  let result;
  try {
    result = await synthesize({ stack, ...config });
  } catch (err) {
    const e = err as Error;
    // Configuration errors print as `pulumi preview` would: the message alone.
    console.error(e.name === "RunError" || e.name === "ConfigError" ? e.message : (e.stack ?? String(e)));
    process.exit(1);
  }

  const outDir = join("out", stack);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "files"), { recursive: true });
  const resources = result.resources.map((r) => ({ ...r, inputs: redact(r.inputs) }));
  writeFileSync(join(outDir, "resources.json"), stableJson(resources));
  writeFileSync(join(outDir, "outputs.json"), stableJson(result.outputs));
  for (const [path, content] of [...result.files.entries()].sort()) {
    const target = join(outDir, "files", path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }

  const byType = new Map<string, number>();
  for (const r of result.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  console.log(
    `synth ${stack}: ${result.resources.length} resources, ${result.files.size} files -> ${outDir}/`,
  );
  for (const [type, count] of [...byType.entries()].sort())
    console.log(`  ${String(count).padStart(4)}  ${type}`);
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
