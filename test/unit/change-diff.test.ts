import { describe, expect, it, vi } from "vitest";
import { diffSynths, PROVIDER_KEY, type DiffableResource } from "../../scripts/lib/change-diff";
import {
  changeSetJson,
  formatChangeTable,
  formatSummary,
  summarizeChanges,
} from "../../scripts/lib/change-report";

// The replacement table stands in for the provider: here one type replaces on a changed `ami`.
vi.mock("../../scripts/lib/replacement-table", () => ({
  REPLACEMENT_TABLE: {},
  replacingInputs: (type: string, before: Record<string, unknown>, after: Record<string, unknown>) =>
    type === "test:index/forced:Forced" && before.ami !== after.ami ? ["ami"] : [],
}));

// The engine's secret wrapper, as the mock runtime hands secret inputs to the synth.
const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value,
});

function resource(name: string, inputs: Record<string, unknown>, more: Partial<DiffableResource> = {}) {
  const type = more.type ?? "test:index/thing:Thing";
  return { urn: `urn:pulumi:s::p::${type}::${name}`, type, name, inputs, ...more };
}

describe("diffSynths", () => {
  it("finds creates, deletes, updates and leaves equal resources out", () => {
    const before = [resource("a", { size: 1 }), resource("b", { size: 1 }), resource("c", { x: [1, 2] })];
    const after = [resource("a", { size: 2 }), resource("c", { x: [1, 2] }), resource("d", { size: 1 })];
    const set = diffSynths(before, after);
    expect(set.unchanged).toBe(1);
    expect(set.changes.map((c) => [c.action, c.name])).toEqual([
      ["delete", "b"],
      ["create", "d"],
      ["update", "a"],
    ]);
    expect(set.changes[2]!.changed).toEqual([{ key: "size", secret: false, before: "1", after: "2" }]);
  });

  it("ignores the order of object keys and notes added and removed keys", () => {
    const set = diffSynths(
      [resource("a", { tags: { A: "1", B: "2" }, gone: "x" })],
      [resource("a", { tags: { B: "2", A: "1" }, added: "y" })],
    );
    expect(set.changes[0]!.changed).toEqual([
      { key: "added", secret: false, before: "(none)", after: "y" },
      { key: "gone", secret: false, before: "x", after: "(none)" },
    ]);
  });

  it("counts a changed secret without ever showing its value", () => {
    const set = diffSynths(
      [resource("a", { password: secret("old-value"), envs: ["A=1", secret("B=old")] })],
      [resource("a", { password: secret("new-value"), envs: ["A=1", secret("B=new")] })],
    );
    expect(set.changes[0]!.changed.map((k) => [k.key, k.secret])).toEqual([
      ["envs", true],
      ["password", true],
    ]);
    const everything = formatChangeTable(set) + changeSetJson(set);
    expect(everything).toContain("password: [secret]");
    for (const value of ["old-value", "new-value", "B=old", "B=new"]) expect(everything).not.toContain(value);
  });

  it("does not count a value that only became secret", () => {
    const set = diffSynths([resource("a", { key: "k" })], [resource("a", { key: secret("k") })]);
    expect(set.changes).toEqual([]);
  });

  it("replaces on the inputs the replacement table names, updates on the others", () => {
    const type = "test:index/forced:Forced";
    const set = diffSynths(
      [
        resource("a", { ami: "ami-1", size: 1 }, { type }),
        resource("b", { ami: "ami-1", size: 1 }, { type }),
      ],
      [
        resource("a", { ami: "ami-2", size: 2 }, { type }),
        resource("b", { ami: "ami-1", size: 2 }, { type }),
      ],
    );
    expect(set.changes.map((c) => [c.name, c.action, c.replaceKeys])).toEqual([
      ["a", "replace", ["ami"]],
      ["b", "update", []],
    ]);
  });

  it("replaces on replaceOnChanges paths, `*` meaning every changed input, and notes deleteBeforeReplace", () => {
    const options = { replaceOnChanges: ["spec.image"], deleteBeforeReplace: true };
    const imageChange = diffSynths(
      [resource("a", { spec: { image: "x:1", replicas: 1 } }, { options })],
      [resource("a", { spec: { image: "x:2", replicas: 1 } }, { options })],
    ).changes[0]!;
    expect(imageChange).toMatchObject({
      action: "replace",
      replaceKeys: ["spec.image"],
      deleteBeforeReplace: true,
    });
    const replicaChange = diffSynths(
      [resource("a", { spec: { image: "x:1", replicas: 1 } }, { options })],
      [resource("a", { spec: { image: "x:1", replicas: 2 } }, { options })],
    ).changes[0]!;
    expect(replicaChange).toMatchObject({ action: "update", replaceKeys: [], deleteBeforeReplace: false });
    const star = { replaceOnChanges: ["*"] };
    const any = diffSynths(
      [resource("a", { n: 1 }, { options: star })],
      [resource("a", { n: 2 }, { options: star })],
    );
    expect(any.changes[0]).toMatchObject({ action: "replace", replaceKeys: ["n"] });
  });

  it("leaves ignoreChanges paths out, as the engine keeps the old value there", () => {
    const options = { ignoreChanges: ["tags.Owner", "userData"] };
    const set = diffSynths(
      [resource("a", { tags: { Owner: "a", Name: "n" }, userData: "v1" }, { options })],
      [resource("a", { tags: { Owner: "b", Name: "n" }, userData: "v2" }, { options })],
    );
    expect(set.changes).toEqual([]);
    const nameChange = diffSynths(
      [resource("a", { tags: { Owner: "a", Name: "n" } }, { options })],
      [resource("a", { tags: { Owner: "b", Name: "m" } }, { options })],
    );
    expect(nameChange.changes[0]!.changed.map((k) => k.key)).toEqual(["tags"]);
  });

  it("replaces a resource whose explicit provider was replaced (its reference carries the provider's id)", () => {
    const set = diffSynths(
      [resource("c", { image: "x" }, { provider: "urn:p::docker::host-0::id-1" })],
      [resource("c", { image: "x" }, { provider: "urn:p::docker::host-0::id-2" })],
    );
    expect(set.changes[0]).toMatchObject({ action: "replace", replaceKeys: [PROVIDER_KEY] });
  });

  it("flags the replacement or deletion of a protected resource, and a retained delete", () => {
    const set = diffSynths(
      [
        resource("v", { size: 1 }, { protect: true }),
        resource("w", {}, { options: { retainOnDelete: true } }),
      ],
      [],
    );
    expect(set.changes.map((c) => [c.name, c.protect, c.retainOnDelete])).toEqual([
      ["v", true, false],
      ["w", false, true],
    ]);
    expect(formatChangeTable(set)).toMatch(/protected: fails/);
    expect(formatChangeTable(set)).toMatch(/retained in the cloud/);
  });
});

