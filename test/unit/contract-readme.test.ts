import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contractFields } from "../../contract/fields";
import { contractJsonSchema } from "../../contract/json-schema";
import { renderContractReference } from "../../contract/reference";

describe("README: stack contract", () => {
  const readme = readFileSync("README.md", "utf8");

  it("carries the contract table generated from the definition (run `npm run contract:schema`)", () => {
    expect(readme).toContain(renderContractReference());
  });

  it("explains every field of the contract", () => {
    const fields = contractFields(contractJsonSchema());
    expect(fields.length).toBeGreaterThan(30);
    for (const field of fields) {
      expect(field.description, field.path).toMatch(/\w{3,}/);
      expect(readme).toContain(`| \`${field.path}\` |`);
    }
  });

  it("says which release removes the deprecated loose output names", () => {
    expect(readme).toMatch(/release 0\.3\.0 removes them/);
  });
});
