import { AwsCallError, type AwsCall } from "../aws-cli";
import { fail, pass, unknown, type CheckResult } from "./checks";
import { INSTANCE_VCPUS, VCPU_QUOTAS, vcpuQuotaOf } from "./instance-types";
import type { StackNeeds } from "./needs";

export interface QuotaSpec {
  /** Key in StackNeeds.byQuota. */
  id: string;
  title: string;
  serviceCode: string;
  quotaCode: string;
  /** AWS's default value, quoted in the docs and the fix. */
  defaultValue?: number;
}

/** The regional quotas a stack can run into, as the Service Quotas API names them. */
export const QUOTAS: QuotaSpec[] = [
  { id: "eips", title: "Elastic IPs", serviceCode: "ec2", quotaCode: "L-0263D0A3", defaultValue: 5 },
  ...VCPU_QUOTAS.map((q) => ({
    id: q.id,
    title: `vCPUs: ${q.name}`,
    serviceCode: "ec2",
    quotaCode: q.quotaCode,
  })),
  {
    id: "nlbs",
    title: "Network Load Balancers",
    serviceCode: "elasticloadbalancing",
    quotaCode: "L-69A177A2",
    defaultValue: 50,
  },
  {
    id: "cache-nodes",
    title: "ElastiCache nodes",
    serviceCode: "elasticache",
    quotaCode: "L-DFE45DF3",
    defaultValue: 300,
  },
  { id: "vpcs", title: "VPCs", serviceCode: "vpc", quotaCode: "L-F678F1CE", defaultValue: 5 },
];

/** Quota values given instead of asking the API: "serviceCode/quotaCode" → value (--quotas-file). */
export type QuotaFixture = Record<string, number>;

export interface QuotaValue {
  value: number;
  source: "fixture" | "applied" | "default";
}

/** The account's value of a quota: fixture first, then the applied value, then AWS's default. */
export async function quotaValue(aws: AwsCall, spec: QuotaSpec, fixture?: QuotaFixture): Promise<QuotaValue> {
  const fixed = fixture?.[`${spec.serviceCode}/${spec.quotaCode}`];
  if (fixed !== undefined) return { value: fixed, source: "fixture" };
  const args = ["--service-code", spec.serviceCode, "--quota-code", spec.quotaCode];
  try {
    return { value: readValue(await aws("service-quotas", "get-service-quota", args)), source: "applied" };
  } catch (err) {
    if (!(err instanceof AwsCallError) || err.kind !== "not-found") throw err;
    return {
      value: readValue(await aws("service-quotas", "get-aws-default-service-quota", args)),
      source: "default",
    };
  }
}

function readValue(answer: unknown): number {
  const value = (answer as { Quota?: { Value?: unknown } }).Quota?.Value;
  if (typeof value !== "number")
    throw new AwsCallError("other", "service-quotas", "the answer holds no Quota.Value");
  return value;
}

/** Units of each quota in use by resources that are not the stacks' own. */
export type UsageReader = (needs: StackNeeds) => Promise<Record<string, number>>;

interface Tagged {
  Tags?: { Key?: string; Value?: string }[];
}

function isOwn(resource: Tagged, stacks: string[]): boolean {
  const tag = (key: string) => resource.Tags?.find((t) => t.Key === key)?.Value;
  return tag("Project") === "jairouter" && stacks.includes(tag("Stack") ?? "");
}

