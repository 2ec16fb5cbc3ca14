import { subdivideCidr } from "../config/validators";

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
