import { AwsCallError, type AwsCall } from "../aws-cli";
import { fail, pass, unknown, type CheckResult } from "./checks";

export interface Identity {
  account: string;
  arn: string;
}

const CREDENTIALS_FIX =
  "give the shell AWS credentials for the target account: aws sso login --profile <p> && export AWS_PROFILE=<p> (or aws configure)";

/** Why an AWS call failed, as a could-not-check line's detail and fix. */
export function couldNotAsk(err: unknown): { detail: string; fix: string } {
  if (err instanceof AwsCallError && err.kind === "credentials")
    return { detail: `no usable AWS credentials (${err.message})`, fix: CREDENTIALS_FIX };
  if (err instanceof AwsCallError && err.kind === "unreachable")
    return {
      detail: `AWS API unreachable (${err.message})`,
      fix: "check the network, proxy and AWS_ENDPOINT_URL, then run again",
    };
  if (err instanceof AwsCallError && err.kind === "unsupported")
    return {
      detail: `the endpoint does not implement this call (${err.message})`,
      fix: "check against the real AWS API, or give the value by fixture (docs/first-deploy.md)",
    };
  return {
    detail: (err as Error).message,
    fix: "run again; if it persists, run the failing aws command by hand",
  };
}

/** `sts get-caller-identity`: who the deploy would act as. */
export async function checkIdentity(aws: AwsCall): Promise<{ result: CheckResult; identity?: Identity }> {
  try {
    const answer = (await aws("sts", "get-caller-identity")) as { Account?: string; Arn?: string };
    if (!answer.Account || !answer.Arn)
      throw new AwsCallError("other", "sts get-caller-identity", "no Account/Arn in the answer");
    const identity = { account: answer.Account, arn: answer.Arn };
    return {
      result: pass("identity", "AWS identity", `${identity.arn} (account ${identity.account})`),
      identity,
    };
  } catch (err) {
    const why = couldNotAsk(err);
    return { result: unknown("identity", "AWS identity", why.detail, why.fix) };
  }
}

/** The stack's region is enabled for the account and has the availability zones the network spans. */
export async function checkRegion(
  aws: AwsCall,
  region: string,
  zones: number,
  stack: string,
): Promise<CheckResult> {
  const title = `region ${region}`;
  try {
    const answer = (await aws("ec2", "describe-availability-zones", [
      "--filters",
      "Name=state,Values=available",
    ])) as {
      AvailabilityZones?: { ZoneName?: string; ZoneType?: string }[];
    };
    const names = (answer.AvailabilityZones ?? []).filter(
      (z) => (z.ZoneType ?? "availability-zone") === "availability-zone",
    );
    if (names.length >= zones)
      return pass(
        "identity",
        title,
        `${names.length} zones available, network.zones is ${zones} (aws:region of Pulumi.${stack}.yaml)`,
      );
    return fail(
      "identity",
      title,
      `${names.length} zones available, network.zones needs ${zones}`,
      `lower jairouter:network.zones or choose another region: pulumi config set --stack ${stack} aws:region <region>`,
    );
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === "denied")
      return unknown("identity", title, err.message, "grant ec2:DescribeAvailabilityZones");
    const why = couldNotAsk(err);
    return unknown("identity", title, why.detail, why.fix);
  }
}
