import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIpv4Cidr } from "../../config/validators";
import { MockCloud } from "../../scripts/lib/mock-cloud";
import {
  REPLACEMENT_TABLE,
  replacingInputs,
  type ConditionalReplacement,
  type ReplacementRule,
} from "../../scripts/lib/replacement-table";

const ROOT = resolve(__dirname, "../..");
const entries = Object.entries(REPLACEMENT_TABLE);

/** `{}` with `value` at a dotted path. */
function withValue(
  path: string,
  value: unknown,
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  const inner = (base[head!] ?? {}) as Record<string, unknown>;
  return { ...base, [head!]: rest.length === 0 ? value : withValue(rest.join("."), value, inner) };
}

/** Inputs that satisfy a condition's `when`. */
function conditionInputs(condition: ConditionalReplacement): Record<string, unknown> {
  if (!condition.when) return {};
  return withValue(condition.when.input, "equals" in condition.when ? condition.when.equals : true);
}

function expectReplacement(
  type: string,
  path: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
) {
  expect(replacingInputs(type, before, after), `${type} ${path}`).toContain(path);
  expect(MockCloud.idFor(type, "web", after), `${type} ${path}: id`).not.toBe(
    MockCloud.idFor(type, "web", before),
  );
}

function expectUpdate(
  type: string,
  path: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
) {
  expect(replacingInputs(type, before, after), `${type} ${path}`).toEqual([]);
  expect(MockCloud.idFor(type, "web", after), `${type} ${path}: id`).toBe(
    MockCloud.idFor(type, "web", before),
  );
}

describe.each(entries)("replacement rule for %s", (type, rule: ReplacementRule) => {
  it("names its source", () => {
    expect(rule.source.length).toBeGreaterThan(20);
  });

  it.each(rule.forcesReplacement.map((p) => [p]))("replaces on a changed %s", (path) => {
    expectReplacement(type, path, withValue(path, "before"), withValue(path, "after"));
  });

  it("replaces on any changed input when it has no update", () => {
    if (!rule.replaceOnAnyChange) return;
    expectReplacement(type, "anything", { anything: 1 }, { anything: 2 });
  });

  it.each((rule.forcesReplacementWhen ?? []).map((c) => [c.property, c]))(
    "replaces on %s only under its condition",
    (_label, condition) => {
      const c = condition as ConditionalReplacement;
      const base = conditionInputs(c);
      const change = c.change ?? "any";
      if (change === "any") {
        expectReplacement(
          type,
          c.property,
          withValue(c.property, "a", base),
          withValue(c.property, "b", base),
        );
      } else if (change === "removal") {
        // history-dependent: the id cannot tell, replacingInputs can
        const [shorter, longer] = [
          withValue(c.property, ["a"], base),
          withValue(c.property, ["a", "b"], base),
        ];
        expect(replacingInputs(type, longer, shorter)).toContain(c.property);
        expect(replacingInputs(type, shorter, longer)).toEqual([]);
      } else if (change === "emptiness") {
        expectReplacement(
          type,
          c.property,
          withValue(c.property, [], base),
          withValue(c.property, ["a"], base),
        );
        expectUpdate(
          type,
          c.property,
          withValue(c.property, ["a"], base),
          withValue(c.property, ["b"], base),
        );
      } else {
        const forward = replacingInputs(
          type,
          withValue(c.property, change.from, base),
          withValue(c.property, change.to, base),
        );
        expect(forward).toContain(c.property);
        const back = replacingInputs(
          type,
          withValue(c.property, change.to, base),
          withValue(c.property, change.from, base),
        );
        expect(back).toEqual([]);
      }
      if (c.when) {
        const off = withValue(c.when.input, "equals" in c.when ? "something else" : false);
        expect(
          replacingInputs(type, withValue(c.property, ["a"], off), withValue(c.property, ["b"], off)),
        ).toEqual([]);
      }
    },
  );

  it.each((rule.exclusiveGroups ?? []).map((g) => [g.join(" | "), g]))(
    "replaces when switching %s",
    (_label, group) => {
      const [first, second] = group as readonly string[];
      expectReplacement(type, first!, { [first!]: "x" }, { [second!]: "x" });
    },
  );

  it.each((rule.updatesInPlace ?? []).map((p) => [p]))("updates %s in place", (path) => {
    expect(rule.replaceOnAnyChange).toBeFalsy();
    expectUpdate(type, path, withValue(path, "before"), withValue(path, "after"));
  });

  it("uses only inputs the provider's SDK declares", () => {
    const declared = declaredInputs(type);
    const paths = [
      ...rule.forcesReplacement,
      ...(rule.updatesInPlace ?? []),
      ...(rule.forcesReplacementWhen ?? []).flatMap((c) => [c.property, ...(c.when ? [c.when.input] : [])]),
      ...(rule.exclusiveGroups ?? []).flat(),
      ...(rule.autoName ? [rule.autoName.property] : []),
    ];
    for (const path of paths) expect(declared, `${type}: ${path}`).toContain(path.split(".")[0]);
  });
});

