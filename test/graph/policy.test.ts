import { describe, expect, it } from "vitest";
import { violations } from "../../policy/rules";
import { plainInputs, synthStack } from "./helpers";

describe.each(["prod", "staging"])("policy rules on every resource of %s", (stack) => {
  it("finds no violation", async () => {
    const result = await synthStack(stack);
    const found = result.resources.flatMap((r) =>
      violations(r.type, plainInputs(r)).map((v) => `${r.name}: ${v}`),
    );
    expect(found).toEqual([]);
    expect(result.resources.length).toBeGreaterThan(100);
  });
});
