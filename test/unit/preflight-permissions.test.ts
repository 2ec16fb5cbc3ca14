import { describe, expect, it } from "vitest";
import { actionsForTypes, grantsFor } from "../../scripts/lib/aws-actions";
import { AwsCallError, classifyAwsError, type AwsCall } from "../../scripts/lib/aws-cli";
import { checkPermissions, principalArnOf } from "../../scripts/lib/preflight/permissions";

const TYPES = [
  "aws:ec2/instance:Instance",
  "aws:ec2/eip:Eip",
  "aws:ssm/parameter:Parameter",
  "command:local:Command",
];
const OPTIONS = {
  callerArn: "arn:aws:sts::123456789012:assumed-role/jairouter-deploy/gh-run-1",
  account: "123456789012",
  region: "eu-west-1",
  stack: "prod",
  types: TYPES,
};

/** An IAM simulator that allows everything except the listed actions. */
function simulator(denied: string[]): AwsCall & { calls: string[][] } {
  const calls: string[][] = [];
  const call = async (_service: string, _operation: string, args: string[] = []) => {
    calls.push(args);
    const start = args.indexOf("--action-names") + 1;
    const end = args.indexOf("--resource-arns");
    return {
      EvaluationResults: args.slice(start, end).map((action) => ({
        EvalActionName: action,
        EvalDecision: denied.includes(action) ? "implicitDeny" : "allowed",
      })),
    };
  };
  return Object.assign(call, { calls });
}

describe("permission simulation", () => {
  it("simulates an assumed role as its role, and an IAM user as itself", () => {
    expect(principalArnOf(OPTIONS.callerArn)).toBe("arn:aws:iam::123456789012:role/jairouter-deploy");
    expect(principalArnOf("arn:aws:iam::123456789012:user/alice")).toBe(
      "arn:aws:iam::123456789012:user/alice",
    );
    expect(principalArnOf("arn:aws:iam::123456789012:root")).toBeUndefined();
  });

  it("passes when every action of the deploy grants is allowed", async () => {
    const lines = await checkPermissions(simulator([]), OPTIONS);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.status === "pass")).toBe(true);
  });

  it("names the denied actions: iam:PassRole, ssm:PutParameter, ssm:StartSession", async () => {
    const aws = simulator(["iam:PassRole", "ssm:PutParameter", "ssm:StartSession"]);
    const failed = (await checkPermissions(aws, OPTIONS)).filter((l) => l.status === "fail");
    expect(failed.map((l) => `${l.title}: ${l.detail}`)).toEqual([
      `StackWrite (${grantsFor("deploy", actionsForTypes(TYPES))[1]!.actions.length} actions): 1 denied: ssm:PutParameter`,
      "HostSshSessions (1 actions): 1 denied: ssm:StartSession",
      "PassStackRoles (1 actions): 1 denied: iam:PassRole",
    ]);
  });

  it("simulates scoped statements on their resource and condition", async () => {
    const aws = simulator([]);
    await checkPermissions(aws, OPTIONS);
    const passRole = aws.calls.find((args) => args.includes("iam:PassRole"))!;
    expect(passRole).toContain("arn:aws:iam::123456789012:role/jr-prod-preflight-probe");
    expect(passRole).toContain(
      "ContextKeyName=iam:PassedToService,ContextKeyValues=ec2.amazonaws.com,ContextKeyType=string",
    );
    const session = aws.calls.find((args) => args.includes("ssm:StartSession"))!;
    expect(session).toContain("arn:aws:ssm:eu-west-1::document/AWS-StartSSHSession");
    expect(aws.calls[0]).toContain("arn:aws:iam::123456789012:role/jairouter-deploy");
  });

  it("could not check, after one call, when the simulator does not answer", async () => {
    let calls = 0;
    const broken: AwsCall = async () => {
      calls++;
      throw new AwsCallError("unsupported", "iam simulate-principal-policy", "(500) Internal Server Error");
    };
    const lines = await checkPermissions(broken, OPTIONS);
    expect(lines.every((l) => l.status === "unknown")).toBe(true);
    expect(calls).toBe(1);
  });

  it("could not check when the deployer may not simulate, naming the permission", async () => {
    const denied: AwsCall = async () => {
      throw new AwsCallError("denied", "iam simulate-principal-policy", "AccessDenied");
    };
    const lines = await checkPermissions(denied, OPTIONS);
    expect(lines[0]).toMatchObject({ status: "unknown" });
    expect(lines[0]!.fix).toContain("iam:SimulatePrincipalPolicy");
  });
});

describe("AWS CLI errors", () => {
  it.each([
    [
      'Unable to locate credentials. You can configure credentials by running "aws configure".',
      "credentials",
    ],
    ['Could not connect to the endpoint URL: "http://127.0.0.1:1/"', "unreachable"],
    ["An error occurred (AccessDenied) when calling the SimulatePrincipalPolicy operation", "denied"],
    ["An error occurred (NoSuchResourceException) when calling the GetServiceQuota operation", "not-found"],
    ["An error occurred (500) when calling the ListServiceQuotas operation", "unsupported"],
  ])("%s → %s", (text, kind) => {
    expect(classifyAwsError(text)).toBe(kind);
  });
});
