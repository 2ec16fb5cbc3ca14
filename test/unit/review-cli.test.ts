// `npm run review` refuses bad arguments before any synth, naming the flag or file and the fix.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const review = (...args: string[]) =>
  spawnSync(join("node_modules", ".bin", "tsx"), ["scripts/review.ts", ...args], { encoding: "utf8" });

describe("review CLI arguments", () => {
  it("without a stack: usage, exit 2", () => {
    const run = review();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/name at least one stack[\s\S]*usage: npm run review -- <stack>/);
    expect(run.stderr).toMatch(
      /exit: 0 reviewed, 1 over a budget or an error, 2 bad arguments, 3 a step will fail/,
    );
  });

  it("a stack without a stack file: exit 2, naming the file", () => {
    const run = review("nostack");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("no stack file Pulumi.nostack.yaml");
  });

  it("--preview of a file that is not preview JSON: exit 1, naming the flag and how to make the file", () => {
    const run = review("prod", "--preview", "package.json");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--preview package.json: not the output of `pulumi preview --json`");
    const missing = review("prod", "--preview", "no-such-preview.json");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("--preview no-such-preview.json");
    expect(missing.stderr).toContain("pulumi preview --json > no-such-preview.json");
  });

  it("an unknown git ref: exit 1, naming --base", () => {
    const run = review("prod", "--base", "no-such-ref-anywhere");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--base no-such-ref-anywhere: git knows no such commit");
  });

  it("--preview with two stacks: exit 2", () => {
    expect(review("prod", "staging", "--preview", "x.json").status).toBe(2);
  });
});
