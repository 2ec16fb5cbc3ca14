// Updates AWS refuses though the preview shows them as ordinary: an EBS volume that would shrink.
// Flagged as "will fail" from a recorded preview and from a synth diff, above everything else in the
// report, and the review's exit status says so.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffSynths, type DiffableResource } from "../../scripts/lib/change-diff";
import { classifyStep, classifySteps, willFail } from "../../scripts/lib/review/classify";
import { estimateCost, loadPriceTable, usageFor } from "../../scripts/lib/review/cost-model";
import {
  EXIT_OVER_BUDGET,
  EXIT_WILL_FAIL,
  formatReviewMarkdown,
  reviewJson,
  reviewOutcome,
  type StackReview,
} from "../../scripts/lib/review/report";
import { stepsFromChangeSet, stepsFromPreview, type ReviewStep } from "../../scripts/lib/review/review-step";

const VOLUME = "aws:ebs/volume:Volume";
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, "../fixtures/preview", name), "utf8")) as unknown;
const cost = estimateCost([], loadPriceTable("eu-west-1"), usageFor("prod"));

function stackReview(steps: ReviewStep[], exceeded = false): StackReview {
  return {
    stack: "prod",
    changes: { steps, unchanged: 1, source: "test" },
    classified: classifySteps(steps),
    cost,
    budget: exceeded ? { estimateUsd: 4000, limitUsd: 3500, exceeded } : { estimateUsd: 0, exceeded },
  };
}

describe("a recorded preview with volumes shrunk, grown, slowed and replaced", () => {
  const changes = stepsFromPreview(fixture("volume-resize.json"));
  const classified = classifySteps(changes.steps);
  const byName = new Map(classified.map((c) => [c.step.name, c]));

  it("flags the size decrease with both sizes, the reason and what to do instead", () => {
    const shrunk = byName.get("jr-prod-app-0-data")!;
    expect(shrunk.step.op).toBe("update");
    expect(shrunk.blocked).toHaveLength(1);
    const [b] = shrunk.blocked;
    expect(b).toMatchObject({ property: "size", before: "500 GiB", after: "100 GiB" });
    expect(b!.reason).toMatch(/cannot shrink.*ModifyVolume only grows/);
    expect(b!.reason).toMatch(/6 hours/);
    expect(b!.remedy).toMatch(/keep the size/);
    expect(b!.remedy).toMatch(/snapshot/);
    expect(b!.remedy).toMatch(/pulumi up --replace/);
  });

  it("does not flag a size increase, lower iops and throughput on gp3, or a smaller replacement volume", () => {
    const grown = byName.get("jr-prod-app-1-data")!;
    expect(grown.step.valueChanges).toEqual(["iops: 6000 → 12000", "size: 500 → 1000"]);
    expect(grown.blocked).toEqual([]);
    const slowed = byName.get("jr-prod-mon-0-data")!;
    expect(slowed.step.valueChanges).toEqual(["iops: 6000 → 3000", "throughput: 250 → 125"]);
    expect(slowed.blocked).toEqual([]);
    const replaced = byName.get("jr-prod-lb-0-data")!;
    expect(replaced.step.op).toBe("replace");
    expect(replaced.step.valueChanges).toContain("size: 500 → 100");
    expect(replaced.blocked).toEqual([]);
    expect(willFail(classified).map((c) => c.step.name)).toEqual(["jr-prod-app-0-data"]);
  });

  it("puts the step that will fail first, under its own heading above the counts, and counts it", () => {
    expect(classified[0]!.step.name).toBe("jr-prod-app-0-data");
    const md = formatReviewMarkdown(stackReview(changes.steps));
    const heading = md.indexOf("### Will fail: 1 step AWS refuses");
    const counts = md.indexOf("**1 will fail · 1 replaces or deletes state · 0 interrupts traffic");
    expect(heading).toBeGreaterThan(md.indexOf("## Review of prod"));
    expect(counts).toBeGreaterThan(heading);
    expect(md).toMatch(
      /- \*\*will fail\*\*: update `jr-prod-app-0-data` \(aws:ebs\/volume:Volume\) — `size` 500 GiB → 100 GiB: an EBS volume cannot shrink/,
    );
    expect(md).toMatch(/\n {2}- instead: keep the size/);
    expect(md).toContain("| will fail · safe | update | aws:ebs/volume:Volume | jr-prod-app-0-data |");
    expect(md.match(/will fail\*\*:/g)).toHaveLength(1);
  });

  it("carries the count and the reasons into the JSON", () => {
    const json = reviewJson(stackReview(changes.steps));
    expect(json.counts.willFail).toBe(1);
    const step = json.steps.find((s) => s.name === "jr-prod-app-0-data")!;
    expect(step.blocked).toMatchObject([{ property: "size", before: "500 GiB", after: "100 GiB" }]);
    expect(json.steps.filter((s) => s.blocked.length > 0)).toHaveLength(1);
  });
});

