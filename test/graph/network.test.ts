import { beforeAll, describe, expect, it } from "vitest";
import { cidrContains, parseIpv4Cidr } from "../../config/validators";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

function overlaps(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

describe("Network (prod)", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("creates one VPC with the configured CIDR", () => {
    const vpcs = resourcesOf(prod, "aws:ec2/vpc:Vpc");
    expect(vpcs).toHaveLength(1);
    expect(plainInputs(vpcs[0]!).cidrBlock).toBe("10.0.0.0/16");
  });

  it("has a public and a private subnet in each of 3 zones, inside the VPC, not overlapping", () => {
    const subnets = resourcesOf(prod, "aws:ec2/subnet:Subnet").map(plainInputs);
    const publicOnes = subnets.filter((s) => s.tags.Name.includes("-public-"));
    const privateOnes = subnets.filter((s) => s.tags.Name.includes("-private-"));
    expect(publicOnes).toHaveLength(3);
    expect(privateOnes).toHaveLength(3);
    expect(new Set(publicOnes.map((s) => s.availabilityZone)).size).toBe(3);
    expect(new Set(privateOnes.map((s) => s.availabilityZone))).toEqual(
      new Set(publicOnes.map((s) => s.availabilityZone)),
    );
    const cidrs = subnets.map((s) => s.cidrBlock as string);
    for (const cidr of cidrs) {
      expect(typeof parseIpv4Cidr(cidr)).toBe("object");
      expect(cidrContains("10.0.0.0/16", cidr)).toBe(true);
    }
    for (let i = 0; i < cidrs.length; i++) {
      for (let j = i + 1; j < cidrs.length; j++)
        expect(overlaps(cidrs[i]!, cidrs[j]!), `${cidrs[i]} vs ${cidrs[j]}`).toBe(false);
    }
  });

  it("has a NAT gateway per zone and routes each private subnet through its own zone's NAT", () => {
    expect(resourcesOf(prod, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    const privateRoutes = resourcesOf(prod, "aws:ec2/routeTable:RouteTable")
      .map(plainInputs)
      .filter((t) => t.tags.Name.includes("private"));
    const natTargets = privateRoutes.map((t) => t.routes[0].natGatewayId);
    expect(new Set(natTargets).size).toBe(3);
  });

  it("logs all VPC traffic to CloudWatch with the configured retention", () => {
    const flowLogs = resourcesOf(prod, "aws:ec2/flowLog:FlowLog").map(plainInputs);
    expect(flowLogs).toHaveLength(1);
    expect(flowLogs[0]!.trafficType).toBe("ALL");
    expect(plainInputs(resourcesOf(prod, "aws:cloudwatch/logGroup:LogGroup")[0]!).retentionInDays).toBe(90);
  });

  it("strips every rule from the default security group", () => {
    const defaults = resourcesOf(prod, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").map(plainInputs);
    expect(defaults).toHaveLength(1);
    expect(defaults[0]!.ingress ?? []).toEqual([]);
    expect(defaults[0]!.egress ?? []).toEqual([]);
  });
});

describe("Network (staging)", () => {
  it("uses 2 zones and a single NAT gateway", async () => {
    const staging = await synthStack("staging");
    expect(resourcesOf(staging, "aws:ec2/subnet:Subnet")).toHaveLength(4);
    expect(resourcesOf(staging, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
  });
});
