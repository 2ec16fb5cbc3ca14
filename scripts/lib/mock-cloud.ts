import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { formatIpv4, parseIpv4Cidr } from "../../config/validators";
import { canonicalJson, REPLACEMENT_TABLE, replacementIdentity } from "./replacement-table";

/** One registered resource as the synth writes it. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  /** Provider reference (`urn::id`) for resources on an explicit provider, else "". */
  provider: string;
  /** Whether the resource is protected from deletion. */
  protect: boolean;
  /** URNs this resource depends on (dependsOn, parent-independent). */
  dependencies: string[];
  /** The options that decide its lifecycle on a later `pulumi up` (empty ones left out). */
  options: RecordedOptions;
  /** Inputs as the engine received them; secrets still wrapped (see redact()). */
  inputs: Record<string, unknown>;
}

/** Resource options as the engine receives them; false and empty values are left out, lists sorted. */
export interface RecordedOptions {
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  ignoreChanges?: string[];
  retainOnDelete?: boolean;
  protect?: boolean;
  customTimeouts?: { create?: string; update?: string; delete?: string; read?: string };
  additionalSecretOutputs?: string[];
  /** Dependencies no input explains: the explicit `dependsOn`, as far as the request tells. */
  dependsOn?: string[];
  /** Every URN the engine would accept as this resource's former URN (own and inherited aliases). */
  aliases?: string[];
  deletedWith?: string;
  replaceWith?: string[];
  replacementTrigger?: unknown;
  hideDiffs?: string[];
  /** Names of the resource hooks bound to each lifecycle step. */
  hooks?: Record<string, string[]>;
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isWrappedSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** Replaces every secret (wrapped at whatever level the engine marked it) by "[secret]". */
export function redact(value: unknown): unknown {
  if (isWrappedSecret(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/** Removes the secret wrappers, keeping the values (for files the synth writes). */
export function unwrapSecrets(value: unknown): unknown {
  if (isWrappedSecret(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function hashInt(seed: string): number {
  return parseInt(hex(seed, 8), 16);
}

/** How AWS prefixes the IDs of the types the tests follow by ID; other types use their own name. */
const ID_PREFIX: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc",
  "aws:ec2/subnet:Subnet": "subnet",
  "aws:ec2/instance:Instance": "i",
  "aws:ec2/securityGroup:SecurityGroup": "sg",
  "aws:ec2/internetGateway:InternetGateway": "igw",
  "aws:ec2/natGateway:NatGateway": "nat",
  "aws:ec2/eip:Eip": "eipalloc",
  "aws:ec2/routeTable:RouteTable": "rtb",
  "aws:ebs/volume:Volume": "vol",
  "aws:ec2/flowLog:FlowLog": "fl",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
};

/**
 * A deterministic fake AWS that replaces like the real one: a resource's ID, its generated name and
 * its addresses derive from its type, its name and the values of the inputs whose change replaces
 * it (scripts/lib/replacement-table.ts), so a replacement shows downstream as it would on a real
 * `pulumi up`, and two runs give the same bytes. Addresses are plausible: an instance's private IP
 * lies inside its subnet and is unique within a run.
 */
export class MockCloud implements pulumi.runtime.Mocks {
  readonly records: RecordedResource[] = [];
  private readonly subnetCidrs = new Map<string, string>();
  private readonly usedAddresses = new Set<string>();

  /**
   * @param stackOutputs outputs of the stacks a program may reference, by fully qualified stack
   *   name; a `StackReference` to one of them reads these (to other names it reads nothing, as before).
   */
  constructor(
    private readonly region: string,
    private readonly stackOutputs: Record<string, Record<string, unknown>> = {},
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const referenced =
      args.type === STACK_REFERENCE ? this.stackOutputs[String(args.inputs.name)] : undefined;
    if (referenced) {
      return {
        id: String(args.inputs.name),
        state: { ...args.inputs, outputs: referenced, secretOutputNames: [] },
      };
    }
    const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
    const seed = MockCloud.identitySeed(args.type, args.name, inputs);
    const id = MockCloud.idFor(args.type, args.name, inputs);
    const generated = MockCloud.generatedName(args.type, args.name, inputs);
    const state: Record<string, unknown> = {
      ...args.inputs,
      ...generated,
      ...this.computedState(args.type, args.name, id, seed, { ...inputs, ...generated }),
    };
    return { id: args.custom === false ? undefined : id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const r = this.region;
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          names: ["a", "b", "c", "d", "e", "f"].map((z) => `${r}${z}`),
          zoneIds: [1, 2, 3, 4, 5, 6].map((i) => `${r.slice(0, 3)}${r.slice(-1)}-az${i}`),
          id: r,
        };
      case "aws:index/getRegion:getRegion":
        return { name: r, region: r, id: r, endpoint: `ec2.${r}.amazonaws.com`, description: r };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: "123456789012",
          arn: "arn:aws:iam::123456789012:user/deployer",
          userId: "AIDAMOCK",
          id: "123456789012",
        };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "aws:ec2/getAmi:getAmi": {
        const arch = JSON.stringify(args.inputs).includes("arm64") ? "arm64" : "x86_64";
        return {
          id: `ami-${hex(JSON.stringify(args.inputs), 17)}`,
          architecture: arch,
          name: "ubuntu-mock",
          imageId: "ami-mock",
        };
      }
      default:
        return {};
    }
  }

  /**
   * The id the mock gives a resource (tests use it to follow references). Pass the recorded inputs:
   * for a type whose identity depends on inputs the name alone gives another id.
   */
  static idFor(type: string, name: string, inputs: Record<string, unknown> = {}): string {
    const prefix = ID_PREFIX[type] ?? type.split(":").pop()!.toLowerCase().slice(0, 12);
    return `${prefix}-${hex(MockCloud.identitySeed(type, name, inputs), 17)}`;
  }

  /** The id of a recorded resource. */
  static idOf(resource: { type: string; name: string; inputs: Record<string, unknown> }): string {
    return MockCloud.idFor(resource.type, resource.name, resource.inputs);
  }

  /** Type and name, plus the values of the replace-forcing inputs when any is set. */
  static identitySeed(type: string, name: string, inputs: Record<string, unknown>): string {
    const identity = replacementIdentity(type, unwrapSecrets(inputs) as Record<string, unknown>);
    const base = `${type}/${name}`;
    return Object.keys(identity).length === 0 ? base : `${base}/${canonicalJson(identity)}`;
  }

  /**
   * The physical name the provider generates when the name input is unset: `<name>-<7 hex>`, the
   * name cut so the whole fits the type's limit. The real provider refuses such a name instead
   * ("name '<name>-' plus 7 random chars is longer than maximum length N"): a stack test should
   * check that logical names leave room (see `autoNameFits`).
   */
  static generatedName(type: string, name: string, inputs: Record<string, unknown>): Record<string, string> {
    const autoName = REPLACEMENT_TABLE[type]?.autoName;
    const plain = unwrapSecrets(inputs) as Record<string, unknown>;
    if (!autoName || (plain[autoName.property] ?? null) !== null) return {};
    const base = autoName.lowercase ? name.toLowerCase() : name;
    const suffix = `-${hex(MockCloud.identitySeed(type, name, inputs), 7)}`;
    const room = autoName.maxLength === undefined ? base.length : autoName.maxLength - suffix.length;
    return { [autoName.property]: base.slice(0, room) + suffix };
  }

  /** Whether the provider can generate a name for `name` (the logical name plus "-" and 7 characters fit). */
  static autoNameFits(type: string, name: string): boolean {
    const maxLength = REPLACEMENT_TABLE[type]?.autoName?.maxLength;
    return maxLength === undefined || name.length + 8 <= maxLength;
  }

  private computedState(
    type: string,
    name: string,
    id: string,
    seed: string,
    inputs: Record<string, unknown>,
  ): Record<string, unknown> {
    const arn = `arn:aws:mock:${this.region}:123456789012:${name}`;
    switch (type) {
      case "aws:ec2/subnet:Subnet":
        this.subnetCidrs.set(id, String(inputs.cidrBlock));
        return { arn };
      case "aws:ec2/instance:Instance":
        return { arn, ...this.instanceAddresses(id, String(inputs.subnetId ?? ""), inputs) };
      case "aws:ec2/eip:Eip":
        return { arn, publicIp: this.uniqueAddress("203.0.113.", id), allocationId: id };
      case "aws:lb/loadBalancer:LoadBalancer":
        return {
          arn,
          dnsName: `${String(inputs.name ?? name)}-${hex(seed, 8)}.elb.${this.region}.amazonaws.com`,
          zoneId: "Z2IFOLAFXWLO4F",
        };
      case "random:index/randomPassword:RandomPassword":
      case "random:index/randomString:RandomString": {
        const length = Number(inputs.length ?? 32);
        let result = "";
        for (let i = 0; result.length < length; i++) result += hex(`${seed}/${i}`, 64);
        return { result: `mock${result}`.slice(0, length) };
      }
      case "tls:index/privateKey:PrivateKey":
        return {
          privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${name}-${hex(seed, 16)}\n-----END PRIVATE KEY-----\n`,
          publicKeyPem: `-----BEGIN PUBLIC KEY-----\nmock-${name}-${hex(seed, 16)}\n-----END PUBLIC KEY-----\n`,
        };
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert":
        return {
          certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}-${hex(seed, 16)}\n-----END CERTIFICATE-----\n`,
        };
      case "aws:elasticache/replicationGroup:ReplicationGroup": {
        const group = String(inputs.replicationGroupId ?? name);
        return {
          arn,
          primaryEndpointAddress: `master.${group}.${hex(seed, 6)}.${this.region}.cache.amazonaws.com`,
          readerEndpointAddress: `replica.${group}.${hex(seed, 6)}.${this.region}.cache.amazonaws.com`,
        };
      }
      default:
        return { arn };
    }
  }

  /** Addresses follow the instance's id: a replaced instance gets new ones, inside the same subnet. */
  private instanceAddresses(id: string, subnetId: string, inputs: Record<string, unknown>) {
    const privateIp =
      typeof inputs.privateIp === "string" ? inputs.privateIp : this.privateAddress(id, subnetId);
    this.usedAddresses.add(privateIp);
    const publicIp = inputs.associatePublicIpAddress
      ? this.uniqueAddress("198.51.100.", `pub/${id}`)
      : undefined;
    return {
      privateIp,
      privateDns: `ip-${privateIp.replace(/\./g, "-")}.${this.region}.compute.internal`,
      ...(publicIp ? { publicIp } : {}),
    };
  }

  private privateAddress(id: string, subnetId: string): string {
    const cidr = this.subnetCidrs.get(subnetId);
    const parsed = cidr ? parseIpv4Cidr(cidr) : undefined;
    if (!parsed || typeof parsed === "string") return "10.255.255.10";
    const usable = 2 ** (32 - parsed.prefix) - 5; // AWS reserves the first four and the last address
    for (let probe = 0; probe < usable; probe++) {
      const candidate = formatIpv4(parsed.address + 4 + ((hashInt(id) + probe) % usable));
      if (!this.usedAddresses.has(candidate)) return candidate;
    }
    return "10.255.255.10";
  }

  /** An address in a documentation /24 (.2 to .251) derived from the seed, unique within the run. */
  private uniqueAddress(prefix: string, seed: string): string {
    for (let probe = 0; probe < 250; probe++) {
      const candidate = `${prefix}${((hashInt(seed) + probe) % 250) + 2}`;
      if (!this.usedAddresses.has(candidate)) {
        this.usedAddresses.add(candidate);
        return candidate;
      }
    }
    return `${prefix}2`;
  }
}
