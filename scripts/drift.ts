// npm run drift -- <stack>: one report of cloud drift, host drift, app drift and continuous
// validation, as JSON and Markdown; exit 0 clean, 2 drift, 3 could not check (docs/drift.md).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDriftArgs } from "./lib/drift/args";
import { expectedHosts } from "./lib/drift/expected";
import { sha256Hex } from "./lib/drift/mask";
import { exitCode, parsePreviousReport, renderMarkdown } from "./lib/drift/report";
import { runDrift } from "./lib/drift/run";
import { loadNlbTargets, loadPreview, loadResources } from "./lib/drift/sources";
import { stackRegion } from "./stack-region";
import { sshTransport } from "./lib/drift/transport";
import { EXIT } from "./lib/drift/types";

async function main(): Promise<number> {
  const args = parseDriftArgs(process.argv.slice(2));
  const region = stackRegion(args.stack);
  const previous = args.previous ? parsePreviousReport(readFileSync(args.previous, "utf8")) : undefined;
  const { from, set } = await loadResources(args);
  if (set.encrypted > 0) {
    throw new Error("the state holds encrypted secrets: export it with `pulumi stack export --show-secrets`");
  }
  const report = await runDrift({
    stack: args.stack,
    expectedFrom: from,
    hosts: expectedHosts(set, sha256Hex),
    secrets: set.secrets,
    preview: await loadPreview(args),
    nlbTargets: await loadNlbTargets(set, region, args.synth),
    transport: sshTransport(),
    now: new Date(),
    previous,
    fix: args.fix,
  });
  mkdirSync(args.out, { recursive: true });
  const markdown = renderMarkdown(report);
  writeFileSync(join(args.out, "drift-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(args.out, "drift-report.md"), markdown);
  console.log(markdown);
  return exitCode(report);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`drift: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(EXIT.usage);
  },
);
