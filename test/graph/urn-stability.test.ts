import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addedUrnsMessage,
  compareWithSnapshot,
  missingUrnsMessage,
  parseSnapshot,
  type SnapshotComparison,
} from "../../scripts/lib/urn-snapshot";
import { synthStack } from "./helpers";

// A URN that disappears is, for a live stack, a resource deleted and created anew: data volumes,
// addresses and names lost. The committed snapshots hold the URNs of the stacks as deployed.
describe.each(["prod", "staging"])("URNs of %s against test/fixtures/urns", (stack) => {
  let comparison: SnapshotComparison;
  beforeAll(async () => {
    const result = await synthStack(stack);
    const snapshot = parseSnapshot(readFileSync(join("test", "fixtures", "urns", `${stack}.txt`), "utf8"));
    comparison = compareWithSnapshot(
      snapshot,
      result.resources.map((r) => ({ urn: r.urn, aliases: r.options.aliases ?? [] })),
    );
  });

  it("keeps every URN of the snapshot, or an alias that carries it over", () => {
    if (comparison.missing.length > 0) expect.fail(missingUrnsMessage(stack, comparison.missing));
  });

  it("has no URN the snapshot does not know", () => {
    if (comparison.added.length > 0) expect.fail(addedUrnsMessage(stack, comparison.added));
  });
});
