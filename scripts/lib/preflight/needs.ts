import { INSTANCE_VCPUS, vcpuQuotaOf } from "./instance-types";

/** A synthesized resource as far as the needs are concerned. */
export interface SynthResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** What a stack takes from the account's regional quotas, by quota id (quotas.ts). */
export interface StackNeeds {
  stacks: string[];
  /** Quota id → units the stacks need. */
  byQuota: Record<string, number>;
  /** Instance types the vCPU table does not know (their quota cannot be checked). */
  unknownInstanceTypes: string[];
  /** Names of the stacks' own resources, so usage by them is not counted twice. */
  ownNames: { loadBalancers: string[]; replicationGroups: string[] };
  /** Resource types registered: the permission check derives its actions from them. */
  types: string[];
}

const inputString = (r: SynthResource, key: string) => {
  const value = r.inputs[key];
  return typeof value === "string" ? value : undefined;
};
const inputNumber = (r: SynthResource, key: string) => {
  const value = r.inputs[key];
  return typeof value === "number" ? value : undefined;
};

/** Nodes of a replication group: one per cache cluster, or shards × (1 primary + replicas). */
export function cacheNodes(r: SynthResource): number {
  const clusters = inputNumber(r, "numCacheClusters");
  if (clusters !== undefined) return clusters;
  const shards = inputNumber(r, "numNodeGroups") ?? 1;
  return shards * (1 + (inputNumber(r, "replicasPerNodeGroup") ?? 0));
}

/** Counts what the synthesized resources take from each quota. */
export function needsOf(stack: string, resources: readonly SynthResource[]): StackNeeds {
  const byQuota: Record<string, number> = {};
  const add = (id: string, n: number) => (byQuota[id] = (byQuota[id] ?? 0) + n);
  const unknownInstanceTypes = new Set<string>();
  const ownNames: StackNeeds["ownNames"] = { loadBalancers: [], replicationGroups: [] };
  for (const r of resources) {
    switch (r.type) {
      case "aws:ec2/eip:Eip":
        add("eips", 1);
        break;
      case "aws:ec2/vpc:Vpc":
        add("vpcs", 1);
        break;
      case "aws:ec2/instance:Instance": {
        const type = inputString(r, "instanceType") ?? "";
        const quota = vcpuQuotaOf(type);
        const vcpus = INSTANCE_VCPUS[type];
        if (!quota || vcpus === undefined) unknownInstanceTypes.add(type || `(${r.name}: no instanceType)`);
        else add(quota.id, vcpus);
        break;
      }
      case "aws:lb/loadBalancer:LoadBalancer":
        if (inputString(r, "loadBalancerType") === "network") {
          add("nlbs", 1);
          ownNames.loadBalancers.push(inputString(r, "name") ?? r.name);
        }
        break;
      case "aws:elasticache/replicationGroup:ReplicationGroup":
        add("cache-nodes", cacheNodes(r));
        ownNames.replicationGroups.push(inputString(r, "replicationGroupId") ?? r.name);
        break;
    }
  }
  return {
    stacks: [stack],
    byQuota,
    unknownInstanceTypes: [...unknownInstanceTypes].sort(),
    ownNames,
    types: [...new Set(resources.map((r) => r.type))].sort(),
  };
}

/** The needs of several stacks deployed side by side in one account and region. */
export function sumNeeds(all: readonly StackNeeds[]): StackNeeds {
  const byQuota: Record<string, number> = {};
  for (const needs of all)
    for (const [id, n] of Object.entries(needs.byQuota)) byQuota[id] = (byQuota[id] ?? 0) + n;
  return {
    stacks: all.flatMap((n) => n.stacks),
    byQuota,
    unknownInstanceTypes: [...new Set(all.flatMap((n) => n.unknownInstanceTypes))].sort(),
    ownNames: {
      loadBalancers: all.flatMap((n) => n.ownNames.loadBalancers),
      replicationGroups: all.flatMap((n) => n.ownNames.replicationGroups),
    },
    types: [...new Set(all.flatMap((n) => n.types))].sort(),
  };
}