/** The input names of a type's `...Args` interface in its Node.js SDK. */
function declaredInputs(type: string): string[] {
  const [pkg = "", module = "", name = ""] = type.split(":");
  const isProvider = pkg === "pulumi" && module === "providers";
  // `aws:ec2/instance:Instance` lives in ec2/instance.d.ts, `command:local:Command` in local/command.d.ts
  const file = isProvider
    ? "provider"
    : module.includes("/")
      ? module.replace(/^index\//, "")
      : `${module}/${name[0]!.toLowerCase()}${name.slice(1)}`;
  const text = readFileSync(
    join(ROOT, "node_modules/@pulumi", isProvider ? name : pkg, `${file}.d.ts`),
    "utf8",
  );
  const body = text.slice(text.indexOf(`export interface ${isProvider ? "Provider" : name}Args {`));
  return [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]!);
}

describe("replacingInputs", () => {
  it("ignores key order, absent versus null, and unknown types", () => {
    const type = "aws:ec2/instance:Instance";
    expect(
      replacingInputs(
        type,
        { rootBlockDevice: { encrypted: true, kmsKeyId: null } },
        { rootBlockDevice: { encrypted: true } },
      ),
    ).toEqual([]);
    expect(
      replacingInputs(type, { ami: "a", tags: { A: "1", B: "2" } }, { tags: { B: "2", A: "1" }, ami: "a" }),
    ).toEqual([]);
    expect(replacingInputs("example:index:Thing", { a: 1 }, { a: 2 })).toEqual([]);
  });

  it("replaces an instance for user data only when userDataReplaceOnChange is set", () => {
    const type = "aws:ec2/instance:Instance";
    expect(replacingInputs(type, { userData: "a" }, { userData: "b" })).toEqual([]);
    expect(
      replacingInputs(
        type,
        { userData: "a", userDataReplaceOnChange: true },
        { userData: "b", userDataReplaceOnChange: true },
      ),
    ).toEqual(["userData"]);
  });

  it("reads nested paths through lists", () => {
    const type = "aws:ec2/instance:Instance";
    expect(
      replacingInputs(
        type,
        { rootBlockDevice: { encrypted: true, volumeSize: 8 } },
        { rootBlockDevice: { encrypted: false, volumeSize: 20 } },
      ),
    ).toEqual(["rootBlockDevice.encrypted"]);
    expect(replacingInputs(type, { cpuOptions: { coreCount: 2 } }, { cpuOptions: { coreCount: 4 } })).toEqual(
      ["cpuOptions.coreCount"],
    );
  });
});

describe("generated names", () => {
  const named = entries.filter(([, rule]) => rule.autoName);

  it.each(named)("%s: <name>-<7 hex>, within the limit, following a replacement", (type, rule) => {
    const { property, maxLength = Infinity, lowercase } = rule.autoName!;
    const generated = MockCloud.generatedName(type, "Web-1", {})[property]!;
    expect(generated).toMatch(new RegExp(`^${lowercase ? "web-1" : "Web-1"}-[0-9a-f]{7}$`));
    expect(MockCloud.generatedName(type, "Web-1", { [property]: "fixed" })).toEqual({});

    const long = "a".repeat(300);
    const cut = MockCloud.generatedName(type, long, {})[property]!;
    expect(cut.length).toBeLessThanOrEqual(maxLength);
    expect(cut).toMatch(/-[0-9a-f]{7}$/);
    expect(MockCloud.autoNameFits(type, long)).toBe(maxLength === Infinity);
    expect(MockCloud.autoNameFits(type, "web")).toBe(true);

    const forcing = rule.forcesReplacement.find((p) => p !== property && !p.includes("."));
    if (forcing) {
      expect(MockCloud.generatedName(type, "web", { [forcing]: "b" })).not.toEqual(
        MockCloud.generatedName(type, "web", { [forcing]: "a" }),
      );
    }
  });

  it("keeps a key pair's generated name through a tag change and changes it with the public key", () => {
    const type = "aws:ec2/keyPair:KeyPair";
    const name = (inputs: Record<string, unknown>) =>
      MockCloud.generatedName(type, "deployer", inputs).keyName;
    expect(name({ publicKey: "ssh-ed25519 A", tags: { a: "1" } })).toBe(
      name({ publicKey: "ssh-ed25519 A", tags: { a: "2" } }),
    );
    expect(name({ publicKey: "ssh-ed25519 B" })).not.toBe(name({ publicKey: "ssh-ed25519 A" }));
  });
});

