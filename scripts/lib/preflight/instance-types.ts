import { TIER_TABLE } from "../../../config/tiers";

/** EC2 On-Demand vCPU quotas by instance family (Service Quotas, service code ec2). */
export const VCPU_QUOTAS: { id: string; name: string; quotaCode: string; families: string[] }[] = [
  {
    id: "vcpu-standard",
    name: "On-Demand Standard (A, C, D, H, I, M, R, T, Z)",
    quotaCode: "L-1216C47A",
    families: ["a", "c", "d", "h", "i", "m", "r", "t", "z"],
  },
  {
    id: "vcpu-g",
    name: "On-Demand G and VT",
    quotaCode: "L-DB2E81BA",
    families: ["g", "vt"],
  },
  { id: "vcpu-p", name: "On-Demand P", quotaCode: "L-417A185B", families: ["p"] },
  { id: "vcpu-x", name: "On-Demand X", quotaCode: "L-7295265B", families: ["x"] },
  { id: "vcpu-f", name: "On-Demand F", quotaCode: "L-74FC7D96", families: ["f"] },
  { id: "vcpu-inf", name: "On-Demand Inf", quotaCode: "L-1945791B", families: ["inf"] },
];

/** vCPUs per EC2 instance type: every type of the tier table (config/tiers.ts), plus a few neighbours. */
export const INSTANCE_VCPUS: Record<string, number> = {
  ...Object.fromEntries(
    Object.values(TIER_TABLE)
      .flatMap((tiers) => Object.values(tiers))
      .filter((spec) => !spec.instanceType.startsWith("cache."))
      .map((spec) => [spec.instanceType, spec.vcpu]),
  ),
  "t3.micro": 2,
  "t3.small": 2,
  "t3.medium": 2,
  "m6i.large": 2,
  "m6i.xlarge": 4,
  "m6i.2xlarge": 8,
  "r6i.large": 2,
  "r6i.xlarge": 4,
};

/** The family letters of an instance type: "c6in.2xlarge" → "c", "inf2.xlarge" → "inf". */
export function instanceFamily(instanceType: string): string {
  return /^([a-z]+?)\d/.exec(instanceType)?.[1] ?? instanceType.split(".")[0] ?? instanceType;
}

/** The vCPU quota an instance type counts against, or undefined when the table has none. */
export function vcpuQuotaOf(instanceType: string): (typeof VCPU_QUOTAS)[number] | undefined {
  const family = instanceFamily(instanceType);
  return VCPU_QUOTAS.find((q) => q.families.includes(family));
}
