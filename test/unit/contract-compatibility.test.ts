import { readFileSync } from "node:fs";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { checkCompatibility } from "../../contract/compatibility";
import { contractFields } from "../../contract/fields";
import {
  CONTRACT_SCHEMA_FILE,
  contractJsonSchema,
  renderContractJsonSchema,
} from "../../contract/json-schema";
import { CONTRACT_VERSION, contractSchema } from "../../contract/schema";

const committed = JSON.parse(readFileSync(CONTRACT_SCHEMA_FILE, "utf8")) as Record<string, unknown>;

// A small contract of the same shape as the real one, edited the ways a change could edit it.
const edge = {
  endpoint: z.url(),
  nlb: z.object({ name: z.string(), dnsName: z.string() }).optional(),
};
const app = { securityGroupId: z.string(), port: z.number().int(), privateIps: z.array(z.ipv4()) };
const base = z.object({ schemaVersion: z.string(), edge: z.object(edge), app: z.object(app) });
const v1 = contractJsonSchema(base, "1.0.0");

function against(schema: z.ZodType, version: string) {
  return checkCompatibility(v1, contractJsonSchema(schema, version));
}

describe("the committed contract JSON Schema", () => {
  it("is what `npm run contract:schema` generates from the zod definition", () => {
    expect(readFileSync(CONTRACT_SCHEMA_FILE, "utf8"), "run `npm run contract:schema`").toBe(
      renderContractJsonSchema(),
    );
  });

  it("admits the current definition under the current schemaVersion", () => {
    const report = checkCompatibility(committed, contractJsonSchema());
    expect(report.problems).toEqual([]);
    expect(report.currentVersion).toBe(CONTRACT_VERSION);
  });

  it("lists every field a consumer reads, with its type", () => {
    const fields = new Map(contractFields(committed).map((f) => [f.path, f]));
    expect(fields.get("edge.endpoint")).toMatchObject({ type: "string", required: true });
    expect(fields.get("edge.endpoint")?.description).toContain("HTTPS URL");
    expect(fields.get("edge.nlb")?.required).toBe(false);
    expect(fields.get("edge.frontDoor")?.type).toBe("enum(nlb|dns)");
    expect(fields.get("app.port")?.type).toBe("integer");
    expect(fields.get("network.privateSubnetIds")?.type).toBe("string[]");
    expect(fields.get("secrets.parameterPaths")?.type).toBe("map<string>");
    expect(fields.has("monitoring.tunnelCommands.prometheus")).toBe(true);
  });

  it("holds no zod-only format a strict JSON Schema validator would reject", () => {
    expect(JSON.stringify(committed)).not.toContain('"format":"cidrv4"');
    expect(contractSchema.shape.network.shape.vpcCidr.safeParse("10.0.0.0/33").success).toBe(false);
  });
});

describe("compatibility check", () => {
  it("passes an unchanged definition", () => {
    expect(against(base, "1.0.0").problems).toEqual([]);
  });

  it("fails a removed field without a major bump, naming it", () => {
    const rest = { nlb: edge.nlb };
    const report = against(base.extend({ edge: z.object(rest) }), "1.1.0");
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain("removed `edge.endpoint` (string)");
    expect(report.problems[0]).toContain("MAJOR");
  });

  it("fails a renamed field without a major bump, naming the old and the new name", () => {
    const { endpoint, ...rest } = edge;
    const report = against(base.extend({ edge: z.object({ ...rest, endpointUrl: endpoint }) }), "1.1.0");
    expect(report.problems.join("\n")).toContain("renamed `edge.endpoint` (string) to `edge.endpointUrl`");
    expect(report.breaking).toHaveLength(1);
  });

  it("fails a retyped field without a major bump, naming it and both types", () => {
    const report = against(base.extend({ app: z.object({ ...app, port: z.string() }) }), "1.0.1");
    expect(report.problems).toEqual([
      "retyped `app.port`: integer → string: a breaking change needs a MAJOR schemaVersion bump (1.0.0 → 1.0.1)",
    ]);
  });

  it("fails a retyped array element and a field that stops being always present", () => {
    const report = against(
      base.extend({
        app: z.object({ ...app, securityGroupId: z.string().optional(), privateIps: z.array(z.number()) }),
      }),
      "1.1.0",
    );
    expect(report.breaking).toEqual([
      "`app.securityGroupId` is no longer always present",
      "retyped `app.privateIps`: string[] → number[]",
    ]);
  });

  it("passes an added optional field with a minor bump, and fails it without one", () => {
    const added = base.extend({ app: z.object({ ...app, grpcPort: z.number().int().optional() }) });
    expect(against(added, "1.1.0").problems).toEqual([]);
    expect(against(added, "1.1.0").additive).toEqual(["added `app.grpcPort` (integer, optional)"]);
    expect(against(added, "1.0.1").problems).toEqual([
      "added `app.grpcPort` (integer, optional): needs at least a MINOR schemaVersion bump (1.0.0 → 1.0.1)",
    ]);
  });

  it("reports a new group once, not each of its fields", () => {
    const report = against(base.extend({ dns: z.object({ zoneId: z.string() }).optional() }), "1.1.0");
    expect(report.additive).toEqual(["added `dns` (object, optional)"]);
  });

  it("passes breaking changes with a major bump", () => {
    const rest = { nlb: edge.nlb };
    const broken = base.extend({ edge: z.object(rest), app: z.object({ ...app, port: z.string() }) });
    const report = against(broken, "2.0.0");
    expect(report.breaking).toHaveLength(2);
    expect(report.problems).toEqual([]);
  });

  it("fails a version that goes backwards", () => {
    expect(
      checkCompatibility(contractJsonSchema(base, "1.2.0"), contractJsonSchema(base, "1.1.9")).problems,
    ).toEqual(["schemaVersion went backwards: 1.2.0 → 1.1.9"]);
  });
});
