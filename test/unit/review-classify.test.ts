// The review's risk classifier on recorded `pulumi preview --json` output and on hand-made steps.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifySteps, classifyStep, countByClass } from "../../scripts/lib/review/classify";
import { formatReviewMarkdown, type StackReview } from "../../scripts/lib/review/report";
import { PreviewFormatError, stepsFromPreview, type ReviewStep } from "../../scripts/lib/review/review-step";
import { estimateCost, loadPriceTable, usageFor } from "../../scripts/lib/review/cost-model";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, "../fixtures/preview", name), "utf8")) as unknown;

const step = (over: Partial<ReviewStep>): ReviewStep => ({
  op: "update",
  urn: "urn:pulumi:prod::jairouter::x::y",
  type: "aws:ec2/instance:Instance",
  name: "jr-prod-app-0",
  replaceReasons: [],
  diffReasons: [],
  detailedDiff: {},
  valueChanges: [],
  inputChanges: [],
  protect: false,
  retainOnDelete: false,
  deleteBeforeReplace: false,
  component: false,
  ...over,
});

describe("a recorded preview with a data-volume replacement, a proxy restart and a tag update", () => {
  const changes = stepsFromPreview(fixture("volume-proxy-tags.json"));
  const classified = classifySteps(changes.steps);
  const byName = new Map(classified.map((c) => [c.step.name, c]));

  it("merges the steps of one replacement into one per resource and counts the same ones", () => {
    expect(changes.steps.map((s) => `${s.op} ${s.name}`).sort()).toEqual([
      "replace jr-prod-app-0-data",
      "replace jr-prod-lb-0-haproxy",
      "update jr-prod-app",
    ]);
    expect(changes.unchanged).toBe(2);
  });

  it("classes the data volume's replacement as state, forced by its zone, and says the old one is retained", () => {
    const volume = byName.get("jr-prod-app-0-data")!;
    expect(volume.risk).toBe("state");
    expect(volume.forcedBy).toEqual(["availabilityZone"]);
    expect(volume.step.deleteBeforeReplace).toBe(false);
    expect(volume.stackAnswer.join(" ")).toMatch(/retainOnDelete/);
  });

  it("classes the proxy's new container as a restart, forced by its image, one proxy at a time", () => {
    const proxy = byName.get("jr-prod-lb-0-haproxy")!;
    expect(proxy.risk).toBe("restart");
    expect(proxy.forcedBy).toEqual(["image"]);
    expect(proxy.step.deleteBeforeReplace).toBe(true);
    expect(proxy.step.valueChanges).toEqual(["image: sha256:1111 → sha256:2222"]);
    expect(proxy.stackAnswer.join(" ")).toMatch(/one proxy at a time/);
  });

  it("classes the tag update as safe", () => {
    const sg = byName.get("jr-prod-app")!;
    expect(sg.risk).toBe("safe");
    expect(sg.forcedBy).toEqual(["tags"]);
  });

  it("orders the report most disruptive first and counts each class", () => {
    expect(classified.map((c) => c.risk)).toEqual(["state", "restart", "safe"]);
    expect(countByClass(classified)).toEqual({ state: 1, traffic: 0, restart: 1, safe: 1 });
  });

  it("puts the summary before the folded raw diff", () => {
    const prices = loadPriceTable("eu-west-1");
    const cost = estimateCost([], prices, usageFor("prod"));
    const review: StackReview = {
      stack: "prod",
      changes,
      classified,
      cost,
      budget: { estimateUsd: 0, exceeded: false },
    };
    const md = formatReviewMarkdown(review);
    expect(md.startsWith("<!-- jairouter-review:prod -->")).toBe(true);
    const summary = md.indexOf(
      "1 replaces or deletes state · 0 interrupts traffic · 1 restarts a service · 1 safe",
    );
    expect(summary).toBeGreaterThan(0);
    expect(md.indexOf("<details>")).toBeGreaterThan(summary);
    expect(md).toMatch(
      /\*\*replaces or deletes state\*\*: replace `jr-prod-app-0-data`.*forced by `availabilityZone`/,
    );
  });
});

describe("report size", () => {
  it("folds at most 250 changes into the comment and points to --json for the rest", () => {
    const steps = Array.from({ length: 300 }, (_, i) =>
      step({ op: "create", urn: `urn:pulumi:prod::jairouter::t::r${i}`, name: `r${i}` }),
    );
    const cost = estimateCost([], loadPriceTable("eu-west-1"), usageFor("prod"));
    const md = formatReviewMarkdown({
      stack: "prod",
      changes: { steps, unchanged: 0, source: "test" },
      classified: classifySteps(steps),
      cost,
      budget: { estimateUsd: 0, exceeded: false },
    });
    expect(md).toContain("| safe | create | aws:ec2/instance:Instance | r249 |");
    expect(md).not.toContain("| r250 |");
    expect(md).toContain("50 more changes: run the review with --json for all.");
  });
});

