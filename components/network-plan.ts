import { formatIpv4, parseIpv4Cidr, subdivideCidr } from "../config/validators";

export interface ZoneSubnets {
  zoneIndex: number;
  publicCidr: string;
  privateCidr: string;
}

/** The VPC is split in 16 equal blocks: public subnets take blocks 0..5, private ones 8..13. */
export const SUBNET_EXTRA_BITS = 4;
const PRIVATE_OFFSET = 8;

export function planSubnets(vpcCidr: string, zoneCount: number): ZoneSubnets[] {
  if (zoneCount < 1 || zoneCount > PRIVATE_OFFSET) {
    throw new Error(`zone count ${zoneCount} is outside 1..${PRIVATE_OFFSET}`);
  }
  const blocks = subdivideCidr(vpcCidr, SUBNET_EXTRA_BITS);
  return Array.from({ length: zoneCount }, (_, i) => ({
    zoneIndex: i,
    publicCidr: blocks[i]!,
    privateCidr: blocks[PRIVATE_OFFSET + i]!,
  }));
}

/**
 * Every host has a fixed private address, so a replaced host comes back at the same address and
 * nothing that lists hosts (proxy backends, scrape targets) changes with it: without that, replacing
 * one app host would restart both proxies. The addresses come from one /27 of each subnet (its
 * second 32 addresses) that the Network reserves for explicit assignment, so AWS never gives them
 * to another interface (an ElastiCache node, an NLB).
 */
export const HOST_BLOCK = { offset: 32, size: 32, prefix: 27 } as const;

/** Largest subnet prefix that still holds the host block (a /26: 64 addresses). */
export const MAX_SUBNET_PREFIX = 26;

/** Slots in the host block by role: a monitoring host, a load balancer, then the app hosts. */
export const HOST_SLOTS = { monitoring: 0, loadbalancer: 1, firstApp: 2 } as const;

function parsedSubnet(subnetCidr: string) {
  const parsed = parseIpv4Cidr(subnetCidr);
  if (typeof parsed === "string") throw new Error(`subnet ${subnetCidr} ${parsed}`);
  if (parsed.prefix > MAX_SUBNET_PREFIX) {
    throw new Error(`subnet ${subnetCidr} is smaller than /${MAX_SUBNET_PREFIX}: no room for the host block`);
  }
  return parsed;
}

/** The block of a subnet reserved for the stack's hosts. */
export function hostBlock(subnetCidr: string): string {
  const { address } = parsedSubnet(subnetCidr);
  return `${formatIpv4(address + HOST_BLOCK.offset)}/${HOST_BLOCK.prefix}`;
}

/** The fixed address of the host in `slot` of a subnet's host block. */
export function hostAddress(subnetCidr: string, slot: number): string {
  const { address } = parsedSubnet(subnetCidr);
  if (!Number.isInteger(slot) || slot < 0 || slot >= HOST_BLOCK.size) {
    throw new Error(`host slot ${slot} is outside the host block (0..${HOST_BLOCK.size - 1})`);
  }
  return formatIpv4(address + HOST_BLOCK.offset + slot);
}