describe("mock cloud addresses", () => {
  const SUBNET = "aws:ec2/subnet:Subnet";
  const INSTANCE = "aws:ec2/instance:Instance";

  function cloudWithSubnet() {
    const cloud = new MockCloud("eu-west-1");
    const subnet = cloud.newResource({
      type: SUBNET,
      name: "private-0",
      inputs: { vpcId: "vpc-1", cidrBlock: "10.0.8.0/24", availabilityZone: "eu-west-1a" },
      custom: true,
    });
    return { cloud, subnetId: subnet.id! };
  }

  const inside = (ip: string, cidr: string) => {
    const net = parseIpv4Cidr(cidr);
    const addr = parseIpv4Cidr(`${ip}/32`);
    if (typeof net === "string" || typeof addr === "string") throw new Error("bad address");
    const offset = addr.address - net.address;
    return offset >= 4 && offset < 2 ** (32 - net.prefix) - 1;
  };

  it("gives a replaced instance a new id and new addresses inside its subnet; an update keeps them", () => {
    const { cloud, subnetId } = cloudWithSubnet();
    const base = { subnetId, instanceType: "c6i.large", associatePublicIpAddress: true };
    const first = cloud.newResource({
      type: INSTANCE,
      name: "app",
      inputs: { ...base, ami: "ami-1" },
      custom: true,
    });
    const replaced = cloud.newResource({
      type: INSTANCE,
      name: "app",
      inputs: { ...base, ami: "ami-2" },
      custom: true,
    });
    expect(replaced.id).not.toBe(first.id);
    expect(replaced.state.privateIp).not.toBe(first.state.privateIp);
    expect(replaced.state.publicIp).not.toBe(first.state.publicIp);
    for (const r of [first, replaced]) expect(inside(String(r.state.privateIp), "10.0.8.0/24")).toBe(true);

    const again = cloudWithSubnet();
    const resized = again.cloud.newResource({
      type: INSTANCE,
      name: "app",
      inputs: { ...base, subnetId: again.subnetId, ami: "ami-1", instanceType: "c6i.xlarge" },
      custom: true,
    });
    expect(again.subnetId).toBe(subnetId);
    expect(resized.id).toBe(first.id);
    expect(resized.state.privateIp).toBe(first.state.privateIp);
    expect(resized.state.publicIp).toBe(first.state.publicIp);
  });

  it("keeps addresses unique within a run and identical across runs", () => {
    const run = () => {
      const { cloud, subnetId } = cloudWithSubnet();
      return Array.from({ length: 40 }, (_, i) =>
        String(
          cloud.newResource({
            type: INSTANCE,
            name: `app-${i}`,
            inputs: { subnetId, ami: "ami-1" },
            custom: true,
          }).state.privateIp,
        ),
      );
    };
    const first = run();
    expect(new Set(first).size).toBe(40);
    expect(run()).toEqual(first);
  });

  it("keeps an elastic IP's address when it moves to another instance, not when it is replaced", () => {
    const eip = (inputs: Record<string, unknown>) =>
      new MockCloud("eu-west-1").newResource({ type: "aws:ec2/eip:Eip", name: "lb-0", inputs, custom: true })
        .state.publicIp;
    expect(eip({ domain: "vpc", instance: "i-2" })).toBe(eip({ domain: "vpc", instance: "i-1" }));
    expect(eip({ domain: "vpc", networkBorderGroup: "eu-west-1" })).not.toBe(eip({ domain: "vpc" }));
  });

  it("keeps the ids of types without forcing inputs as they were (type and name)", () => {
    expect(MockCloud.idFor("example:index:Thing", "x", { a: 1 })).toBe(
      MockCloud.idFor("example:index:Thing", "x"),
    );
    expect(MockCloud.idFor("aws:iam/role:Role", "r", { assumeRolePolicy: "{}" })).toBe(
      MockCloud.idFor("aws:iam/role:Role", "r"),
    );
  });
});
