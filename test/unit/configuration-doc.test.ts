import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldReference } from "../../config/describe";
import { SECRET_KEYS } from "../../config/secret-keys";
import { CONFIG_REFERENCE_FILE, renderConfigReference } from "../../scripts/lib/config-reference";

describe("docs/configuration.md", () => {
  const doc = readFileSync(CONFIG_REFERENCE_FILE, "utf8");

  it("is where the generated reference lives", () => {
    expect(CONFIG_REFERENCE_FILE).toBe("docs/configuration.md");
  });

  it("carries the configuration reference generated from the schema (run `npm run docs`)", () => {
    expect(doc).toContain(renderConfigReference());
  });

  it("documents every schema key and every secret key", () => {
    const keys = fieldReference().map((f) => f.path);
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) expect(doc).toContain(`\`jairouter:${key}\``);
    for (const key of Object.keys(SECRET_KEYS)) expect(doc).toContain(`\`jairouter:${key}\``);
  });

  it("does not claim secrets stay out of the stack file", () => {
    expect(doc).not.toMatch(/never in the stack file|not in this file/i);
  });
});
