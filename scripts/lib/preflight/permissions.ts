import { actionsForTypes, grantsFor, type Grant } from "../aws-actions";
import { AwsCallError, type AwsCall } from "../aws-cli";
import { fail, pass, unknown, type CheckResult } from "./checks";
import { couldNotAsk } from "./identity";

/** The IAM principal to simulate for a caller ARN: an assumed role's role, an STS user's user. */
export function principalArnOf(callerArn: string): string | undefined {
  const assumed = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  const stsUser = /^arn:(aws[\w-]*):sts::(\d+):user\/(.+)$/.exec(callerArn);
  if (stsUser) return `arn:${stsUser[1]}:iam::${stsUser[2]}:user/${stsUser[3]}`;
  if (/^arn:aws[\w-]*:iam::\d+:root$/.test(callerArn)) return undefined;
  if (/^arn:aws[\w-]*:iam::\d+:(user|role)\//.test(callerArn)) return callerArn;
  return undefined;
}

export interface Decision {
  action: string;
  decision: string;
}

/** The simulator's answer as (action, decision) pairs. */
export function decisionsOf(answer: unknown): Decision[] {
  const results =
    (answer as { EvaluationResults?: { EvalActionName?: string; EvalDecision?: string }[] })
      .EvaluationResults ?? [];
  return results.map((r) => ({ action: r.EvalActionName ?? "?", decision: r.EvalDecision ?? "?" }));
}

/** One line per grant: pass when the simulator allows every action, else the denied ones named. */
export function evaluateGrant(grant: Grant, decisions: Decision[], principal: string): CheckResult {
  const title = `${grant.sid} (${grant.actions.length} actions)`;
  const denied = grant.actions.filter(
    (a) => decisions.find((d) => d.action.toLowerCase() === a.toLowerCase())?.decision !== "allowed",
  );
  if (denied.length === 0) return pass("permissions", title, `all allowed for ${principal}`);
  const shown =
    denied.slice(0, 8).join(", ") +
    (denied.length > 8 ? `, … (${denied.length - 8} more; --json lists all)` : "");
  return {
    ...fail(
      "permissions",
      title,
      `${denied.length} denied: ${shown}`,
      "deploy with the bootstrap's deploy role (bootstrap/README.md), or attach a policy granting them",
    ),
    need: grant.actions.length,
    have: grant.actions.length - denied.length,
  };
}

function simulateArgs(
  principal: string,
  grant: Grant,
  account: string,
  region: string,
  stack: string,
): string[] {
  const args = [
    "--policy-source-arn",
    principal,
    "--action-names",
    ...grant.actions,
    "--resource-arns",
    grant.probeResource(account, region, stack),
  ];
  const context = Object.entries(grant.probeContext ?? {});
  if (context.length)
    args.push(
      "--context-entries",
      ...context.map(
        ([key, value]) => `ContextKeyName=${key},ContextKeyValues=${value},ContextKeyType=string`,
      ),
    );
  return args;
}

/**
 * Simulates the deploy role's grants (scripts/lib/aws-actions.ts) for the stack's resource types
 * against the deployer (or `principalOverride`), with the resource and condition each statement
 * scopes to.
 */
export async function checkPermissions(
  aws: AwsCall,
  options: {
    callerArn: string;
    account: string;
    region: string;
    stack: string;
    types: string[];
    principalOverride?: string;
  },
): Promise<CheckResult[]> {
  const actions = actionsForTypes(options.types);
  const grants = grantsFor("deploy", actions);
  const results: CheckResult[] = [];
  if (actions.unknownTypes.length)
    results.push(
      unknown(
        "permissions",
        "resource types",
        `no action list for ${actions.unknownTypes.join(", ")}`,
        "add them to RESOURCE_ACTIONS in scripts/lib/aws-actions.ts",
      ),
    );
  const principal = options.principalOverride ?? principalArnOf(options.callerArn);
  if (!principal)
    return [
      ...results,
      pass(
        "permissions",
        "deployer",
        `${options.callerArn} is the account root: allowed everything (prefer the deploy role)`,
      ),
    ];
  const simulate = (grant: Grant) =>
    aws(
      "iam",
      "simulate-principal-policy",
      simulateArgs(principal, grant, options.account, options.region, options.stack),
    ).then(
      (answer) => ({ grant, decisions: decisionsOf(answer), error: undefined as unknown }),
      (error: unknown) => ({ grant, decisions: [] as Decision[], error }),
    );
  // One call first: when the simulator cannot answer at all, the other grants are not asked.
  const first = await simulate(grants[0]!);
  const unanswerable =
    first.error !== undefined && !(first.error instanceof AwsCallError && first.error.kind === "denied");
  const answers = unanswerable
    ? grants.map((grant) => ({ grant, decisions: [] as Decision[], error: first.error }))
    : [first, ...(await Promise.all(grants.slice(1).map(simulate)))];
  for (const { grant, decisions, error } of answers) {
    const title = `${grant.sid} (${grant.actions.length} actions)`;
    if (error === undefined) results.push(evaluateGrant(grant, decisions, principal));
    else if (error instanceof AwsCallError && error.kind === "denied")
      results.push(
        unknown(
          "permissions",
          title,
          `${principal} may not simulate policies (${error.message})`,
          "grant iam:SimulatePrincipalPolicy on the deployer (the bootstrap's deploy role has it), or run with --principal-arn <deploy role ARN> as an admin",
        ),
      );
    else {
      const why = couldNotAsk(error);
      results.push(unknown("permissions", title, `policy simulation unavailable: ${why.detail}`, why.fix));
    }
  }
  return results;
}
