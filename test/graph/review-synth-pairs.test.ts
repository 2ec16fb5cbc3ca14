// The review on synth pairs from the change matrix: the committed prod stack against the same stack
// with one row's change, classified by the same classifier a real preview goes through, and the cost
// of both committed stacks held to their budgets. Four synths, one at a time (the mock runtime is
// global), shared by the tests.
import { beforeAll, describe, expect, it } from "vitest";
import { diffSynths } from "../../scripts/lib/change-diff";
import { configChange, configOverrides, readStackConfigMapping } from "../../scripts/lib/config-change";
import { budgetLimit, checkBudget } from "../../scripts/lib/review/budget";
import { classifySteps, willFail, type ClassifiedStep } from "../../scripts/lib/review/classify";
import { costDelta, estimateCost, loadPriceTable, usageFor } from "../../scripts/lib/review/cost-model";
import { stepsFromChangeSet } from "../../scripts/lib/review/review-step";
import { matrixRows } from "./change-matrix-rows";
import { synthStack, type SynthResult } from "./helpers";

const PROD = readStackConfigMapping("prod");
const prices = loadPriceTable("eu-west-1");

function rowOverrides(change: string): Record<string, unknown> {
  const row = matrixRows(undefined).find((r) => r.change === change);
  if (!row) throw new Error(`no change-matrix row "${change}"`);
  return configOverrides(
    PROD,
    Object.entries(row.set).map(([key, value]) => configChange(key, value)),
  );
}

const TIER = "appServers.tier recommended → performance";
const IMAGE = "images.jairouter 3.1.2 → 3.1.3";

let prod: SynthResult;
let tier: SynthResult;
let image: SynthResult;
let staging: SynthResult;

beforeAll(async () => {
  prod = await synthStack("prod");
  tier = await synthStack("prod", rowOverrides(TIER));
  image = await synthStack("prod", rowOverrides(IMAGE));
  staging = await synthStack("staging");
}, 240_000);

function review(after: SynthResult, before: SynthResult = prod): ClassifiedStep[] {
  const set = diffSynths(before.resources, after.resources);
  return classifySteps(stepsFromChangeSet(set, "test", before.resources, after.resources).steps);
}

const line = (c: ClassifiedStep) => `${c.risk} ${c.step.op} ${c.step.name} [${c.forcedBy.join(",")}]`;

describe("review of change-matrix synth pairs (prod)", () => {
  it(TIER + ": names the three app instances, interrupts traffic, forced by instanceType", () => {
    const classified = review(tier);
    const instances = classified.filter((c) => c.step.type === "aws:ec2/instance:Instance").map(line);
    expect(instances).toEqual([
      "traffic update jr-prod-app-0 [instanceType]",
      "traffic update jr-prod-app-1 [instanceType]",
      "traffic update jr-prod-app-2 [instanceType]",
    ]);
    expect(classified.filter((c) => c.risk === "state").map(line)).toEqual([]);
    const volumes = classified.filter((c) => c.step.type === "aws:ebs/volume:Volume");
    expect(volumes.map((c) => `${c.risk} ${c.step.op}`)).toEqual(Array(3).fill("safe update"));
    expect(willFail(classified)).toEqual([]);
  });

  it(TIER + ", reversed (a tier downgrade): the three app data volumes will fail, they cannot shrink", () => {
    const failing = willFail(review(prod, tier));
    expect(
      failing.map(
        (c) =>
          `${c.step.op} ${c.step.name}: ${c.blocked.map((b) => `${b.property} ${b.before} → ${b.after}`).join(", ")}`,
      ),
    ).toEqual([0, 1, 2].map((i) => `update jr-prod-app-${i}-data: size 1000 GiB → 500 GiB`));
  });

  it(TIER + ": the cost delta is the app instances' and volumes' and nothing else", () => {
    const usage = usageFor("prod");
    const delta = costDelta(
      estimateCost(prod.resources, prices, usage),
      estimateCost(tier.resources, prices, usage),
    );
    expect(delta.map((d) => d.name).sort()).toEqual([
      "jr-prod-app-0",
      "jr-prod-app-0-data",
      "jr-prod-app-1",
      "jr-prod-app-1-data",
      "jr-prod-app-2",
      "jr-prod-app-2-data",
    ]);
    expect(delta.every((d) => d.deltaUsd > 0)).toBe(true);
  });

  it(IMAGE + ": the three app containers restart behind the drained rollout, forced by image", () => {
    const classified = review(image);
    const containers = classified.filter((c) => /-app-\d+-jairouter$/.test(c.step.name));
    expect(containers.map(line)).toEqual([
      "restart replace jr-prod-app-0-jairouter [image]",
      "restart replace jr-prod-app-1-jairouter [image]",
      "restart replace jr-prod-app-2-jairouter [image]",
    ]);
    for (const c of containers) expect(c.stackAnswer.join(" ")).toMatch(/drained rollout/);
    const rotations = classified.filter((c) => /-app-\d+-rotation$/.test(c.step.name));
    expect(rotations.map((c) => `${c.risk} ${c.step.op} ${c.step.name}`)).toEqual(
      [0, 1, 2].map((i) => `restart replace jr-prod-app-${i}-rotation`),
    );
    expect(classified.filter((c) => c.risk === "state" || c.risk === "traffic").map(line)).toEqual([]);
  });
});

describe("cost of the committed stacks", () => {
  for (const stack of ["prod", "staging"] as const) {
    it(`${stack}: prices its hosts, volumes, NAT, NLB and logs and stays within its budget`, () => {
      const estimate = estimateCost((stack === "prod" ? prod : staging).resources, prices, usageFor(stack));
      const types = new Set(estimate.lines.map((l) => l.type));
      for (const type of [
        "aws:ec2/instance:Instance",
        "aws:ebs/volume:Volume",
        "aws:ec2/natGateway:NatGateway",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:s3/bucket:Bucket",
      ])
        expect(types, type).toContain(type);
      const limit = budgetLimit(stack, readStackConfigMapping(stack));
      expect(checkBudget(estimate.totalUsd, limit).exceeded).toBe(false);
      expect(checkBudget(estimate.totalUsd, estimate.totalUsd - 1).exceeded).toBe(true);
    });
  }
});
