/** Sizing tiers of the production guide (R2.1), resolved to concrete AWS instance types. */
export const TIERS = ["minimum", "recommended", "performance"] as const;
export type Tier = (typeof TIERS)[number];

/** The host roles that R2.1 sizes. `database` is the Redis tier (ElastiCache node types). */
export const ROLES = ["loadBalancer", "appServer", "database", "monitoring"] as const;
export type Role = (typeof ROLES)[number];

export interface TierSpec {
  /** EC2 instance type, or ElastiCache node type for the database role. */
  instanceType: string;
  /** vCPUs of that type (AWS's published figure). */
  vcpu: number;
  /** Memory of that type in GiB (AWS's published figure). */
  memoryGiB: number;
  /** Peak ("up to") network bandwidth in Gbps (AWS's published figure). */
  networkGbps: number;
  /** Size of the separate encrypted data volume, GiB. */
  dataVolumeGiB: number;
  /** Provisioned IOPS of the gp3 data volume (3000 is gp3's free baseline). */
  dataVolumeIops: number;
  /** CPU architecture the AMI must match. */
  architecture: "x86_64" | "arm64";
}

// c6i has exactly the guide's 1:2 vCPU:GiB ratio; the performance tier uses c6in for its 25 Gbps+
// network. ElastiCache has no 1:2 node types, so the database row takes the smallest m6g that meets
// both figures (R2.1 is a floor, not an exact size).
export const TIER_TABLE: Record<Role, Record<Tier, TierSpec>> = {
  loadBalancer: {
    minimum: spec("c6i.large", 2, 4, 12.5, 100, 3000),
    recommended: spec("c6i.xlarge", 4, 8, 12.5, 500, 6000),
    performance: spec("c6in.2xlarge", 8, 16, 40, 1000, 12000),
  },
  appServer: {
    minimum: spec("c6i.xlarge", 4, 8, 12.5, 100, 3000),
    recommended: spec("c6i.2xlarge", 8, 16, 12.5, 500, 6000),
    performance: spec("c6in.4xlarge", 16, 32, 50, 1000, 12000),
  },
  database: {
    minimum: spec("cache.m6g.xlarge", 4, 12.93, 10, 0, 0, "arm64"),
    recommended: spec("cache.m6g.2xlarge", 8, 26.04, 10, 0, 0, "arm64"),
    performance: spec("cache.m6g.4xlarge", 16, 52.26, 25, 0, 0, "arm64"),
  },
  monitoring: {
    minimum: spec("c6i.large", 2, 4, 12.5, 100, 3000),
    recommended: spec("c6i.xlarge", 4, 8, 12.5, 500, 6000),
    performance: spec("c6in.2xlarge", 8, 16, 40, 1000, 12000),
  },
};

function spec(
  instanceType: string,
  vcpu: number,
  memoryGiB: number,
  networkGbps: number,
  dataVolumeGiB: number,
  dataVolumeIops: number,
  architecture: TierSpec["architecture"] = "x86_64",
): TierSpec {
  return { instanceType, vcpu, memoryGiB, networkGbps, dataVolumeGiB, dataVolumeIops, architecture };
}

/** The sizing floor of R2.1 per role and tier: vCPU, GiB, and network Gbps; storage GB. */
export const R2_1_FLOOR: Record<Role, Record<Tier, { vcpu: number; memoryGiB: number }>> = {
  loadBalancer: { minimum: f(2, 4), recommended: f(4, 8), performance: f(8, 16) },
  appServer: { minimum: f(4, 8), recommended: f(8, 16), performance: f(16, 32) },
  database: { minimum: f(4, 8), recommended: f(8, 16), performance: f(16, 32) },
  monitoring: { minimum: f(2, 4), recommended: f(4, 8), performance: f(8, 16) },
};
export const R2_1_STORAGE_GB: Record<Tier, number> = { minimum: 100, recommended: 500, performance: 1000 };
export const R2_1_NETWORK_GBPS: Record<Tier, number> = { minimum: 1, recommended: 10, performance: 25 };

function f(vcpu: number, memoryGiB: number) {
  return { vcpu, memoryGiB };
}

export function tierSpec(role: Role, tier: Tier): TierSpec {
  return TIER_TABLE[role][tier];
}
