import { describe, expect, it } from "vitest";
import { POLICY_RULES, violations } from "../../policy/rules";

const TAGS = { Project: "jairouter", Stack: "prod", Role: "app", ManagedBy: "pulumi" };

// One non-compliant resource per rule: each must be caught by its own rule.
const BAD: [string, string, Record<string, unknown>][] = [
  [
    "no-world-open-admin-ports",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    { fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: "ssh from anywhere" },
  ],
  [
    "described-firewall-rules",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    { fromPort: 443, toPort: 443 },
  ],
  [
    "imdsv2-only",
    "aws:ec2/instance:Instance",
    { metadataOptions: { httpTokens: "optional" }, rootBlockDevice: { encrypted: true }, tags: TAGS },
  ],
  ["encrypted-storage", "aws:ebs/volume:Volume", { encrypted: false, tags: TAGS }],
  [
    "no-public-instance-address",
    "aws:ec2/instance:Instance",
    {
      associatePublicIpAddress: true,
      metadataOptions: { httpTokens: "required" },
      rootBlockDevice: { encrypted: true },
      tags: TAGS,
    },
  ],
  ["pinned-images", "docker:index/remoteImage:RemoteImage", { name: "sodlinken/jairouter:latest" }],
  [
    "hardened-containers",
    "docker:index/container:Container",
    { user: "root", capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"] },
  ],
  ["secure-parameters", "aws:ssm/parameter:Parameter", { type: "String", tags: TAGS }],
  ["stack-tags", "aws:ec2/vpc:Vpc", { tags: { Project: "jairouter" } }],
  [
    "least-privilege-identity-policies",
    "aws:iam/policy:Policy",
    { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
  ],
  [
    "github-oidc-trust-pinned",
    "aws:iam/role:Role",
    {
      tags: TAGS,
      assumeRolePolicy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: {
              Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            },
            Action: "sts:AssumeRoleWithWebIdentity",
          },
        ],
      }),
    },
  ],
];

describe("policy rules", () => {
  it("has a failing example for every rule", () => {
    expect(BAD.map(([name]) => name).sort()).toEqual(POLICY_RULES.map((r) => r.name).sort());
  });

  it.each(BAD)("%s catches its violation", (name, type, inputs) => {
    const found = violations(type, inputs);
    expect(
      found.some((v) => v.startsWith(`${name}:`)),
      found.join("; "),
    ).toBe(true);
  });

  it("lets 80/443 from the internet through", () => {
    const rule = { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS from clients" };
    expect(violations("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", rule)).toEqual([]);
  });
});
