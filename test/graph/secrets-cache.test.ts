import { beforeAll, describe, expect, it } from "vitest";
import { MockCloud, redact } from "../../scripts/lib/mock-cloud";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

describe("Secrets", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("generates every secret with random and stores it as an SSM SecureString under its role", () => {
    const passwords = resourcesOf(prod, "random:index/randomPassword:RandomPassword").map((r) => r.name);
    expect(passwords.sort()).toEqual(
      [
        "admin-password",
        "api-key-admin",
        "api-key-readonly",
        "api-key-service",
        "grafana-admin-password",
        "jwt-secret",
        "lb-stats-password",
        "redis-auth-token",
      ].map((k) => `jr-prod-${k}`),
    );
    const jwt = resourcesOf(prod, "random:index/randomPassword:RandomPassword").find((r) =>
      r.name.endsWith("jwt-secret"),
    )!;
    expect(plainInputs(jwt).length).toBeGreaterThanOrEqual(32);
    const parameters = resourcesOf(prod, "aws:ssm/parameter:Parameter");
    expect(parameters).toHaveLength(passwords.length + 1);
    for (const p of parameters) {
      const inputs = redact(p.inputs) as Record<string, unknown>;
      expect(inputs.type).toBe("SecureString");
      expect(inputs.value).toBe("[secret]");
      expect(inputs.name).toMatch(/^\/jairouter\/prod\/(app|loadbalancer|monitoring)\/[a-z-]+$/);
    }
  });

  it("keeps secret outputs secret", () => {
    expect(JSON.stringify(prod.outputs)).not.toMatch(/mock[0-9a-f]{20}/);
  });
});

describe("Cache", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("is a primary and a replica in two zones with failover, encrypted, behind an AUTH token", () => {
    const groups = resourcesOf(prod, "aws:elasticache/replicationGroup:ReplicationGroup");
    expect(groups).toHaveLength(1);
    const g = redact(groups[0]!.inputs) as Record<string, any>;
    expect(g.numCacheClusters).toBe(2);
    expect(new Set(g.preferredCacheClusterAzs).size).toBe(2);
    expect(g).toMatchObject({
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: "[secret]",
      nodeType: "cache.m6g.2xlarge",
    });
    expect(g.securityGroupIds).toHaveLength(1);
  });

  it("uses only private subnets", () => {
    const subnetGroup = plainInputs(resourcesOf(prod, "aws:elasticache/subnetGroup:SubnetGroup")[0]!);
    const privateIds = resourcesOf(prod, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("-private-"))
      .map((s) => MockCloud.idOf(s));
    expect(privateIds).toHaveLength(3);
    expect([...subnetGroup.subnetIds].sort()).toEqual(privateIds.sort());
  });
});
