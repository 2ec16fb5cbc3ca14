import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BENIGN_ENTRIES, benignRule, related } from "../../scripts/lib/drift/benign";
import { cloudDrift, parsePreview } from "../../scripts/lib/drift/cloud-drift";
import { secretHash } from "../../scripts/lib/drift/mask";

const fixture = readFileSync(join(__dirname, "..", "fixtures", "drift", "preview-refresh.json"), "utf8");

describe("cloud drift from a refreshed preview", () => {
  const drift = cloudDrift(parsePreview(fixture), new Set());

  it("lists every real difference with resource, property, expected and actual", () => {
    expect(drift.findings.map((f) => [f.subject, f.key, f.expected, f.actual])).toEqual([
      ["jr-prod-lb-https-internal", "cidrIpv4", "10.0.0.0/8", "0.0.0.0/0"],
      ["jr-prod-app-1", "instanceType", "m7i.2xlarge", "m7i.4xlarge"],
      ["jr-prod-admin-password-parameter", "value", "[secret]", "[secret]"],
      ["jr-prod-private-0-hosts", "(resource)", "exists", "(missing)"],
      ["jr-prod-tcp-443", "preserveClientIp", "true", "false"],
    ]);
  });

  it("says when a difference would replace the resource, and when one was deleted outside the stack", () => {
    expect(drift.findings.find((f) => f.subject === "jr-prod-tcp-443")?.note).toBe(
      "would replace the resource",
    );
    expect(drift.findings.find((f) => f.subject === "jr-prod-private-0-hosts")?.note).toMatch(
      /deleted outside the stack/,
    );
  });

  it("sets the read-back forms apart, counted by rule", () => {
    expect(drift.benign).toEqual([
      { subject: "jr-prod-app-1", key: "tagsAll.CostCenter", rule: "aws-tags-all-derived" },
      { subject: "jr-prod-app-0-jairouter", key: "cpus", rule: "docker-container-numeric-strings" },
      {
        subject: "jr-prod-app-0-jairouter",
        key: "healthcheck.startPeriod",
        rule: "docker-healthcheck-go-duration",
      },
      { subject: "jr-prod-app-0-jairouter", key: "memorySwap", rule: "docker-memory-swap-unit" },
      { subject: "jr-prod-app-0-parameters", key: "policy", rule: "aws-policy-json-formatting" },
    ]);
  });

  it("shows a known secret value only as its hash", () => {
    const steps = parsePreview(fixture);
    const secret = "0.0.0.0/0";
    const masked = cloudDrift(steps, new Set([secret]));
    expect(masked.findings[0]!.actual).toBe(secretHash(secret));
  });

  it("rejects output that is not a preview JSON, naming the command to run", () => {
    expect(() => parsePreview("Previewing update (prod)")).toThrow(/pulumi preview --refresh --json/);
    expect(parsePreview('{"steps": []}')).toEqual([]);
  });
});

describe("the benign list", () => {
  it("has a reason and a source link for every entry, and unique ids", () => {
    for (const e of BENIGN_ENTRIES) {
      expect(e.reason.length, e.id).toBeGreaterThan(30);
      // a provider's issue, or the provider's own read-back code pinned at a commit
      expect(e.source, e.id).toMatch(
        /^https:\/\/github\.com\/(pulumi\/[\w-]+\/issues\/\d+|[\w-]+\/[\w-]+\/blob\/[0-9a-f]{40}\/[\w/.-]+#L\d+(-L\d+)?)$/,
      );
    }
    expect(new Set(BENIGN_ENTRIES.map((e) => e.id)).size).toBe(BENIGN_ENTRIES.length);
  });

  it("filters only the same value in another form, never a real change", () => {
    const container = "docker:index/container:Container";
    expect(benignRule(container, "healthcheck.startPeriod", "3m0s", "180s")?.id).toBe(
      "docker-healthcheck-go-duration",
    );
    expect(benignRule(container, "healthcheck.startPeriod", "3m0s", "60s")).toBeUndefined();
    expect(benignRule(container, "memorySwap", 14336, "14336")?.id).toBe("docker-memory-swap-unit");
    expect(benignRule(container, "memorySwap", 14336, 28672)).toBeUndefined();
    expect(
      benignRule("aws:iam/role:Role", "assumeRolePolicy", '{"a":1,"b":[2]}', '{"b":[2],"a":1}'),
    ).toBeDefined();
    expect(benignRule("aws:iam/role:Role", "assumeRolePolicy", '{"a":1}', '{"a":2}')).toBeUndefined();
    expect(benignRule("aws:ec2/securityGroup:SecurityGroup", "ingress", undefined, [])).toBeDefined();
    expect(
      benignRule("aws:ec2/securityGroup:SecurityGroup", "ingress", undefined, [{ fromPort: 22 }]),
    ).toBeUndefined();
    // tags themselves are never filtered, only the derived tagsAll
    expect(benignRule("aws:ec2/instance:Instance", "tags.Owner", "a", "b")).toBeUndefined();
    expect(benignRule("docker:index/container:Container", "tagsAll.Owner", "a", "b")).toBeUndefined();
  });

  it("compares durations, numbers and JSON by meaning", () => {
    expect(related("same-duration", "1h0m0s", "1h")).toBe(true);
    expect(related("same-duration", "not a duration", "not a duration")).toBe(false);
    expect(related("same-number", "7.5", "7.50")).toBe(true);
    expect(related("same-number", undefined, undefined)).toBe(false);
    expect(related("same-json", "{not json", "{not json")).toBe(true);
    expect(related("absent-equals-empty", [], null)).toBe(true);
  });
});
