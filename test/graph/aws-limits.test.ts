import { describe, expect, it } from "vitest";
import { awsName } from "../../components/aws-names";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

// Mocks accept anything; AWS does not. These are AWS's documented rules for what the stack creates.
const SG_TEXT = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/; // security group and rule descriptions
const ELB_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/; // NLB and target group names, 32 max
const SSM_NAME = /^(\/[a-zA-Z0-9_.-]+)+$/;
const PULUMI_AUTONAME_SUFFIX = 8; // "-" and 7 random characters

const stacks: [string, Promise<SynthResult>][] = [
  ["prod", synthStack("prod")],
  ["staging", synthStack("staging")],
  ["a long stack name with odd characters", synthStack("prod", {}, "Prod_EU.west-1.blue-green-candidate")],
];

describe.each(stacks)("AWS limits on %s", (_label, pending) => {
  it("security group and rule descriptions use only the characters AWS allows", async () => {
    const result = await pending;
    const described = [
      ...resourcesOf(result, "aws:ec2/securityGroup:SecurityGroup"),
      ...resourcesOf(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
      ...resourcesOf(result, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
    ].map(plainInputs);
    expect(described.length).toBeGreaterThan(10);
    for (const r of described) expect(r.description).toMatch(SG_TEXT);
  });

  it("names load balancers and target groups within 32 letters, digits and hyphens", async () => {
    const result = await pending;
    const names = [
      ...resourcesOf(result, "aws:lb/loadBalancer:LoadBalancer"),
      ...resourcesOf(result, "aws:lb/targetGroup:TargetGroup"),
    ].map((r) => plainInputs(r).name as string);
    for (const n of names) expect(n).toMatch(ELB_NAME);
  });

  it("keeps tags within 50 per resource, keys 128 and values 256 characters", async () => {
    const result = await pending;
    for (const r of result.resources) {
      const tags = plainInputs(r).tags as Record<string, string> | undefined;
      if (!tags) continue;
      expect(Object.keys(tags).length).toBeLessThanOrEqual(50);
      for (const [k, v] of Object.entries(tags)) {
        expect(k.length).toBeLessThanOrEqual(128);
        expect(String(v).length).toBeLessThanOrEqual(256);
      }
    }
  });

  it("keeps user data under 16 KB and SSM parameter names valid", async () => {
    const result = await pending;
    for (const i of resourcesOf(result, "aws:ec2/instance:Instance")) {
      expect(Buffer.byteLength(plainInputs(i).userData)).toBeLessThanOrEqual(16384);
    }
    for (const p of resourcesOf(result, "aws:ssm/parameter:Parameter")) {
      expect(plainInputs(p).name).toMatch(SSM_NAME);
    }
  });

  it("leaves room for Pulumi's random suffix in auto-named IAM roles (64) and profiles (128)", async () => {
    const result = await pending;
    for (const r of resourcesOf(result, "aws:iam/role:Role")) {
      expect(r.name.length + PULUMI_AUTONAME_SUFFIX).toBeLessThanOrEqual(64);
    }
  });

  it("sizes gp3 volumes within gp3's IOPS rules (3000-16000, at most 500 per GiB)", async () => {
    const result = await pending;
    for (const v of resourcesOf(result, "aws:ebs/volume:Volume").map(plainInputs)) {
      expect(v.iops).toBeGreaterThanOrEqual(3000);
      expect(v.iops).toBeLessThanOrEqual(Math.min(16000, v.size * 500));
    }
  });
});

describe("awsName", () => {
  it("cleans and shortens names to AWS's rules", () => {
    expect(awsName("jr-Prod_EU.west-1-with-a-very-long-name", "tcp-443")).toMatch(ELB_NAME);
    expect(awsName("jr-prod", "nlb")).toBe("jr-prod-nlb");
    expect(awsName("jr-staging-eu-west-1-aaaaaaaaaaaaaaaa", "tcp-80").length).toBeLessThanOrEqual(32);
    expect(awsName("jr-abcdefghijklmnopqrstuvwx-", "nlb")).not.toMatch(/--/);
  });
});

describe("state retention", () => {
  it("keeps every production data volume in the account when it leaves the stack, none in staging", async () => {
    const prod = await synthStack("prod");
    const staging = await synthStack("staging");
    const retained = (r: (typeof prod.resources)[number]) =>
      (r as unknown as { options?: { retainOnDelete?: boolean } }).options?.retainOnDelete === true;
    const prodVolumes = resourcesOf(prod, "aws:ebs/volume:Volume");
    expect(prodVolumes.length).toBeGreaterThanOrEqual(6);
    expect(prodVolumes.every(retained)).toBe(true);
    expect(resourcesOf(staging, "aws:ebs/volume:Volume").some(retained)).toBe(false);
    // Nothing is protected (a protected volume blocks scale-in) and nothing else is retained.
    expect(prod.resources.filter((r) => r.protect)).toEqual([]);
    expect(prod.resources.filter(retained).every((r) => r.type === "aws:ebs/volume:Volume")).toBe(true);
  });
});