describe("change report", () => {
  const before = [
    resource(
      "app-0",
      { instanceType: "c6i.2xlarge", userData: "x".repeat(100) },
      { type: "aws:ec2/instance:Instance" },
    ),
    resource("app-0-data", { size: 500 }, { type: "aws:ebs/volume:Volume" }),
    resource("cfg", { stdin: "a" }),
  ];
  const after = [
    resource(
      "app-0",
      { instanceType: "c6in.4xlarge", userData: "y".repeat(100) },
      { type: "aws:ec2/instance:Instance" },
    ),
    resource("app-0-data", { size: 500 }, { type: "aws:ebs/volume:Volume" }),
    resource("cfg", { stdin: "b" }),
  ];
  const set = diffSynths(before, after);

  it("prints an aligned table, long values as their key only", () => {
    const lines = formatChangeTable(set).split("\n");
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[2]).toContain("instanceType: c6i.2xlarge → c6in.4xlarge, userData |");
    expect(formatChangeTable({ changes: [], unchanged: 3 })).toBe("(no resource changes)");
  });

  it("summarises counts and names every EC2 instance and EBS volume it touches", () => {
    const summary = summarizeChanges(set);
    expect(summary.counts).toEqual({ replace: 0, delete: 0, create: 0, update: 2, unchanged: 1 });
    expect(formatSummary(summary)).toBe(
      "0 replace, 0 delete, 0 create, 2 update, 1 unchanged; EC2 instances: app-0 (update); EBS volumes: none touched",
    );
    expect(JSON.parse(changeSetJson(set)).summary.instances).toEqual({ "app-0": "update" });
  });
});
