import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toolsAvailable, yamllint } from "../support/tools";

// GitHub's `on:` key is YAML 1.1 "truthy"; workflows keep lines short.
const WORKFLOW_RULES = "{extends: relaxed, rules: {line-length: {max: 120}, truthy: disable}}";

const DIR = ".github/workflows";
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const load = (f: string) => parse(readFileSync(join(DIR, f), "utf8")) as Record<string, any>;

describe("GitHub workflows", () => {
  it("has CI, PR preview, scheduled drift detection and deploy", () => {
    expect(files.sort()).toEqual(["ci.yml", "deploy.yml", "drift.yml", "preview.yml"]);
  });

  it.skipIf(!toolsAvailable("yamllint"))("passes yamllint", () => {
    for (const f of files) {
      const r = yamllint(readFileSync(join(DIR, f), "utf8"), WORKFLOW_RULES);
      expect(r.status, `${f}: ${r.report}`).toBe(0);
    }
  });

  it("runs the same .ci/run as CI", () => {
    const steps = load("ci.yml").jobs.test.steps as { run?: string }[];
    expect(steps.some((s) => s.run?.includes("bash .ci/run"))).toBe(true);
  });

  it("previews and checks drift on every committed stack", () => {
    const stacks = readdirSync(".")
      .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
      .map((f) => f.split(".")[1])
      .sort();
    for (const f of ["preview.yml", "drift.yml"]) {
      const job = Object.values(load(f).jobs)[0] as Record<string, any>;
      expect([...job.strategy.matrix.stack].sort(), f).toEqual(stacks);
    }
    const drift = Object.values(load("drift.yml").jobs)[0] as Record<string, any>;
    // the drift report (docs/drift.md) runs the refreshing preview itself
    expect(drift.steps.some((s: { run?: string }) => s.run?.includes("npm run --silent drift --"))).toBe(
      true,
    );
  });

  it("pins every action to a version", () => {
    for (const f of files) {
      const text = readFileSync(join(DIR, f), "utf8");
      for (const m of text.matchAll(/uses: (\S+)/g)) expect(m[1], f).toMatch(/@v\d+(\.\d+)*$/);
    }
  });
});
