// Adapters to the Pulumi and AWS CLIs: the stack's state, the refreshed preview, NLB target health.
// Each failure comes back as a reason for the report ("could not check"), not as a crash.
import { readFileSync } from "node:fs";
import { parsePreview, type PreviewStep } from "./cloud-drift";
import { fromStackExport, fromSynthRecords, type ResourceSet } from "./resources";
import { runProcess } from "./transport";
import { awsCli } from "../aws-cli";
import type { DriftArgs } from "./args";

const CLI_TIMEOUT = 30 * 60_000;

/** Expected values: the stack's state (export with secrets, kept in memory only) or the synth. */
export async function loadResources(args: DriftArgs): Promise<{ from: "state" | "synth"; set: ResourceSet }> {
  if (args.synth) {
    const { readStackFile, withSynthSecrets } = await import("../stack-file");
    const { synthesize } = await import("../synth-core");
    const config = await withSynthSecrets(readStackFile(args.stack));
    const result = await synthesize({ stack: args.stack, ...config });
    return { from: "synth", set: fromSynthRecords(result.resources) };
  }
  let text: string;
  if (args.state) text = readFileSync(args.state, "utf8");
  else {
    const run = await runProcess(
      ["pulumi", "stack", "export", "--show-secrets", "--stack", args.stack],
      "",
      CLI_TIMEOUT,
    );
    if (run.code !== 0)
      throw new Error(`pulumi stack export failed (exit ${run.code}): ${run.stderr.trim().slice(0, 300)}`);
    text = run.stdout;
  }
  return { from: "state", set: fromStackExport(JSON.parse(text)) };
}

export async function loadPreview(args: DriftArgs): Promise<{ steps: PreviewStep[] } | { error: string }> {
  try {
    if (args.preview) return { steps: parsePreview(readFileSync(args.preview, "utf8")) };
    if (args.synth)
      return { error: "offline synth: no cloud to refresh (pass --preview <file> to read one)" };
    const run = await runProcess(
      ["pulumi", "preview", "--refresh", "--json", "--stack", args.stack],
      "",
      CLI_TIMEOUT,
    );
    // a preview with changes still exits 0; an error leaves diagnostics and no steps
    if (run.code !== 0 && !run.stdout.includes('"steps"')) {
      return {
        error: `pulumi preview --refresh failed (exit ${run.code}): ${run.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 300)}`,
      };
    }
    return { steps: parsePreview(run.stdout) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Health of every target group's targets, by target group name. */
export async function loadNlbTargets(
  set: ResourceSet,
  region: string,
  synth: boolean,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const aws = awsCli(region);
  for (const tg of set.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup")) {
    const arn = tg.outputs.arn;
    if (synth || typeof arn !== "string") {
      out[tg.name] = { error: "no target group ARN (offline synth or not deployed)" };
      continue;
    }
    out[tg.name] = await aws("elbv2", "describe-target-health", ["--target-group-arn", arn]).catch(
      (err: unknown) => ({ error: (err as Error).message }),
    );
  }
  return out;
}
