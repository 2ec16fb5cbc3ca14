import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackRegion } from "../../scripts/stack-region";

describe("stack:region", () => {
  const dir = mkdtempSync(join(tmpdir(), "stack-region-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads aws:region from each committed stack file", () => {
    for (const stack of ["prod", "staging"]) {
      const doc = parse(readFileSync(`Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, unknown> };
      expect(stackRegion(stack)).toBe(doc.config["aws:region"]);
    }
  });

  it("refuses a stack file without a region, a malformed region and a path as a stack name", () => {
    writeFileSync(join(dir, "Pulumi.none.yaml"), "config:\n  jairouter:environment: staging\n");
    writeFileSync(join(dir, "Pulumi.bad.yaml"), "config:\n  aws:region: Europe\n");
    expect(() => stackRegion("none", dir)).toThrow(/Pulumi\.none\.yaml sets no aws:region/);
    expect(() => stackRegion("bad", dir)).toThrow(/"Europe" is not an AWS region name/);
    expect(() => stackRegion("../prod", dir)).toThrow(/not a stack name/);
  });

  it("prints only the region, so a workflow can capture it", { timeout: 30_000 }, () => {
    const r = spawnSync(join("node_modules", ".bin", "tsx"), ["scripts/stack-region.ts", "prod"], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${stackRegion("prod")}\n`);
  });
});
