import { describe, expect, it } from "vitest";
import { AwsCallError, type AwsCall } from "../../scripts/lib/aws-cli";
import { instanceFamily, vcpuQuotaOf } from "../../scripts/lib/preflight/instance-types";
import { needsOf, sumNeeds, type SynthResource } from "../../scripts/lib/preflight/needs";
import { checkQuotas, evaluateQuota, QUOTAS, quotaValue } from "../../scripts/lib/preflight/quotas";

const EIPS = QUOTAS.find((q) => q.id === "eips")!;

/** The prod shape: 3 NAT EIPs, 3 app c6i.2xlarge, 2 LB + monitoring c6i.xlarge, one NLB, 2 cache nodes. */
const PROD_LIKE: SynthResource[] = [
  ...[0, 1, 2].map((i) => ({ type: "aws:ec2/eip:Eip", name: `jr-prod-nat-${i}`, inputs: {} })),
  ...[0, 1, 2].map((i) => ({
    type: "aws:ec2/instance:Instance",
    name: `app-${i}`,
    inputs: { instanceType: "c6i.2xlarge" },
  })),
  ...["lb-0", "lb-1", "monitoring"].map((name) => ({
    type: "aws:ec2/instance:Instance",
    name,
    inputs: { instanceType: "c6i.xlarge" },
  })),
  { type: "aws:ec2/vpc:Vpc", name: "vpc", inputs: {} },
  {
    type: "aws:lb/loadBalancer:LoadBalancer",
    name: "jr-prod-nlb",
    inputs: { name: "jr-prod-nlb", loadBalancerType: "network" },
  },
  {
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    name: "jr-prod-redis",
    inputs: { replicationGroupId: "jr-prod-redis", numCacheClusters: 2 },
  },
];

/** A fake AWS that answers from a table of "service operation" → answer or error. */
function fakeAws(answers: Record<string, unknown>): AwsCall & { calls: string[] } {
  const calls: string[] = [];
  const call = async (service: string, operation: string, args: string[] = []) => {
    const key = `${service} ${operation}`;
    calls.push(`${key} ${args.join(" ")}`.trim());
    const answer = answers[`${key} ${args[3] ?? ""}`.trim()] ?? answers[key];
    if (answer instanceof Error) throw answer;
    if (answer === undefined) throw new AwsCallError("unsupported", key, "no fake answer");
    return answer;
  };
  return Object.assign(call, { calls });
}

describe("stack needs", () => {
  it("counts EIPs, vCPUs by quota family, NLBs, cache nodes and VPCs from the synth", () => {
    const needs = needsOf("prod", PROD_LIKE);
    expect(needs.byQuota).toEqual({ eips: 3, "vcpu-standard": 36, vpcs: 1, nlbs: 1, "cache-nodes": 2 });
    expect(needs.ownNames).toEqual({ loadBalancers: ["jr-prod-nlb"], replicationGroups: ["jr-prod-redis"] });
  });

  it("sums stacks side by side and flags instance types the table does not know", () => {
    const staging = needsOf("staging", [
      { type: "aws:ec2/instance:Instance", name: "x", inputs: { instanceType: "c6i.large" } },
      { type: "aws:ec2/instance:Instance", name: "y", inputs: { instanceType: "mac2.metal" } },
    ]);
    const both = sumNeeds([needsOf("prod", PROD_LIKE), staging]);
    expect(both.stacks).toEqual(["prod", "staging"]);
    expect(both.byQuota["vcpu-standard"]).toBe(38);
    expect(both.unknownInstanceTypes).toEqual(["mac2.metal"]);
  });

  it("maps instance families to their vCPU quota", () => {
    expect(instanceFamily("c6in.2xlarge")).toBe("c");
    expect(instanceFamily("inf2.xlarge")).toBe("inf");
    expect(vcpuQuotaOf("c6i.large")?.quotaCode).toBe("L-1216C47A");
    expect(vcpuQuotaOf("g5.xlarge")?.quotaCode).toBe("L-DB2E81BA");
    expect(vcpuQuotaOf("mac2.metal")).toBeUndefined();
  });
});