/** Reads usage per quota id through describe calls; a quota whose call fails is left out. */
export function awsUsage(aws: AwsCall): UsageReader {
  return async (needs) => {
    const usage: Record<string, number> = {};
    const readers: Record<string, () => Promise<void>> = {
      eips: async () => {
        const answer = (await aws("ec2", "describe-addresses")) as { Addresses?: Tagged[] };
        usage.eips = (answer.Addresses ?? []).filter((a) => !isOwn(a, needs.stacks)).length;
      },
      vcpu: async () => {
        const answer = (await aws("ec2", "describe-instances", [
          "--filters",
          "Name=instance-state-name,Values=pending,running",
        ])) as { Reservations?: { Instances?: (Tagged & InstanceInfo)[] }[] };
        for (const q of VCPU_QUOTAS) usage[q.id] = 0;
        for (const instance of (answer.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
          if (isOwn(instance, needs.stacks)) continue;
          const quota = vcpuQuotaOf(instance.InstanceType ?? "");
          if (quota) usage[quota.id] = (usage[quota.id] ?? 0) + vcpusOf(instance);
        }
      },
      nlbs: async () => {
        const answer = (await aws("elbv2", "describe-load-balancers")) as {
          LoadBalancers?: { Type?: string; LoadBalancerName?: string }[];
        };
        usage.nlbs = (answer.LoadBalancers ?? []).filter(
          (lb) => lb.Type === "network" && !needs.ownNames.loadBalancers.includes(lb.LoadBalancerName ?? ""),
        ).length;
      },
      "cache-nodes": async () => {
        const answer = (await aws("elasticache", "describe-cache-clusters")) as {
          CacheClusters?: { NumCacheNodes?: number; ReplicationGroupId?: string }[];
        };
        usage["cache-nodes"] = (answer.CacheClusters ?? [])
          .filter((c) => !needs.ownNames.replicationGroups.includes(c.ReplicationGroupId ?? ""))
          .reduce((sum, c) => sum + (c.NumCacheNodes ?? 1), 0);
      },
      vpcs: async () => {
        const answer = (await aws("ec2", "describe-vpcs")) as { Vpcs?: (Tagged & { IsDefault?: boolean })[] };
        usage.vpcs = (answer.Vpcs ?? []).filter((v) => !isOwn(v, needs.stacks)).length;
      },
    };
    const wanted = new Set(Object.keys(needs.byQuota).map((id) => (id.startsWith("vcpu-") ? "vcpu" : id)));
    await Promise.all([...wanted].map((key) => readers[key]?.().catch(() => undefined)));
    return usage;
  };
}

interface InstanceInfo {
  InstanceType?: string;
  CpuOptions?: { CoreCount?: number; ThreadsPerCore?: number };
}

function vcpusOf(instance: InstanceInfo): number {
  const { CoreCount, ThreadsPerCore } = instance.CpuOptions ?? {};
  if (CoreCount && ThreadsPerCore) return CoreCount * ThreadsPerCore;
  return INSTANCE_VCPUS[instance.InstanceType ?? ""] ?? 0;
}

/**
 * One quota line: fails when the quota minus what other resources use is below the need, with both
 * numbers; could not check when the quota or the usage could not be read.
 */
export function evaluateQuota(
  spec: QuotaSpec,
  need: number,
  quota: QuotaValue | undefined,
  inUse: number | undefined,
  region: string,
  stacks: string[],
  quotaError?: string,
): CheckResult {
  const title = `${spec.title} (${spec.serviceCode}/${spec.quotaCode})`;
  const whose = stacks.join(" + ");
  if (!quota)
    return unknown(
      "quotas",
      title,
      `cannot read the quota: ${quotaError ?? "no answer"}; ${whose} need ${need}`,
      quotaFix(spec, region, need),
    );
  const from = quota.source === "applied" ? "" : ` [${quota.source}]`;
  if (inUse === undefined) {
    if (quota.value < need)
      return {
        ...fail(
          "quotas",
          title,
          `have ${quota.value} (quota${from}; usage not read), need ${need} for ${whose}`,
          quotaFix(spec, region, need),
        ),
        have: quota.value,
        need,
      };
    return unknown(
      "quotas",
      title,
      `quota ${quota.value}${from} ≥ need ${need}, but current usage could not be read`,
      `grant ${usageAction(spec)} and run again`,
    );
  }
  const available = quota.value - inUse;
  const detail = `have ${available} (quota ${quota.value}${from} − ${inUse} in use), need ${need} for ${whose}`;
  if (available < need)
    return { ...fail("quotas", title, detail, quotaFix(spec, region, inUse + need)), have: available, need };
  return { ...pass("quotas", title, detail), have: available, need };
}

function quotaFix(spec: QuotaSpec, region: string, desired: number): string {
  return `aws service-quotas request-service-quota-increase --region ${region} --service-code ${spec.serviceCode} --quota-code ${spec.quotaCode} --desired-value ${desired} (or free resources)`;
}

function usageAction(spec: QuotaSpec): string {
  if (spec.id === "nlbs") return "elasticloadbalancing:DescribeLoadBalancers";
  if (spec.id === "cache-nodes") return "elasticache:DescribeCacheClusters";
  return spec.id === "eips"
    ? "ec2:DescribeAddresses"
    : spec.id === "vpcs"
      ? "ec2:DescribeVpcs"
      : "ec2:DescribeInstances";
}

/** Every quota line for the stacks' needs. */
export async function checkQuotas(
  aws: AwsCall,
  needs: StackNeeds,
  region: string,
  readUsage: UsageReader,
  fixture?: QuotaFixture,
): Promise<CheckResult[]> {
  const specs = QUOTAS.filter((q) => (needs.byQuota[q.id] ?? 0) > 0);
  const [usage, values] = await Promise.all([
    readUsage(needs),
    Promise.all(
      specs.map((spec) =>
        quotaValue(aws, spec, fixture).then(
          (value) => ({ value, error: undefined }),
          (err: Error) => ({ value: undefined, error: err.message }),
        ),
      ),
    ),
  ]);
  const results = specs.map((spec, i) =>
    evaluateQuota(
      spec,
      needs.byQuota[spec.id] ?? 0,
      values[i]?.value,
      usage[spec.id],
      region,
      needs.stacks,
      values[i]?.error,
    ),
  );
  for (const type of needs.unknownInstanceTypes)
    results.push(
      unknown(
        "quotas",
        `vCPUs of ${type}`,
        `instance type ${type} is not in the vCPU table`,
        "add it to INSTANCE_VCPUS in scripts/lib/preflight/instance-types.ts",
      ),
    );
  return results;
}
