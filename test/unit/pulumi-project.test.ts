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

  // An operator's own stack files carry `secure:` ciphertext (committed, see docs/configuration.md);
  // the sample stacks here have no secrets provider, so a value in them could never be decrypted.
  it("the sample stack files hold no secure: value the CLI could not decrypt", () => {
    const stackFiles = readdirSync(".").filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
    expect(stackFiles.sort()).toEqual(["Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
    for (const file of stackFiles) {
      const config = (parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
      const secureKeys = Object.entries(config)
        .filter(([, value]) => JSON.stringify(value ?? null).includes('"secure":'))
        .map(([key]) => key);
      expect(secureKeys, file).toEqual([]);
      expect(config["aws:region"], file).toBeTruthy();
    }
  });
});
