import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldReference } from "../../config/describe";
import { renderConfigReference } from "../../scripts/lib/config-reference";

describe("README", () => {
  const readme = readFileSync("README.md", "utf8");

  it("opens with the two commands that work on a fresh machine", () => {
    const firstBlock = readme.split("```")[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm run synth -- prod");
    expect(firstBlock).toContain("npm test");
  });

  it("carries the configuration reference generated from the schema (run `npm run docs`)", () => {
    expect(readme).toContain(renderConfigReference());
  });

  it("documents every schema key", () => {
    const keys = fieldReference().map((f) => f.path);
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) expect(readme).toContain(`\`jairouter:${key}\``);
  });
});
