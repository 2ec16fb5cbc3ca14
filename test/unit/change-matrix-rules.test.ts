import { describe, expect, it, vi } from "vitest";
import { diffSynths, type DiffableResource } from "../../scripts/lib/change-diff";
import { checkRow, INSTANCE, KEY_PAIR, ON_HOST, type MatrixRow } from "../graph/change-matrix-rules";

function resource(type: string, name: string, inputs: Record<string, unknown>): DiffableResource {
  return { urn: `urn:pulumi:prod::jairouter::${type}::${name}`, type, name, inputs };
}

// Rules only: the provider's replacement knowledge is the replacement table's, tested on its own.
vi.mock("../../scripts/lib/replacement-table", () => ({ REPLACEMENT_TABLE: {}, replacingInputs: () => [] }));

const COMMAND = "command:local:Command";
const row: MatrixRow = {
  change: "test",
  set: {},
  must: [{ why: "the file", type: COMMAND, name: /^h-/, actions: ["update"], count: 1 }],
  mentions: [{ text: "v2", onEach: [/^h-/] }],
  may: [{ type: ON_HOST, name: /^h-/, actions: ["update", "replace"] }],
};

function check(r: MatrixRow, before: DiffableResource[], after: DiffableResource[]) {
  return checkRow(r, diffSynths(before, after), before, after);
}

describe("change matrix rules", () => {
  const file = (v: string) => resource(COMMAND, "h-file", { stdin: v });
  const host = (userData: string, type = "t.small") =>
    resource(INSTANCE, "h", { userData, instanceType: type });

  it("hold when only the expected resources change and the new value reaches them", () => {
    expect(check(row, [file("v1"), host("a")], [file("v2"), host("a")])).toEqual([]);
  });

  it("name the instance a change touches, with the inputs that changed", () => {
    expect(check(row, [file("v1"), host("a")], [file("v2"), host("b")])).toEqual([
      'update aws:ec2/instance:Instance h (userData: a → b): breaks "only a tier change touches an existing EC2 instance, and only in place"',
    ]);
  });

  it("let a tier change update an instance in place", () => {
    const tier = {
      ...row,
      tierChange: true,
      may: [...row.may, { type: INSTANCE, actions: ["update"] as const }],
    };
    expect(check(tier, [file("v1"), host("a")], [file("v2"), host("a", "t.large")])).toEqual([]);
  });

  it("report a missing required change, a missing value and an unexpected change", () => {
    const other = resource(COMMAND, "x-file", { stdin: "1" });
    const problems = check(row, [file("v1"), other], [file("v1"), { ...other, inputs: { stdin: "2" } }]);
    expect(problems).toEqual([
      "expected 1 update of command:local:Command named like /^h-/ (the file); found 0",
      "update command:local:Command x-file (stdin: 1 → 2): not expected from this change",
      '"v2" reaches no changed resource named like /^h-/',
    ]);
  });

  it("refuse a key pair whose name changes", () => {
    const keyRow: MatrixRow = {
      change: "key",
      set: {},
      must: [],
      may: [{ type: KEY_PAIR, actions: ["update"] }],
    };
    const pair = (keyName: string) => resource(KEY_PAIR, "k", { keyName, publicKey: "p" });
    expect(check(keyRow, [pair("a")], [pair("b")])).toEqual([
      "update aws:ec2/keyPair:KeyPair k (keyName: a → b): the key pair's name changes",
    ]);
  });
});
