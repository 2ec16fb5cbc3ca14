import { describe, expect, it } from "vitest";
import { HOST_BLOCK, HOST_SLOTS, hostAddress, hostBlock, planSubnets } from "../../components/network-plan";
import { loadConfig } from "../../config/load";
import { cidrContains } from "../../config/validators";

describe("fixed host addresses", () => {
  it("come from a /27 of each subnet, clear of AWS's reserved first four addresses", () => {
    expect(hostBlock("10.0.128.0/20")).toBe("10.0.128.32/27");
    expect(hostAddress("10.0.128.0/20", HOST_SLOTS.monitoring)).toBe("10.0.128.32");
    expect(hostAddress("10.0.144.0/20", HOST_SLOTS.loadbalancer)).toBe("10.0.144.33");
    expect(hostAddress("10.0.160.0/20", HOST_SLOTS.firstApp)).toBe("10.0.160.34");
  });

  it("fit every subnet the smallest allowed VPC yields, every slot inside its block", () => {
    for (const zone of planSubnets("10.9.0.0/22", 6)) {
      for (const subnet of [zone.publicCidr, zone.privateCidr]) {
        const block = hostBlock(subnet);
        expect(cidrContains(subnet, block), `${block} in ${subnet}`).toBe(true);
        for (const slot of [0, HOST_BLOCK.size - 1]) {
          expect(cidrContains(block, `${hostAddress(subnet, slot)}/32`)).toBe(true);
        }
      }
    }
  });

  it("hold the largest app tier: 50 hosts over 2 zones beside the monitoring host and a proxy", () => {
    const perSubnet = Math.ceil(50 / 2);
    expect(HOST_SLOTS.firstApp + perSubnet - 1).toBeLessThan(HOST_BLOCK.size);
  });

  it("refuse a slot outside the block and a subnet too small for it", () => {
    expect(() => hostAddress("10.0.0.0/20", HOST_BLOCK.size)).toThrow(/outside the host block/);
    expect(() => hostBlock("10.0.0.0/27")).toThrow(/smaller than \/26/);
  });

  it("make the configuration refuse a VPC whose subnets could not hold them", () => {
    const values = {
      "jairouter:environment": "staging",
      "jairouter:domain": JSON.stringify({ name: "api.example.com" }),
      "jairouter:access": JSON.stringify({ sshPublicKey: "ssh-ed25519 AAAA deployer" }),
      "jairouter:network": JSON.stringify({ cidr: "10.0.0.0/24", zones: 2 }),
    };
    expect(() => loadConfig(values)).toThrow(
      /jairouter:network\.cidr: must have a prefix between \/16 and \/22/,
    );
    values["jairouter:network"] = JSON.stringify({ cidr: "10.0.0.0/22", zones: 2 });
    expect(() => loadConfig(values)).not.toThrow();
  });
});