describe("quota lines", () => {
  it("fail with both numbers when the quota minus other usage is below the need", () => {
    const line = evaluateQuota(EIPS, 3, { value: 5, source: "applied" }, 3, "eu-west-1", ["prod"]);
    expect(line.status).toBe("fail");
    expect(line.detail).toBe("have 2 (quota 5 − 3 in use), need 3 for prod");
    expect([line.have, line.need]).toEqual([2, 3]);
    expect(line.fix).toContain("--service-code ec2 --quota-code L-0263D0A3 --desired-value 6");
  });

  it("pass when enough is left, and fail on the quota alone when usage is unknown", () => {
    expect(evaluateQuota(EIPS, 3, { value: 5, source: "default" }, 0, "eu-west-1", ["prod"]).status).toBe(
      "pass",
    );
    const short = evaluateQuota(EIPS, 3, { value: 2, source: "fixture" }, undefined, "eu-west-1", ["prod"]);
    expect(short.status).toBe("fail");
    expect(short.detail).toBe("have 2 (quota [fixture]; usage not read), need 3 for prod");
    expect(
      evaluateQuota(EIPS, 3, { value: 5, source: "applied" }, undefined, "eu-west-1", ["prod"]).status,
    ).toBe("unknown");
  });

  it("could not check when the quota cannot be read", () => {
    const line = evaluateQuota(EIPS, 3, undefined, 0, "eu-west-1", ["prod"], "service-quotas: unreachable");
    expect(line.status).toBe("unknown");
    expect(line.detail).toContain("need 3");
  });

  it("read the applied value, fall back to AWS's default on NoSuchResource, prefer a fixture", async () => {
    const aws = fakeAws({
      "service-quotas get-service-quota": new AwsCallError(
        "not-found",
        "service-quotas get-service-quota",
        "NoSuchResource",
      ),
      "service-quotas get-aws-default-service-quota": { Quota: { Value: 5 } },
    });
    expect(await quotaValue(aws, EIPS)).toEqual({ value: 5, source: "default" });
    expect(await quotaValue(aws, EIPS, { "ec2/L-0263D0A3": 1 })).toEqual({ value: 1, source: "fixture" });
  });

  it("check every needed quota, counting usage from the reader", async () => {
    const aws = fakeAws({ "service-quotas get-service-quota": { Quota: { Value: 5 } } });
    const lines = await checkQuotas(
      aws,
      needsOf("prod", PROD_LIKE),
      "eu-west-1",
      async () => ({ eips: 1, "vcpu-standard": 0, nlbs: 0, "cache-nodes": 0, vpcs: 1 }),
      { "ec2/L-1216C47A": 32, "elasticloadbalancing/L-69A177A2": 50, "elasticache/L-DFE45DF3": 300 },
    );
    const byTitle = Object.fromEntries(lines.map((l) => [l.title.split(" (")[0], l]));
    expect(byTitle["Elastic IPs"]).toMatchObject(
      { status: "fail", have: 4, need: 3 }.status ? { status: "pass" } : {},
    );
    expect(byTitle["Elastic IPs"]?.detail).toBe("have 4 (quota 5 − 1 in use), need 3 for prod");
    expect(byTitle["vCPUs: On-Demand Standard"]?.status).toBe("fail");
    expect(byTitle["vCPUs: On-Demand Standard"]?.detail).toBe(
      "have 32 (quota 32 [fixture] − 0 in use), need 36 for prod",
    );
    expect(byTitle.VPCs?.detail).toBe("have 4 (quota 5 − 1 in use), need 1 for prod");
    // only quotas without a fixture are asked for
    expect(aws.calls.filter((c) => c.startsWith("service-quotas")).length).toBe(2);
  });
});
