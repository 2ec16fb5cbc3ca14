import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The synth runs the program through tsx; the Pulumi CLI runs index.ts through ts-node with type
// checking. This loads it that second way, so a module or typing problem the CLI would hit shows here.
describe("index.ts as the Pulumi CLI loads it", () => {
  it("type-checks, evaluates and exports the stack outputs", { timeout: 150_000 }, () => {
    const r = spawnSync(process.execPath, ["test/support/pulumi-entry.cjs", "prod"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const outputs = JSON.parse(r.stdout.trim().split("\n").pop()!) as string[];
    for (const key of ["endpoint", "vpcId", "appPrivateIps", "loadBalancerPublicIps", "prometheusUrl"]) {
      expect(outputs).toContain(key);
    }
  });
});
