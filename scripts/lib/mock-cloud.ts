import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { formatIpv4, parseIpv4Cidr } from "../../config/validators";

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
  /** Inputs as the engine received them; secrets still wrapped (see redact()). */
  inputs: Record<string, unknown>;
}

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

/**
 * A deterministic fake AWS: IDs and addresses derive from resource names, so two runs give the same
 * bytes, and addresses are plausible (an instance's private IP lies inside its subnet).
 */
export class MockCloud implements pulumi.runtime.Mocks {
  readonly records: RecordedResource[] = [];
  private readonly subnetCidrs = new Map<string, string>();
  private readonly usedAddresses = new Set<string>();

  constructor(private readonly region: string) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
    const id = MockCloud.idFor(args.type, args.name);
    const state: Record<string, unknown> = {
      ...args.inputs,
      ...this.computedState(args.type, args.name, id, inputs),
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

  /** The id the mock gives a resource (tests use it to follow references). */
  static idFor(type: string, name: string): string {
    const prefix: Record<string, string> = {
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
    const p = prefix[type] ?? type.split(":").pop()!.toLowerCase().slice(0, 12);
    return `${p}-${hex(`${type}/${name}`, 17)}`;
  }

  private computedState(
    type: string,
    name: string,
    id: string,
    inputs: Record<string, unknown>,
  ): Record<string, unknown> {
    const arn = `arn:aws:mock:${this.region}:123456789012:${name}`;
    switch (type) {
      case "aws:ec2/subnet:Subnet":
        this.subnetCidrs.set(id, String(inputs.cidrBlock));
        return { arn };
      case "aws:ec2/instance:Instance":
        return { arn, ...this.instanceAddresses(name, String(inputs.subnetId ?? ""), inputs) };
      case "aws:ec2/eip:Eip":
        return { arn, publicIp: `203.0.113.${(hashInt(name) % 250) + 2}`, allocationId: id };
      case "aws:lb/loadBalancer:LoadBalancer":
        return {
          arn,
          dnsName: `${name}-${hex(name, 8)}.elb.${this.region}.amazonaws.com`,
          zoneId: "Z2IFOLAFXWLO4F",
        };
      case "random:index/randomPassword:RandomPassword":
      case "random:index/randomString:RandomString": {
        const length = Number(inputs.length ?? 32);
        let result = "";
        for (let i = 0; result.length < length; i++) result += hex(`${name}/${i}`, 64);
        return { result: `mock${result}`.slice(0, length) };
      }
      case "tls:index/privateKey:PrivateKey":
        return {
          privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`,
          publicKeyPem: "mock",
        };
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert":
        return { certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}\n-----END CERTIFICATE-----\n` };
      case "aws:elasticache/replicationGroup:ReplicationGroup":
        return {
          arn,
          primaryEndpointAddress: `master.${name}.${hex(name, 6)}.${this.region}.cache.amazonaws.com`,
          readerEndpointAddress: `replica.${name}.${hex(name, 6)}.${this.region}.cache.amazonaws.com`,
        };
      default:
        return { arn };
    }
  }

  private instanceAddresses(name: string, subnetId: string, inputs: Record<string, unknown>) {
    const cidr = this.subnetCidrs.get(subnetId);
    const parsed = cidr ? parseIpv4Cidr(cidr) : undefined;
    let privateIp = "10.255.255.10";
    if (parsed && typeof parsed !== "string") {
      const usable = 2 ** (32 - parsed.prefix) - 5; // AWS reserves the first four and the last address
      for (let probe = 0; probe < usable; probe++) {
        const candidate = formatIpv4(parsed.address + 4 + ((hashInt(name) + probe) % usable));
        if (!this.usedAddresses.has(candidate)) {
          privateIp = candidate;
          break;
        }
      }
    }
    this.usedAddresses.add(privateIp);
    const publicIp = inputs.associatePublicIpAddress
      ? `198.51.100.${(hashInt(`pub/${name}`) % 250) + 2}`
      : undefined;
    return {
      privateIp,
      privateDns: `ip-${privateIp.replace(/\./g, "-")}.${this.region}.compute.internal`,
      ...(publicIp ? { publicIp } : {}),
    };
  }
}
