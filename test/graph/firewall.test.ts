import { beforeAll, describe, expect, it } from "vitest";
import { PORTS } from "../../components/ports";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const NEVER_PUBLIC = [
  PORTS.ssh,
  PORTS.app,
  PORTS.nodeExporter,
  PORTS.haproxyMetrics,
  PORTS.lbStats,
  PORTS.nginxExporter,
  PORTS.prometheus,
  PORTS.alertmanager,
  PORTS.grafana,
  PORTS.redis,
];

function isOpenToWorld(rule: Record<string, any>): boolean {
  return rule.cidrIpv4 === "0.0.0.0/0" || rule.cidrIpv6 === "::/0";
}

describe("Firewall", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("never opens SSH, 8080, exporter, monitoring or Redis ports to the internet", () => {
    const open = resourcesOf(prod, INGRESS)
      .map(plainInputs)
      .filter(isOpenToWorld)
      .map((r) => r.fromPort as number);
    expect(open.length).toBeGreaterThan(0);
    for (const port of NEVER_PUBLIC) expect(open, `port ${port}`).not.toContain(port);
    expect(new Set(open)).toEqual(new Set([PORTS.http, PORTS.https]));
  });

  it("opens 80/443 to the internet on the load-balancer group only", () => {
    const lbGroup = resourcesOf(prod, "aws:ec2/securityGroup:SecurityGroup").find((g) =>
      g.name.endsWith("-lb"),
    )!;
    const lbRules = resourcesOf(prod, INGRESS).filter((r) => r.name.includes("-lb-in-"));
    const world = resourcesOf(prod, INGRESS).filter((r) => isOpenToWorld(plainInputs(r)));
    expect(world.every((r) => lbRules.includes(r))).toBe(true);
    expect(lbGroup).toBeDefined();
  });

  it("lets 8080 in only from the load balancers and the monitoring host", () => {
    const appRules = resourcesOf(prod, INGRESS).filter((r) => plainInputs(r).fromPort === PORTS.app);
    expect(appRules.map((r) => r.name).sort()).toEqual([
      "jr-prod-app-in-8080-lb",
      "jr-prod-app-in-8080-monitoring",
    ]);
    for (const r of appRules) expect(plainInputs(r).referencedSecurityGroupId).toMatch(/^sg-/);
  });

  it("has no SSH rule at all while access.adminCidrs is empty", () => {
    expect(resourcesOf(prod, INGRESS).filter((r) => plainInputs(r).fromPort === PORTS.ssh)).toEqual([]);
  });

  it("opens SSH and exporters to the admin CIDRs when they are set", async () => {
    const withAdmins = await synthStack("prod", {
      "jairouter:access": { adminCidrs: ["203.0.113.0/24"], transport: "ssm" },
    });
    const ssh = resourcesOf(withAdmins, INGRESS)
      .map(plainInputs)
      .filter((r) => r.fromPort === PORTS.ssh);
    expect(ssh).toHaveLength(3);
    expect(ssh.every((r) => r.cidrIpv4 === "203.0.113.0/24")).toBe(true);
  });

  it("lets Redis in only from the app servers", () => {
    const redis = resourcesOf(prod, INGRESS).filter((r) => plainInputs(r).fromPort === PORTS.redis);
    expect(redis.map((r) => r.name)).toEqual(["jr-prod-redis-in-6379-app"]);
  });

  it("describes every rule and keeps egress to what the stack uses", () => {
    const all = [...resourcesOf(prod, INGRESS), ...resourcesOf(prod, EGRESS)].map(plainInputs);
    for (const rule of all) expect(rule.description, JSON.stringify(rule)).toMatch(/\w{4,}/);
    const worldEgressPorts = new Set(
      resourcesOf(prod, EGRESS)
        .map(plainInputs)
        .filter(isOpenToWorld)
        .map((r) => r.fromPort),
    );
    // https/http for packages and APIs, the ollama port from jairouter:models, SMTP submission.
    expect(worldEgressPorts).toEqual(new Set([443, 80, 11434, 587]));
  });

  it("has no Redis group when Redis is disabled", async () => {
    const staging = await synthStack("staging");
    const names = resourcesOf(staging, "aws:ec2/securityGroup:SecurityGroup").map((g) => g.name);
    expect(names.sort()).toEqual(["jr-staging-app", "jr-staging-lb", "jr-staging-monitoring"]);
  });
});
