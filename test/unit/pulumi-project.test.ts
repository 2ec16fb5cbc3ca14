import { readFileSync, readdirSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

// The Pulumi CLI's project schema allows only these config types; `object` makes it reject the project.
const ALLOWED_TYPES = new Set(["string", "integer", "boolean", "array"]);

describe("Pulumi project and stack files", () => {
  const project = parse(readFileSync("Pulumi.yaml", "utf8"));

  it("is the jairouter project on the nodejs runtime with TypeScript", () => {
    expect(project.name).toBe("jairouter");
    expect(project.runtime.name).toBe("nodejs");
    expect(project.runtime.options?.typescript ?? true).toBe(true);
  });

  it("declares only config types the CLI accepts", () => {
    for (const [key, decl] of Object.entries(project.config ?? {}) as [string, Record<string, unknown>][]) {
      expect(ALLOWED_TYPES.has(String(decl.type)), `${key}: type ${String(decl.type)}`).toBe(true);
      if (decl.type === "array") expect(decl.items, `${key} needs items`).toBeDefined();
    }
  });

  it("commits no secure: value the CLI could not decrypt", () => {
    const stackFiles = readdirSync(".").filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
    expect(stackFiles.sort()).toEqual(["Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
    for (const file of stackFiles) {
      expect(readFileSync(file, "utf8"), file).not.toMatch(/secure:/);
      expect(parse(readFileSync(file, "utf8")).config["aws:region"], file).toBeTruthy();
    }
  });
});