describe("a synth diff of a tier change", () => {
  const volume = (name: string, size: number, iops: number): DiffableResource => ({
    urn: `urn:pulumi:prod::jairouter::jairouter:compute:Host$${VOLUME}::${name}`,
    type: VOLUME,
    name,
    inputs: { availabilityZone: "eu-west-1a", encrypted: true, iops, size, type: "gp3" },
    options: { retainOnDelete: true },
  });
  const before = [volume("jr-prod-app-0-data", 1000, 12000), volume("jr-prod-lb-0-data", 500, 6000)];
  const after = [volume("jr-prod-app-0-data", 500, 6000), volume("jr-prod-lb-0-data", 1000, 12000)];

  it("flags the volume that shrinks, from the diff's old and new values, and not the one that grows", () => {
    const { steps } = stepsFromChangeSet(diffSynths(before, after), "test", before, after);
    const classified = classifySteps(steps);
    expect(classified.map((c) => `${c.step.op} ${c.step.name} ${c.blocked.length}`)).toEqual([
      "update jr-prod-app-0-data 1",
      "update jr-prod-lb-0-data 0",
    ]);
    expect(classified[0]!.blocked[0]).toMatchObject({ before: "1000 GiB", after: "500 GiB" });
  });
});

describe("what is not flagged", () => {
  const step = (over: Partial<ReviewStep>): ReviewStep => ({
    op: "update",
    urn: `urn:pulumi:prod::jairouter::${VOLUME}::jr-prod-app-0-data`,
    type: VOLUME,
    name: "jr-prod-app-0-data",
    replaceReasons: [],
    diffReasons: ["size"],
    detailedDiff: {},
    valueChanges: [],
    inputChanges: [{ key: "size", secret: false, before: "500", after: "100" }],
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    component: false,
    ...over,
  });

  it("a shrinking volume is flagged; a secret, unknown or missing size, a replacement or another type is not", () => {
    expect(classifyStep(step({})).blocked).toHaveLength(1);
    expect(classifyStep(step({ inputChanges: [{ key: "size", secret: true }] })).blocked).toEqual([]);
    expect(
      classifyStep(step({ inputChanges: [{ key: "size", secret: false, before: "500", after: "(none)" }] }))
        .blocked,
    ).toEqual([]);
    expect(classifyStep(step({ inputChanges: [] })).blocked).toEqual([]);
    expect(classifyStep(step({ op: "replace", replaceReasons: ["availabilityZone"] })).blocked).toEqual([]);
    expect(classifyStep(step({ type: "aws:ec2/instance:Instance", name: "jr-prod-app-0" })).blocked).toEqual(
      [],
    );
  });
});

describe("the review's exit status", () => {
  const shrink = stepsFromPreview(fixture("volume-resize.json")).steps;
  const noFail = shrink.filter((s) => s.name !== "jr-prod-app-0-data");

  it("3 when a step will fail, naming the stack, the step and both sizes on stderr", () => {
    const outcome = reviewOutcome([stackReview(shrink)]);
    expect(outcome.status).toBe(EXIT_WILL_FAIL);
    expect(EXIT_WILL_FAIL).toBe(3);
    expect(outcome.messages).toEqual([
      expect.stringMatching(
        /^prod: update jr-prod-app-0-data will fail: size 500 GiB → 100 GiB \(an EBS volume cannot shrink/,
      ),
    ]);
  });

  it("3 over 1 when a budget is exceeded too; 1 for the budget alone; 0 otherwise", () => {
    const both = reviewOutcome([stackReview(shrink, true)]);
    expect(both.status).toBe(EXIT_WILL_FAIL);
    expect(both.messages).toHaveLength(2);
    expect(both.messages[1]).toContain("exceeds jairouter:budget.monthlyUsd $3500");
    expect(reviewOutcome([stackReview(noFail, true)]).status).toBe(EXIT_OVER_BUDGET);
    expect(reviewOutcome([stackReview(noFail)])).toEqual({ status: 0, messages: [] });
  });
});
