import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contractFields } from "../../contract/fields";
import { contractJsonSchema } from "../../contract/json-schema";
import { CONTRACT_REFERENCE_FILE, renderContractReference } from "../../contract/reference";

describe("docs/contract.md: stack contract", () => {
  const doc = readFileSync(CONTRACT_REFERENCE_FILE, "utf8");

  it("is where the generated contract table lives", () => {
    expect(CONTRACT_REFERENCE_FILE).toBe("docs/contract.md");
  });

  it("carries the contract table generated from the definition (run `npm run contract:schema`)", () => {
    expect(doc).toContain(renderContractReference());
  });

  it("explains every field of the contract", () => {
    const fields = contractFields(contractJsonSchema());
    expect(fields.length).toBeGreaterThan(30);
    for (const field of fields) {
      expect(field.description, field.path).toMatch(/\w{3,}/);
      expect(doc).toContain(`| \`${field.path}\` |`);
    }
  });

  it("says which release removes the deprecated loose output names", () => {
    expect(doc).toMatch(/release 0\.4\.0 removes them/);
  });
});
