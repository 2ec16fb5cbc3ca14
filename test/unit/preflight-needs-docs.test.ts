import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sumNeeds, type StackNeeds } from "../../scripts/lib/preflight/needs";
import { QUOTAS } from "../../scripts/lib/preflight/quotas";
import { synthNeeds } from "../../scripts/lib/preflight/synth-needs";

/** The quota table of docs/first-deploy.md: quota code → [prod, staging, both] as written. */
function documentedNeeds(): Map<string, number[]> {
  const doc = readFileSync("docs/first-deploy.md", "utf8");
  const rows = new Map<string, number[]>();
  for (const line of doc.split("\n")) {
    const code = /\(`([a-z0-9-]+\/L-[0-9A-F]{8})`\)/.exec(line)?.[1];
    if (!code || !line.startsWith("|")) continue;
    const cells = line.split("|").slice(3, 6);
    rows.set(
      code,
      cells.map((c) => Number(/^\s*(\d+)/.exec(c)?.[1])),
    );
  }
  return rows;
}

describe("the stacks' quota needs", () => {
  it(
    "are what docs/first-deploy.md says, computed from the committed stacks' synth",
    { timeout: 180_000 },
    async () => {
      const prod = await synthNeeds("prod");
      const staging = await synthNeeds("staging");
      const both = sumNeeds([prod, staging]);
      expect(prod.byQuota["vcpu-standard"]).toBe(36);
      expect(staging.byQuota["vcpu-standard"]).toBe(14);
      const documented = documentedNeeds();
      const need = (n: StackNeeds, id: string) => n.byQuota[id] ?? 0;
      for (const spec of QUOTAS.filter((q) => need(both, q.id) > 0)) {
        const code = `${spec.serviceCode}/${spec.quotaCode}`;
        expect(documented.get(code), code).toEqual([
          need(prod, spec.id),
          need(staging, spec.id),
          need(both, spec.id),
        ]);
      }
      expect(prod.unknownInstanceTypes).toEqual([]);
    },
  );
});
