// The review's cost estimate and budget check, on hand-made resources priced from the real table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load";
import { readStackConfigMapping } from "../../scripts/lib/config-change";
import { readStackFile, withSynthSecrets } from "../../scripts/lib/stack-file";
import { budgetLimit, checkBudget } from "../../scripts/lib/review/budget";
import {
  costDelta,
  estimateCost,
  loadPriceTable,
  usageFor,
  type CostedResource,
} from "../../scripts/lib/review/cost-model";

const prices = loadPriceTable("eu-west-1");
const usage = usageFor("prod");
const hours = prices.hoursPerMonth;

const res = (type: string, name: string, inputs: Record<string, unknown>): CostedResource => ({
  urn: `urn:pulumi:prod::jairouter::${type}::${name}`,
  type,
  name,
  inputs,
});

const APP = res("aws:ec2/instance:Instance", "jr-prod-app-0", {
  instanceType: "c6i.2xlarge",
  rootBlockDevice: { volumeSize: 40, volumeType: "gp3" },
});
const DATA = res("aws:ebs/volume:Volume", "jr-prod-app-0-data", { size: 500, iops: 6000, type: "gp3" });
const REDIS = res("aws:elasticache/replicationGroup:ReplicationGroup", "jr-prod-redis", {
  nodeType: "cache.m6g.2xlarge",
  numCacheClusters: 2,
});
const NAT = res("aws:ec2/natGateway:NatGateway", "jr-prod-nat-0", {});
const NLB = res("aws:lb/loadBalancer:LoadBalancer", "jr-prod-nlb", {
  internal: false,
  subnets: ["a", "b", "c"],
});
const RULE = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "jr-prod-app-in", {});

describe("cost estimate", () => {
  const estimate = estimateCost([APP, DATA, REDIS, NAT, NLB, RULE], prices, usage);

  it("prices each resource from the table: instance type, volume size and IOPS, nodes, hours and data", () => {
    const by = new Map(estimate.lines.map((l) => [l.name, l.monthlyUsd]));
    const gp3 = prices.ebs.gp3!;
    expect(by.get("jr-prod-app-0")).toBeCloseTo(
      prices.ec2InstanceHour["c6i.2xlarge"]! * hours + 40 * gp3.gbMonth,
    );
    expect(by.get("jr-prod-app-0-data")).toBeCloseTo(500 * gp3.gbMonth + 3000 * gp3.iopsMonthAbove3000!);
    expect(by.get("jr-prod-redis")).toBeCloseTo(2 * prices.elasticacheNodeHour["cache.m6g.2xlarge"]! * hours);
    expect(by.get("jr-prod-nat-0")).toBeCloseTo(
      prices.natGateway.hour * hours + prices.natGateway.gbProcessed * usage.natGatewayGbPerMonth,
    );
    expect(by.get("jr-prod-nlb")).toBeCloseTo(
      (prices.networkLoadBalancer.hour +
        prices.networkLoadBalancer.lcuHour * usage.nlbAverageLcu +
        3 * prices.publicIpv4Hour) *
        hours,
    );
  });

  it("the total is the sum of the lines; uncharged resources are counted, not priced", () => {
    const sum = estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(estimate.totalUsd).toBeCloseTo(sum, 10);
    expect(estimate.lines).toHaveLength(5);
    expect(estimate.uncharged).toBe(1);
    expect(estimate.prices).toMatchObject({
      region: "eu-west-1",
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it("the delta names what a bigger instance type adds", () => {
    const bigger = { ...APP, inputs: { ...APP.inputs, instanceType: "c6in.4xlarge" } };
    const delta = costDelta(estimate, estimateCost([bigger, DATA, REDIS, NAT, NLB, RULE], prices, usage));
    expect(delta).toHaveLength(1);
    expect(delta[0]!.name).toBe("jr-prod-app-0");
    expect(delta[0]!.deltaUsd).toBeCloseTo(
      (prices.ec2InstanceHour["c6in.4xlarge"]! - prices.ec2InstanceHour["c6i.2xlarge"]!) * hours,
    );
  });

  it("an instance type the table lacks is an error naming the type and the file", () => {
    const odd = res("aws:ec2/instance:Instance", "x", { instanceType: "z9.huge" });
    expect(() => estimateCost([odd], prices, usage)).toThrow(/"z9\.huge".*prices-eu-west-1\.json/);
  });

  it("a region without a price table is an error naming aws:region and the file to add", () => {
    expect(() => loadPriceTable("ap-south-2")).toThrow(/aws:region ap-south-2.*prices-ap-south-2\.json/);
  });

  it("a price table that names another region is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "review-prices-"));
    try {
      writeFileSync(join(dir, "prices-us-east-1.json"), JSON.stringify({ region: "eu-west-1" }));
      expect(() => loadPriceTable("us-east-1", dir)).toThrow(/says its region is eu-west-1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("budget", () => {
  it("fails above the limit, passes at or below it, and checks nothing without one", () => {
    expect(checkBudget(3500.01, 3500).exceeded).toBe(true);
    expect(checkBudget(3500, 3500).exceeded).toBe(false);
    expect(checkBudget(10, undefined)).toEqual({ estimateUsd: 10, exceeded: false });
  });

  it("reads jairouter:budget.monthlyUsd from the stack file, and the committed stacks set one", () => {
    expect(budgetLimit("prod", { "jairouter:budget": { monthlyUsd: 3500 } })).toBe(3500);
    expect(budgetLimit("prod", {})).toBeUndefined();
    for (const stack of ["prod", "staging"])
      expect(budgetLimit(stack, readStackConfigMapping(stack))).toBeGreaterThan(0);
  });

  it("the program's configuration loader rejects a bad budget too, naming the key", async () => {
    const values = (
      await withSynthSecrets(readStackFile("prod", process.cwd(), { "jairouter:budget": { monthlyUsd: 0 } }))
    ).values;
    expect(() => loadConfig(values)).toThrow(/jairouter:budget\.monthlyUsd/);
  });

  it("docs/review.md states the budgets the stack files set", () => {
    const doc = readFileSync("docs/review.md", "utf8");
    const prod = budgetLimit("prod", readStackConfigMapping("prod"));
    const staging = budgetLimit("staging", readStackConfigMapping("staging"));
    expect(doc).toContain(`Prod is set to ${prod} `);
    expect(doc).toContain(`staging to ${staging} `);
  });

  it("rejects a budget that is not a positive number, naming the key and the fix", () => {
    expect(() => budgetLimit("prod", { "jairouter:budget": { monthlyUsd: -1 } })).toThrow(
      /Pulumi\.prod\.yaml: jairouter:budget\.monthlyUsd: .*monthlyUsd: 4500/,
    );
    expect(() => budgetLimit("prod", { "jairouter:budget": { monthlyUSD: 1 } })).toThrow(/jairouter:budget/);
  });
});
