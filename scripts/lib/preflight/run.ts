import type { PreflightArgs } from "./args";
import type { AwsCall } from "../aws-cli";
import { fail, skipped, unknown, type CheckGroup, type CheckResult } from "./checks";
import { checkIdentity, checkRegion } from "./identity";
import { sumNeeds, type StackNeeds } from "./needs";
import { checkPermissions } from "./permissions";
import { checkPlaceholders } from "./placeholders";
import { checkQuotas, type UsageReader } from "./quotas";
import type { PreflightReport } from "./report";
import { checkSecrets } from "./secrets";
import { readStackSource, UsageError, type StackSource } from "./stack-source";
import { checkTools, type ToolRunner } from "./tools";

/** What the preflight talks to; the CLI wires the real ones, tests inject fakes. */
export interface PreflightDeps {
  /** AWS calls for a region. */
  aws: (region: string) => AwsCall;
  usage: (aws: AwsCall) => UsageReader;
  runTool: ToolRunner;
  /** The stack's needs from its offline synth. */
  needs: (stack: string) => Promise<StackNeeds>;
  /** Directory holding the Pulumi.<stack>.yaml files. */
  dir?: string;
}

/** Runs every check group not skipped and returns the checklist. */
export async function runPreflight(args: PreflightArgs, deps: PreflightDeps): Promise<PreflightReport> {
  const source = readStackSource(args.stack, deps.dir);
  const others = args.withStacks.map((s) => readStackSource(s, deps.dir));
  for (const other of others)
    if (other.region !== source.region)
      throw new UsageError(
        `--with ${other.stack}: its aws:region ${other.region} differs from ${source.region}; quotas are per region, so check it on its own`,
      );
  const wanted = (group: CheckGroup) => !args.skip.includes(group);
  const results: CheckResult[] = [];
  const settings = source.settings;

  if (wanted("tools"))
    results.push(
      ...(await checkTools(deps.runTool, {
        transport: settings?.access.transport ?? "ssm",
        sshPublicKey: settings?.access.sshPublicKey,
      })),
    );
  else results.push(skipped("tools", "local tools", "--skip tools"));

  const report: PreflightReport = {
    stacks: [source.stack, ...others.map((o) => o.stack)],
    region: source.region,
    results,
  };
  results.push(...(await awsChecks(args, deps, source, others, wanted, report)));

  if (wanted("placeholders"))
    for (const s of [source, ...others]) results.push(...checkPlaceholders(s.stack, s.config));
  else results.push(skipped("placeholders", "stack file", "--skip placeholders"));

  if (wanted("secrets")) for (const s of [source, ...others]) results.push(...secretLines(s));
  else results.push(skipped("secrets", "secure keys", "--skip secrets"));
  return report;
}

function secretLines(source: StackSource): CheckResult[] {
  if (source.settings) return checkSecrets(source.stack, source.settings, source.config);
  return [
    fail(
      "secrets",
      `Pulumi.${source.stack}.yaml`,
      `the configuration does not validate: ${source.settingsError}`,
      `npm run synth -- ${source.stack} names every bad key`,
    ),
  ];
}

async function awsChecks(
  args: PreflightArgs,
  deps: PreflightDeps,
  source: StackSource,
  others: StackSource[],
  wanted: (group: CheckGroup) => boolean,
  report: PreflightReport,
): Promise<CheckResult[]> {
  const groups = (["identity", "quotas", "permissions"] as const).filter(wanted);
  if (groups.length === 0) return [skipped("identity", "AWS checks", "--skip identity,quotas,permissions")];
  const aws = deps.aws(source.region);
  const { result, identity } = await checkIdentity(aws);
  const results = [result];
  if (!identity) {
    for (const group of groups.filter((g) => g !== "identity"))
      results.push(
        unknown(
          group,
          "not checked",
          "no AWS identity (see the identity line)",
          "fix the identity line first",
        ),
      );
    return results;
  }
  report.account = identity.account;
  // Only with an identity: without one, the synth's seconds would buy nothing.
  const needsPromise =
    wanted("quotas") || wanted("permissions")
      ? Promise.all([source, ...others].map((s) => deps.needs(s.stack))).then(sumNeeds)
      : undefined;
  const region = wanted("identity")
    ? checkRegion(aws, source.region, source.settings?.network.zones ?? 1, source.stack)
    : undefined;
  const needs = await needsPromise?.then(
    (value) => ({ value, error: undefined }),
    (error: Error) => ({ value: undefined, error }),
  );
  if (needs?.error)
    results.push(
      fail(
        "quotas",
        "stack synth",
        `the stack does not synthesize: ${needs.error.message.split("\n")[0]}`,
        `npm run synth -- ${source.stack} shows the whole error`,
      ),
    );
  const stackNeeds = needs?.value;
  const [regionLine, quotaLines, permissionLines] = await Promise.all([
    region,
    stackNeeds && wanted("quotas")
      ? checkQuotas(aws, stackNeeds, source.region, deps.usage(aws), args.quotas)
      : [],
    stackNeeds && wanted("permissions")
      ? checkPermissions(aws, {
          callerArn: identity.arn,
          account: identity.account,
          region: source.region,
          stack: source.stack,
          types: stackNeeds.types,
          principalOverride: args.principalArn,
        })
      : [],
  ]);
  if (regionLine) results.splice(1, 0, regionLine);
  return [...results, ...quotaLines, ...permissionLines];
}
