import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { MockCloud } from "../../scripts/lib/mock-cloud";
import { synthesize, type SynthResult } from "../../scripts/lib/synth-core";
import { plainInputs } from "./helpers";

// A small program of its own: the options and the replacement behaviour under test do not depend on
// what the stack registers today.
const INPUT = { stack: "options", region: "eu-west-1", values: {}, secretKeys: [] };
const PREFIX = "urn:pulumi:options::jairouter::";

class Box extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Box", name, {}, opts);
    this.registerOutputs({});
  }
}

function program(publicKey: string) {
  return () => {
    const box = new Box("box", { aliases: [{ name: "old-box" }] });
    const inner = new Box("box-inner", { parent: box });
    const key = new aws.ec2.KeyPair(
      "box-key",
      { publicKey, tags: { Role: "deploy" } },
      {
        parent: box,
        deleteBeforeReplace: true,
        ignoreChanges: ["tags", "publicKey"],
        retainOnDelete: true,
        customTimeouts: { create: "5m", delete: "2m" },
        additionalSecretOutputs: ["fingerprint"],
        aliases: [{ name: "deployer" }, { parent: undefined }],
      },
    );
    const volume = new aws.ebs.Volume(
      "box-inner-data",
      { availabilityZone: "eu-west-1a", size: 10 },
      { parent: inner },
    );
    new aws.ebs.Volume("spare", { availabilityZone: "eu-west-1a", size: 10 });
    new aws.ec2.Instance(
      "host",
      { ami: "ami-1", instanceType: "t3.micro", keyName: key.keyName },
      {
        parent: inner,
        protect: true,
        dependsOn: [volume],
        replaceOnChanges: ["ami", "instanceType"],
        deletedWith: inner,
        hideDiffs: ["userData"],
      },
    );
    return { keyName: key.keyName };
  };
}

const byName = (result: SynthResult, name: string) => result.resources.find((r) => r.name === name)!;

describe("synth records lifecycle options", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthesize(INPUT, program("ssh-ed25519 AAAAfirst"));
  });

  it("records the options of the key pair, lists sorted", () => {
    expect(byName(result, "box-key").options).toEqual({
      deleteBeforeReplace: true,
      ignoreChanges: ["publicKey", "tags"],
      retainOnDelete: true,
      customTimeouts: { create: "5m", delete: "2m" },
      additionalSecretOutputs: ["fingerprint"],
      aliases: [
        `${PREFIX}aws:ec2/keyPair:KeyPair::box-key`,
        `${PREFIX}test:index:Box$aws:ec2/keyPair:KeyPair::deployer`,
        `${PREFIX}test:index:Box$aws:ec2/keyPair:KeyPair::old-box-key`,
      ],
    });
  });

  it("records protect, replaceOnChanges, dependsOn, deletedWith and hideDiffs, and keeps the top-level fields", () => {
    const host = byName(result, "host");
    const volume = byName(result, "box-inner-data");
    const inner = byName(result, "box-inner");
    expect(host.options).toMatchObject({
      protect: true,
      replaceOnChanges: ["ami", "instanceType"],
      dependsOn: [volume.urn],
      deletedWith: inner.urn,
      hideDiffs: ["userData"],
    });
    expect(host.options.dependsOn).not.toContain(byName(result, "box-key").urn); // an input explains it
    expect(host.protect).toBe(true);
    expect(host.dependencies).toEqual([byName(result, "box-key").urn, volume.urn].sort());
  });

  it("leaves options empty where nothing is set, and children inherit their parent's aliases", () => {
    expect(byName(result, "spare").options).toEqual({});
    expect(byName(result, "box").options).toEqual({ aliases: [`${PREFIX}test:index:Box::old-box`] });
    // a child named after its parent follows the parent's old name, down the chain
    expect(byName(result, "box-inner").options).toEqual({
      aliases: [`${PREFIX}test:index:Box$test:index:Box::old-box-inner`],
    });
    expect(byName(result, "box-inner-data").options).toEqual({
      aliases: [`${PREFIX}test:index:Box$test:index:Box$aws:ebs/volume:Volume::old-box-inner-data`],
    });
  });

  it("gives URNs the whole parent type chain, as the engine does", () => {
    expect(byName(result, "host").urn).toBe(
      `${PREFIX}test:index:Box$test:index:Box$aws:ec2/instance:Instance::host`,
    );
    expect(byName(result, "box-inner").urn).toBe(`${PREFIX}test:index:Box$test:index:Box::box-inner`);
  });
});

describe("replacement-faithful mock cloud", () => {
  it("gives a consumer a new generated keyName when the key pair is replaced, and the same one when not", async () => {
    const first = await synthesize(INPUT, program("ssh-ed25519 AAAAfirst"));
    const again = await synthesize(INPUT, program("ssh-ed25519 AAAAfirst"));
    const replaced = await synthesize(INPUT, program("ssh-ed25519 AAAAsecond"));
    const keyName = (r: SynthResult) => plainInputs(byName(r, "host")).keyName as string;

    expect(keyName(first)).toMatch(/^box-key-[0-9a-f]{7}$/);
    expect(keyName(again)).toBe(keyName(first));
    expect(keyName(replaced)).not.toBe(keyName(first));
    expect(first.outputs).toEqual({ keyName: keyName(first) });
    // keyName forces a new instance: the consumer is replaced in turn
    expect(MockCloud.idOf(byName(replaced, "host"))).not.toBe(MockCloud.idOf(byName(first, "host")));
    expect(MockCloud.idOf(byName(again, "host"))).toBe(MockCloud.idOf(byName(first, "host")));
  });
});
