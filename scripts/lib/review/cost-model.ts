// Monthly cost per resource and per stack, from a price table that is data (prices-<region>.json:
// region, date, sources) and stated usage assumptions (usage-assumptions.json). Pure but for the
// two readers at the bottom.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PriceTable {
  region: string;
  currency: string;
  /** When the figures were compiled from the sources. */
  date: string;
  basis: string;
  sources: Record<string, string>;
  hoursPerMonth: number;
  ec2InstanceHour: Record<string, number>;
  ebs: Record<string, { gbMonth: number; iopsMonthAbove3000?: number; mbpsMonthAbove125?: number }>;
  natGateway: { hour: number; gbProcessed: number };
  networkLoadBalancer: { hour: number; lcuHour: number };
  publicIpv4Hour: number;
  elasticacheNodeHour: Record<string, number>;
  s3StandardGbMonth: number;
  cloudwatchLogs: { ingestedGb: number; storedGbMonth: number };
}

/** What a price depends on that the stack does not declare. */
export interface UsageAssumptions {
  natGatewayGbPerMonth: number;
  nlbAverageLcu: number;
  backupStoredGb: number;
  flowLogGbPerMonth: number;
}

/** What the estimate reads of a resource (a recorded synth resource is one). */
export interface CostedResource {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface CostLine {
  urn: string;
  type: string;
  name: string;
  /** How the figure is made, e.g. `c6i.2xlarge 730 h + 40 GiB gp3 root`. */
  basis: string;
  monthlyUsd: number;
}

export interface CostEstimate {
  lines: CostLine[];
  totalUsd: number;
  /** Resources without a direct charge (IAM, rules, commands, containers...). */
  uncharged: number;
  prices: Pick<PriceTable, "region" | "date" | "sources" | "basis">;
  usage: UsageAssumptions;
}

/** A price the table lacks, or a table that cannot be read: the CLI prints the message alone. */
export class PriceTableError extends Error {
  override name = "PriceTableError";
}

const num = (value: unknown, fallback = 0) => (typeof value === "number" ? value : fallback);

function priceOf(table: Record<string, number>, key: string, what: string, region: string): number {
  const price = table[key];
  if (price === undefined)
    throw new PriceTableError(
      `no ${what} price for "${key}" in scripts/lib/review/prices-${region}.json; add it from the source named there`,
    );
  return price;
}

function ebsMonthly(prices: PriceTable, type: string, sizeGb: number, iops = 0, throughput = 0): number {
  const p = prices.ebs[type];
  if (!p)
    throw new PriceTableError(
      `no EBS "${type}" price in scripts/lib/review/prices-${prices.region}.json; add it from the source named there`,
    );
  return (
    sizeGb * p.gbMonth +
    Math.max(0, iops - 3000) * (p.iopsMonthAbove3000 ?? 0) +
    Math.max(0, throughput - 125) * (p.mbpsMonthAbove125 ?? 0)
  );
}

type Pricer = (
  r: CostedResource,
  prices: PriceTable,
  usage: UsageAssumptions,
) => Omit<CostLine, "urn" | "type" | "name">;

const PRICERS: Record<string, Pricer> = {
  "aws:ec2/instance:Instance": (r, p) => {
    const type = String(r.inputs.instanceType);
    const root = (r.inputs.rootBlockDevice ?? {}) as Record<string, unknown>;
    const rootGb = num(root.volumeSize, 8);
    const rootType = typeof root.volumeType === "string" ? root.volumeType : "gp3";
    const compute = priceOf(p.ec2InstanceHour, type, "EC2 instance", p.region) * p.hoursPerMonth;
    const rootCost = ebsMonthly(p, rootType, rootGb, num(root.iops), num(root.throughput));
    const publicIp = r.inputs.associatePublicIpAddress === true ? p.publicIpv4Hour * p.hoursPerMonth : 0;
    return {
      basis: `${type} ${p.hoursPerMonth} h + ${rootGb} GiB ${rootType} root${publicIp ? " + public IPv4" : ""}`,
      monthlyUsd: compute + rootCost + publicIp,
    };
  },
  "aws:ebs/volume:Volume": (r, p) => {
    const type = typeof r.inputs.type === "string" ? r.inputs.type : "gp3";
    const size = num(r.inputs.size);
    const iops = num(r.inputs.iops, 3000);
    const throughput = num(r.inputs.throughput, 125);
    return {
      basis: `${size} GiB ${type}, ${iops} IOPS, ${throughput} MB/s`,
      monthlyUsd: ebsMonthly(p, type, size, iops, throughput),
    };
  },
  "aws:ec2/natGateway:NatGateway": (_r, p, u) => ({
    basis: `${p.hoursPerMonth} h + ${u.natGatewayGbPerMonth} GB processed (assumed)`,
    monthlyUsd: p.natGateway.hour * p.hoursPerMonth + p.natGateway.gbProcessed * u.natGatewayGbPerMonth,
  }),
  "aws:ec2/eip:Eip": (_r, p) => ({
    basis: `public IPv4 address ${p.hoursPerMonth} h`,
    monthlyUsd: p.publicIpv4Hour * p.hoursPerMonth,
  }),
  "aws:lb/loadBalancer:LoadBalancer": (r, p, u) => {
    const zones = Array.isArray(r.inputs.subnets) ? r.inputs.subnets.length : 1;
    const publicIps = r.inputs.internal === true ? 0 : zones;
    const hours = p.hoursPerMonth;
    return {
      basis: `NLB ${hours} h + ${u.nlbAverageLcu} LCU average (assumed) + ${publicIps} public IPv4`,
      monthlyUsd:
        p.networkLoadBalancer.hour * hours +
        p.networkLoadBalancer.lcuHour * u.nlbAverageLcu * hours +
        publicIps * p.publicIpv4Hour * hours,
    };
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": (r, p) => {
    const nodeType = String(r.inputs.nodeType);
    const nodes = num(r.inputs.numCacheClusters, 1);
    const hour = priceOf(p.elasticacheNodeHour, nodeType, "ElastiCache node", p.region);
    return {
      basis: `${nodes} × ${nodeType} ${p.hoursPerMonth} h`,
      monthlyUsd: nodes * hour * p.hoursPerMonth,
    };
  },
  "aws:s3/bucket:Bucket": (_r, p, u) => ({
    basis: `${u.backupStoredGb} GB stored (assumed), S3 Standard`,
    monthlyUsd: u.backupStoredGb * p.s3StandardGbMonth,
  }),
  "aws:cloudwatch/logGroup:LogGroup": (r, p, u) => {
    const retentionDays = num(r.inputs.retentionInDays, 30);
    const storedGb = (u.flowLogGbPerMonth * retentionDays) / 30;
    return {
      basis: `${u.flowLogGbPerMonth} GB/month ingested (assumed), ${retentionDays} days kept`,
      monthlyUsd:
        u.flowLogGbPerMonth * p.cloudwatchLogs.ingestedGb + storedGb * p.cloudwatchLogs.storedGbMonth,
    };
  },
};

/** The monthly estimate of a set of resources (a synth's, or a preview's new states). */
export function estimateCost(
  resources: readonly CostedResource[],
  prices: PriceTable,
  usage: UsageAssumptions,
): CostEstimate {
  const lines: CostLine[] = [];
  let uncharged = 0;
  for (const r of resources) {
    const pricer = PRICERS[r.type];
    if (!pricer) {
      uncharged++;
      continue;
    }
    lines.push({ urn: r.urn, type: r.type, name: r.name, ...pricer(r, prices, usage) });
  }
  lines.sort((a, b) => b.monthlyUsd - a.monthlyUsd || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { region, date, sources, basis } = prices;
  return {
    lines,
    totalUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0),
    uncharged,
    prices: { region, date, sources, basis },
    usage,
  };
}

export interface CostDeltaLine {
  type: string;
  name: string;
  baseUsd: number;
  prUsd: number;
  deltaUsd: number;
}

/** Per resource (by URN) what the change adds or saves; only resources whose cost moves. */
export function costDelta(base: CostEstimate, pr: CostEstimate): CostDeltaLine[] {
  const old = new Map(base.lines.map((l) => [l.urn, l]));
  const next = new Map(pr.lines.map((l) => [l.urn, l]));
  const urns = [...new Set([...old.keys(), ...next.keys()])];
  return urns
    .map((urn) => {
      const line = next.get(urn) ?? old.get(urn)!;
      const baseUsd = old.get(urn)?.monthlyUsd ?? 0;
      const prUsd = next.get(urn)?.monthlyUsd ?? 0;
      return { type: line.type, name: line.name, baseUsd, prUsd, deltaUsd: prUsd - baseUsd };
    })
    .filter((l) => Math.abs(l.deltaUsd) >= 0.005)
    .sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) || (a.name < b.name ? -1 : 1));
}

const HERE = __dirname;

/** `prices-<region>.json` beside this file; a region without one is an error naming the key. */
export function loadPriceTable(region: string, dir = HERE): PriceTable {
  const file = join(dir, `prices-${region}.json`);
  if (!existsSync(file))
    throw new PriceTableError(
      `no price table for aws:region ${region}: add scripts/lib/review/prices-${region}.json (same shape as prices-eu-west-1.json)`,
    );
  const table = JSON.parse(readFileSync(file, "utf8")) as PriceTable;
  if (table.region !== region)
    throw new PriceTableError(`prices-${region}.json says its region is ${table.region}; fix its "region"`);
  return table;
}

/** The usage assumptions of a stack: its own figures over the defaults. */
export function usageFor(stack: string, dir = HERE): UsageAssumptions {
  const doc = JSON.parse(readFileSync(join(dir, "usage-assumptions.json"), "utf8")) as {
    default: UsageAssumptions;
    stacks: Record<string, Partial<UsageAssumptions>>;
  };
  return { ...doc.default, ...doc.stacks[stack] };
}