describe("preview files", () => {
  it("a preview of only same steps is no change", () => {
    const changes = stepsFromPreview(fixture("no-change.json"));
    expect(changes.steps).toEqual([]);
    expect(changes.unchanged).toBe(2);
  });

  it("rejects what is not preview JSON, naming the step and the fix", () => {
    expect(() => stepsFromPreview({ steps: [{ urn: "x" }] })).toThrow(PreviewFormatError);
    expect(() => stepsFromPreview({ steps: [{ urn: "x" }] })).toThrow(/steps\[0\] has no op or urn/);
    expect(() => stepsFromPreview({ steps: [{ op: "explode", urn: "x" }] })).toThrow(/unknown op "explode"/);
    expect(() => stepsFromPreview({ steps: {} })).toThrow(/pulumi preview --json/);
    expect(() => stepsFromPreview({ name: "jairouter-infra" })).toThrow(
      /not the output of `pulumi preview --json`/,
    );
    expect(stepsFromPreview({ changeSummary: {}, duration: 1 }).steps).toEqual([]);
    expect(stepsFromPreview({ changeSummary: { same: 301 } }).unchanged).toBe(301);
  });
});

describe("values in a preview", () => {
  it("shows short old → new values and never a secret's", () => {
    const urn =
      "urn:pulumi:prod::jairouter::jairouter:data:Cache$aws:elasticache/replicationGroup:ReplicationGroup::jr-prod-redis";
    const { steps } = stepsFromPreview({
      steps: [
        {
          op: "update",
          urn,
          oldState: {
            type: "aws:elasticache/replicationGroup:ReplicationGroup",
            inputs: { nodeType: "cache.m6g.2xlarge", authToken: "[secret]" },
          },
          newState: {
            type: "aws:elasticache/replicationGroup:ReplicationGroup",
            inputs: { nodeType: "cache.m6g.4xlarge", authToken: "[secret]" },
          },
          diffReasons: ["authToken", "nodeType"],
        },
      ],
    });
    expect(steps[0]!.valueChanges).toEqual([
      "authToken: [secret]",
      "nodeType: cache.m6g.2xlarge → cache.m6g.4xlarge",
    ]);
    const [c] = classifySteps(steps);
    expect(c!.risk).toBe("restart");
    expect(c!.forcedBy).toEqual(["nodeType"]);
  });
});

describe("commands in a preview", () => {
  it("a proxy configuration change is a restart softened by the in-place reload, not a component", () => {
    const urn =
      "urn:pulumi:prod::jairouter::jairouter:edge:LoadBalancerPair$command:local:Command::jr-prod-lb-0-activate";
    const { steps } = stepsFromPreview({
      steps: [
        {
          op: "update",
          urn,
          newState: { type: "command:local:Command", custom: true },
          diffReasons: ["triggers"],
        },
      ],
    });
    const [c] = classifySteps(steps);
    expect(c!.step.component).toBe(false);
    expect(c!.risk).toBe("restart");
    expect(c!.stackAnswer.join(" ")).toMatch(/in-place reload/);
  });
});

describe("classes by type and property", () => {
  it("an in-place instance type change stops the host: interrupts traffic, forced by instanceType", () => {
    const c = classifyStep(step({ diffReasons: ["instanceType", "tags"] }));
    expect(c.risk).toBe("traffic");
    expect(c.forcedBy).toEqual(["instanceType"]);
    expect(c.effect).toMatch(/stops and starts/);
    expect(c.stackAnswer.join(" ")).toMatch(/one host at a time.*no drain before the stop/);
  });

  it("an app container's replacement is a restart behind the drained rollout", () => {
    const c = classifyStep(
      step({
        op: "replace",
        type: "docker:index/container:Container",
        name: "jr-prod-app-1-jairouter",
        replaceReasons: ["image"],
      }),
    );
    expect(c.risk).toBe("restart");
    expect(c.stackAnswer.join(" ")).toMatch(/drained rollout/);
  });

  it("a proxy's configuration change reloads it in place", () => {
    const c = classifyStep(
      step({ type: "command:local:Command", name: "jr-prod-lb-1-activate", diffReasons: ["triggers"] }),
    );
    expect(c.risk).toBe("restart");
    expect(c.stackAnswer.join(" ")).toMatch(/in-place reload/);
  });

  it("deleting the backup bucket, an EIP or a generated secret deletes state; a protected one says it fails", () => {
    for (const type of [
      "aws:s3/bucket:Bucket",
      "aws:ec2/eip:Eip",
      "random:index/randomPassword:RandomPassword",
    ])
      expect(classifyStep(step({ op: "delete", type, name: "x" })).risk).toBe("state");
    const nlb = classifyStep(
      step({
        op: "replace",
        type: "aws:lb/loadBalancer:LoadBalancer",
        name: "jr-prod-nlb",
        protect: true,
        replaceReasons: ["name"],
      }),
    );
    expect(nlb.risk).toBe("state");
    expect(nlb.stackAnswer.join(" ")).toMatch(/protected/);
  });

  it("a volume resize is safe and in place", () => {
    const c = classifyStep(
      step({ type: "aws:ebs/volume:Volume", name: "jr-prod-app-0-data", diffReasons: ["size"] }),
    );
    expect(c.risk).toBe("safe");
  });

  it("creations and components are safe; an unknown type's replacement is not", () => {
    expect(classifyStep(step({ op: "create" })).risk).toBe("safe");
    expect(classifyStep(step({ op: "delete", type: "jairouter:compute:Host", component: true })).risk).toBe(
      "safe",
    );
    expect(classifyStep(step({ op: "replace", type: "aws:sqs/queue:Queue", name: "q" })).risk).toBe(
      "restart",
    );
  });
});
