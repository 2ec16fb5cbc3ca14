/**
 * Preflight of a first (or any) deploy: local tools, AWS identity and region, quotas against what
 * the stack needs, the deployer's permissions, sample values left in the stack file, secrets set.
 * Usage: npm run preflight -- <stack> [--with <stack>] [--json] [--skip <groups>] [--quotas-file f]
 * Exit codes: 0 pass, 1 blocked, 2 bad usage, 3 could not check (docs/first-deploy.md).
 */
import { parseArgs, USAGE } from "./lib/preflight/args";
import { awsCli } from "./lib/aws-cli";
import { EXIT, exitCodeOf } from "./lib/preflight/checks";
import { awsUsage } from "./lib/preflight/quotas";
import { formatReport, reportJson } from "./lib/preflight/report";
import { runPreflight } from "./lib/preflight/run";
import { UsageError } from "./lib/preflight/stack-source";
import { synthNeeds } from "./lib/preflight/synth-needs";
import { runTool } from "./lib/preflight/tools";

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const report = await runPreflight(args, {
    aws: (region) => awsCli(region),
    usage: awsUsage,
    runTool,
    needs: (stack) => synthNeeds(stack),
  });
  process.stdout.write(args.json ? reportJson(report) : formatReport(report));
  return exitCodeOf(report.results);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(EXIT.usage);
    }
    console.error(`preflight could not run: ${(err as Error).stack ?? String(err)}\n${USAGE}`);
    process.exit(EXIT.couldNotCheck);
  },
);
