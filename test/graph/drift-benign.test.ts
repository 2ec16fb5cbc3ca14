// The benign list must describe the stack as it is: an entry that matches nothing the stack
// creates is either stale (the stack changed) or was never right, and would hide a real change
// the day something starts to match it. Each entry must also leave a real change reported.
import { describe, expect, it } from "vitest";
import { BENIGN_ENTRIES, propertyMatches, typeMatches } from "../../scripts/lib/drift/benign";
import { cloudDrift, type PreviewStep } from "../../scripts/lib/drift/cloud-drift";
import { getAtPath, parsePropertyPath } from "../../scripts/lib/property-path";
import { plainInputs, synthStack, type SynthResult } from "./helpers";

const stacks: Promise<SynthResult>[] = [synthStack("prod"), synthStack("staging")];

describe("the benign read-back list", () => {
  it.each(BENIGN_ENTRIES.map((e) => [e.id, e] as const))(
    "%s matches a resource the stack creates",
    async (_id, entry) => {
      const resources = (await Promise.all(stacks)).flatMap((r) => r.resources);
      const matching = resources.filter(
        (r) =>
          r.custom &&
          typeMatches(entry, r.type) &&
          getAtPath(plainInputs(r), parsePropertyPath(entry.requires)) !== undefined,
      );
      expect(matching.length, `no ${entry.type} with ${entry.requires} in prod or staging`).toBeGreaterThan(
        0,
      );
    },
  );

  it.each(BENIGN_ENTRIES.map((e) => [e.id, e] as const))(
    "%s still reports a real change",
    async (_id, entry) => {
      const [prod] = await Promise.all(stacks);
      const r = prod!.resources.find((x) => x.custom && typeMatches(entry, x.type))!;
      // a concrete property the entry's pattern covers
      const property = [entry.requires, "ingress", "tagsAll.Owner"].find((p) => propertyMatches(entry, p))!;
      expect(property, `no concrete property for ${entry.property}`).toBeDefined();
      const step: PreviewStep = {
        op: "update",
        urn: r.urn,
        oldState: { type: r.type, inputs: { [property.split(".")[0]!]: changed(entry.relation) } },
        newState: { type: r.type, inputs: plainInputs(r) },
        detailedDiff: { [property]: { kind: "update", inputDiff: true } },
      };
      const drift = cloudDrift([step], new Set());
      if (entry.relation === "any") expect(drift.benign).toHaveLength(1);
      else expect(drift.findings.map((f) => f.key)).toEqual([property]);
    },
  );
});

/** A read-back value that means a real change for each relation (the JSON of another policy...). */
function changed(relation: string): unknown {
  switch (relation) {
    case "same-duration":
      return { startPeriod: "9m0s", interval: "9m0s", timeout: "9m0s" };
    case "same-json":
      return '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    case "absent-equals-empty":
      return [{ fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }];
    default:
      return 99999;
  }
}
