import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "./ports";

export interface CacheArgs {
  /** Private subnets the nodes may use (at least two zones). */
  subnetIds: pulumi.Input<string>[];
  /** Zones of the primary and the replica, in that order; they must differ. */
  zones: [pulumi.Input<string>, pulumi.Input<string>];
  /** The Redis security group (reachable from the app servers only). */
  securityGroupId: pulumi.Input<string>;
  /** ElastiCache node type from the tier table's database row. */
  nodeType: string;
  /** AUTH token (secret). */
  authToken: pulumi.Output<string>;
  /** Tags for every resource. */
  tags: Record<string, string>;
}

/** Redis for the app's cache: a primary and a replica in two zones with automatic failover. */
export class Cache extends pulumi.ComponentResource {
  public readonly host: pulumi.Output<string>;
  public readonly port: number = PORTS.redis;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:data:Cache", name, {}, opts);
    const subnets = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: "JAiRouter Redis (private subnets)", tags: args.tags },
      { parent: this },
    );
    const group = new aws.elasticache.ReplicationGroup(
      `${name}-redis`,
      {
        description: "JAiRouter cache",
        engine: "redis",
        engineVersion: "7.1",
        nodeType: args.nodeType,
        port: PORTS.redis,
        numCacheClusters: 2,
        preferredCacheClusterAzs: args.zones,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: args.authToken,
        subnetGroupName: subnets.name,
        securityGroupIds: [args.securityGroupId],
        snapshotRetentionLimit: 7,
        snapshotWindow: "01:00-02:00", // before the 02:00 configuration backup
        maintenanceWindow: "sun:04:00-sun:05:00",
        autoMinorVersionUpgrade: true,
        applyImmediately: false,
        tags: args.tags,
      },
      { parent: this },
    );
    this.host = group.primaryEndpointAddress;
    this.registerOutputs({ host: this.host });
  }
}
