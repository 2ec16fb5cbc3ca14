/**
 * Offline synth: evaluates the program for Pulumi.<stack>.yaml under Pulumi's mock runtime (no
 * cloud, no CLI) and writes out/<stack>/{resources.json, outputs.json, files/...}.
 * Usage: npm run synth -- <stack>
 *        npm run synth -- <stack> --explain-change <key>=<value> [--explain-change ...] [--json]
 * With --explain-change it writes nothing: it prints what the change would do to the stack.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readStackFile, withSynthSecrets } from "./lib/stack-file";
import { stableJson } from "./lib/stable-json";

const USAGE = `usage: npm run synth -- <stack>   (reads Pulumi.<stack>.yaml, writes out/<stack>/)
       npm run synth -- <stack> --explain-change <key>=<value> [--explain-change ...] [--json]`;

interface Args {
  stack: string;
  /** `key=value` texts, in order. */
  changes: string[];
  json: boolean;
}

function parseArgs(argv: string[]): Args | undefined {
  const args: Args = { stack: "", changes: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--explain-change" && i + 1 < argv.length) args.changes.push(argv[++i]!);
    else if (arg.startsWith("--explain-change=")) args.changes.push(arg.slice("--explain-change=".length));
    else if (arg === "--json") args.json = true;
    else if (!args.stack && /^[A-Za-z0-9_.-]+$/.test(arg)) args.stack = arg;
    else return undefined;
  }
  if (!args.stack || (args.json && args.changes.length === 0)) return undefined;
  return args;
}

/** Configuration errors print as `pulumi preview` would: the message alone; program bugs with their stack. */
function failSynth(err: unknown): never {
  const e = err as Error;
  const plain = ["RunError", "ConfigError", "ChangeArgumentError"].includes(e.name);
  console.error(plain ? e.message : (e.stack ?? String(e)));
  process.exit(1);
}

async function render(stack: string) {
  const config = await withSynthSecrets(readStackFile(stack));
  const { synthesize, redact } = await import("./lib/synth-core");
  const result = await synthesize({ stack, ...config }).catch(failSynth);

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

/** Prints what the changes would do; exits 0 whatever they do (it explains, it does not judge). */
async function explain({ stack, changes, json }: Args) {
  const { explainChange } = await import("./lib/explain-change");
  const { changeSetJson, formatChangeTable, formatSummary, summarizeChanges } =
    await import("./lib/change-report");
  const set = await explainChange(stack, changes).catch(failSynth);
  if (json) {
    process.stdout.write(changeSetJson(set));
    return;
  }
  const summary = formatSummary(summarizeChanges(set));
  process.stdout.write(
    `${stack}: ${changes.join(" ")}\n\n${formatChangeTable(set)}\n\n${stack}: ${summary}\n`,
  );
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    console.error(USAGE);
    process.exit(2);
  }
  await (args.changes.length > 0 ? explain(args) : render(args.stack));
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
