// Which inputs force a replacement, per resource type this stack uses, and which physical names the
// provider generates. The offline synth's mock cloud derives IDs and generated names from these
// inputs, so a replacement changes everything downstream of it, as on a real `pulumi up`; the change
// matrix uses the same table to tell an in-place update from a replacement.
//
// Each rule names its source: the provider schema (Terraform `ForceNew` / `RequiresReplace`, Pulumi
// `replaceOnChanges`) of the provider version this project pins. Paths are Pulumi input names;
// `a.b` is a nested property (applied to every element when `a` is a list).
/** A replacement that depends on another input or on the kind of change. */
export interface ConditionalReplacement {
  /** Input (or nested path) whose change can replace the resource. */
  property: string;
  /** Only when this input of the new inputs is truthy, or equals `equals`. */
  when?: { input: string; equals?: unknown };
  /**
   * Which change replaces: any change (default); only removing list elements; only going between
   * empty and non-empty; only from one value to another.
   */
  change?: "any" | "removal" | "emptiness" | { from: unknown; to: unknown };
}

/** What the provider does with one resource type on a changed input. */
export interface ReplacementRule {
  /**
   * Input properties whose change replaces the resource (the provider's ForceNew fields, Pulumi's
   * own options such as `triggers`). A nested path is written `parent.child`.
   */
  forcesReplacement: readonly string[];
  /** Every input change replaces the resource (no in-place update exists). */
  replaceOnAnyChange?: boolean;
  /** Replacements that hold only under a condition. */
  forcesReplacementWhen?: readonly ConditionalReplacement[];
  /** Mutually exclusive inputs: switching which one of a group is set replaces the resource. */
  exclusiveGroups?: readonly (readonly string[])[];
  /** Inputs the provider updates in place (not exhaustive; the tests change each of them). */
  updatesInPlace?: readonly string[];
  /** Output property the provider fills with `<logical name>-<7 hex>` when the input is left unset. */
  autoName?: { property: string; maxLength?: number; lowercase?: boolean };
  /** The provider itself asks the engine to delete the old resource before creating the new one. */
  deleteBeforeReplace?: boolean;
  /** Where the rule comes from (provider documentation page or source). */
  source: string;
  /** What the rule leaves out or approximates. */
  note?: string;
}

/**
 * The inputs whose change between `before` and `after` would make the provider replace a resource
 * of `type` (empty: an in-place update or no change), sorted. Values compare deeply, key order and
 * absent-versus-null ignored; pass both sides with or without secret wrappers alike. Unknown types:
 * every changed input counts as an update, never a replacement.
 */
export function replacingInputs(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  const rule = REPLACEMENT_TABLE[type];
  if (!rule) return [];
  const found = new Set<string>();
  if (rule.replaceOnAnyChange) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!sameValue(before[key], after[key])) found.add(key);
    }
  }
  for (const path of rule.forcesReplacement) {
    if (!sameValue(valueAt(before, path), valueAt(after, path))) found.add(path);
  }
  for (const condition of rule.forcesReplacementWhen ?? []) {
    if (conditionHolds(condition, after) && changeReplaces(condition, before, after)) {
      found.add(condition.property);
    }
  }
  for (const group of rule.exclusiveGroups ?? []) {
    for (const member of group) {
      if (isSet(valueAt(before, member)) !== isSet(valueAt(after, member))) found.add(member);
    }
  }
  return [...found].sort();
}

/**
 * The part of a resource's inputs that its identity depends on: the values of every input whose
 * change replaces it, keyed by path (absent inputs left out). History-dependent conditions (only a
 * removal, only from one value to another) cannot be expressed as a value and are left out; the
 * `emptiness` kind contributes whether the input is empty.
 */
export function replacementIdentity(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const rule = REPLACEMENT_TABLE[type];
  if (!rule) return {};
  const identity: Record<string, unknown> = {};
  const keep = (key: string, value: unknown) => {
    if (isSet(value)) identity[key] = value;
  };
  if (rule.replaceOnAnyChange) for (const [key, value] of Object.entries(inputs)) keep(key, value);
  for (const path of rule.forcesReplacement) keep(path, valueAt(inputs, path));
  for (const condition of rule.forcesReplacementWhen ?? []) {
    if (!conditionHolds(condition, inputs)) continue;
    const change = condition.change ?? "any";
    const value = valueAt(inputs, condition.property);
    if (change === "any") keep(condition.property, value);
    if (change === "emptiness") identity[`${condition.property}?`] = !isEmpty(value);
  }
  for (const group of rule.exclusiveGroups ?? []) {
    identity[`(${group.join("|")})`] = group.filter((member) => isSet(valueAt(inputs, member)));
  }
  return identity;
}

function conditionHolds(condition: ConditionalReplacement, inputs: Record<string, unknown>): boolean {
  if (!condition.when) return true;
  const value = valueAt(inputs, condition.when.input);
  return "equals" in condition.when ? sameValue(value, condition.when.equals) : Boolean(value);
}

function changeReplaces(
  condition: ConditionalReplacement,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): boolean {
  const old = valueAt(before, condition.property);
  const next = valueAt(after, condition.property);
  if (sameValue(old, next)) return false;
  const change = condition.change ?? "any";
  if (change === "any") return true;
  if (change === "emptiness") return isEmpty(old) !== isEmpty(next);
  if (change === "removal") {
    const remaining = Array.isArray(next) ? next.map(canonicalJson) : [];
    return (Array.isArray(old) ? old : []).some((element) => !remaining.includes(canonicalJson(element)));
  }
  return sameValue(old, change.from) && sameValue(next, change.to);
}

/** The value at a dotted path; through a list, the list of the elements' values. */
export function valueAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split(".")) {
    current = step(current, segment);
  }
  return current;
}

function step(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((element) => step(element, key));
  if (value && typeof value === "object") return (value as Record<string, unknown>)[key];
  return undefined;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function isEmpty(value: unknown): boolean {
  if (!isSet(value)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return value === "";
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted and null/undefined members dropped: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? "null";
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => isSet(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value ?? null;
}

// ---------------------------------------------------------------------------------------------
// The table. AWS resources come from the Terraform AWS provider (bridged by pulumi-aws 7); every
// regional AWS resource of provider 6 also takes a `region` input, which forces a new resource.

const TF_AWS = "hashicorp/terraform-provider-aws internal/service";
const PULUMI_AWS = "pulumi/pulumi-aws provider/resources.go";
/** pulumi-aws names every resource with a `name` input `<name>-<7 hex>`, capped at 255 (provider/autonaming.go). */
const DEFAULT_AUTONAME = "pulumi-aws provider/autonaming.go (every `name` input, 255 characters)";

const regional = (...paths: string[]): string[] => [...paths, "region"];
const SG_RULE_SOURCES = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"] as const;

function awsRules(): Record<string, ReplacementRule> {
  return {
    "aws:ec2/instance:Instance": {
      forcesReplacement: regional(
        "ami",
        "associatePublicIpAddress",
        "availabilityZone",
        "cpuOptions.amdSevSnp",
        "cpuOptions.coreCount",
        "cpuOptions.threadsPerCore",
        "ebsBlockDevices",
        "ebsOptimized",
        "enclaveOptions.enabled",
        "ephemeralBlockDevices",
        "hibernation",
        "hostId",
        "ipv6AddressCount",
        "ipv6Addresses",
        "keyName",
        "launchTemplate.id",
        "launchTemplate.name",
        "networkInterfaces",
        "placementGroup",
        "placementPartitionNumber",
        "privateDnsNameOptions",
        "privateIp",
        "rootBlockDevice.encrypted",
        "rootBlockDevice.kmsKeyId",
        "securityGroups",
        "subnetId",
        "tenancy",
      ),
      forcesReplacementWhen: [
        { property: "userData", when: { input: "userDataReplaceOnChange" } },
        { property: "userDataBase64", when: { input: "userDataReplaceOnChange" } },
        { property: "enablePrimaryIpv6", change: { from: true, to: false } },
      ],
      updatesInPlace: [
        "instanceType",
        "vpcSecurityGroupIds",
        "iamInstanceProfile",
        "tags",
        "metadataOptions",
        "monitoring",
        "rootBlockDevice.volumeSize",
        "userDataReplaceOnChange",
      ],
      source: `${TF_AWS}/ec2/ec2_instance.go (ForceNew; CustomizeDiff ForceNewIf user_data when user_data_replace_on_change)`,
      note: "`userData` without `userDataReplaceOnChange` stops and starts the instance in place. `ebsBlockDevices` counts as a whole (all its fields but tags force a new instance).",
    },
    "aws:ec2/keyPair:KeyPair": {
      forcesReplacement: regional("keyName", "keyNamePrefix", "publicKey"),
      updatesInPlace: ["tags"],
      autoName: { property: "keyName", maxLength: 255 },
      source: `${TF_AWS}/ec2/ec2_key_pair.go (ForceNew); ${PULUMI_AWS} AutoName("keyName", 255)`,
    },
    "aws:ec2/eip:Eip": {
      forcesReplacement: regional(
        "address",
        "customerOwnedIpv4Pool",
        "domain",
        "ipamPoolId",
        "networkBorderGroup",
        "publicIpv4Pool",
      ),
      updatesInPlace: ["instance", "networkInterface", "associateWithPrivateIp", "tags"],
      source: `${TF_AWS}/ec2/ec2_eip.go (ForceNew)`,
      note: "Moving the address to another instance re-associates it in place: the public IP stays.",
    },
    "aws:ebs/volume:Volume": {
      forcesReplacement: regional(
        "availabilityZone",
        "encrypted",
        "kmsKeyId",
        "multiAttachEnabled",
        "outpostArn",
        "snapshotId",
      ),
      updatesInPlace: ["size", "type", "iops", "throughput", "finalSnapshot", "tags"],
      source: `${TF_AWS}/ec2/ebs_volume.go (ForceNew; size, type, iops and throughput go through ModifyVolume)`,
    },
    "aws:ec2/volumeAttachment:VolumeAttachment": {
      forcesReplacement: regional("deviceName", "instanceId", "volumeId"),
      updatesInPlace: ["forceDetach", "skipDestroy", "stopInstanceBeforeDetaching"],
      source: `${TF_AWS}/ec2/ec2_volume_attachment.go (ForceNew)`,
      note: "A volume attaches to one instance at a time: a replacement needs deleteBeforeReplace.",
    },
    "aws:ec2/vpc:Vpc": {
      forcesReplacement: regional("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"),
      updatesInPlace: ["enableDnsHostnames", "enableDnsSupport", "tags"],
      source: `${TF_AWS}/ec2/vpc_.go (ForceNew)`,
    },
    "aws:ec2/subnet:Subnet": {
      forcesReplacement: regional(
        "availabilityZone",
        "availabilityZoneId",
        "cidrBlock",
        "ipv6Native",
        "outpostArn",
        "vpcId",
      ),
      updatesInPlace: ["mapPublicIpOnLaunch", "ipv6CidrBlock", "tags"],
      source: `${TF_AWS}/ec2/vpc_subnet.go (ForceNew)`,
    },
    "aws:ec2/internetGateway:InternetGateway": {
      forcesReplacement: regional(),
      updatesInPlace: ["vpcId", "tags"],
      source: `${TF_AWS}/ec2/vpc_internet_gateway.go (vpc_id detaches and attaches in place)`,
    },
    "aws:ec2/natGateway:NatGateway": {
      forcesReplacement: regional("allocationId", "connectivityType", "privateIp", "subnetId"),
      updatesInPlace: ["secondaryAllocationIds", "secondaryPrivateIpAddresses", "tags"],
      source: `${TF_AWS}/ec2/vpc_nat_gateway.go (ForceNew)`,
    },
    "aws:ec2/routeTable:RouteTable": {
      forcesReplacement: regional("vpcId"),
      updatesInPlace: ["routes", "propagatingVgws", "tags"],
      source: `${TF_AWS}/ec2/vpc_route_table.go (ForceNew)`,
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
      forcesReplacement: regional("gatewayId", "subnetId"),
      updatesInPlace: ["routeTableId"],
      source: `${TF_AWS}/ec2/vpc_route_table_association.go (ForceNew; route_table_id via ReplaceRouteTableAssociation)`,
    },
    "aws:ec2/subnetCidrReservation:SubnetCidrReservation": {
      // The resource has no update: every argument is ForceNew.
      forcesReplacement: regional("cidrBlock", "description", "reservationType", "subnetId"),
      source: `${TF_AWS}/ec2/vpc_subnet_cidr_reservation.go (every argument ForceNew)`,
    },
    "aws:ec2/securityGroup:SecurityGroup": {
      forcesReplacement: regional("description", "name", "namePrefix", "vpcId"),
      updatesInPlace: ["ingress", "egress", "revokeRulesOnDelete", "tags"],
      autoName: { property: "name", maxLength: 255 },
      source: `${TF_AWS}/ec2/vpc_security_group.go (ForceNew); ${DEFAULT_AUTONAME}`,
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
      forcesReplacement: regional("vpcId"),
      updatesInPlace: ["ingress", "egress", "revokeRulesOnDelete", "tags"],
      source: `${TF_AWS}/ec2/vpc_default_security_group.go (ForceNew)`,
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
      forcesReplacement: regional("securityGroupId"),
      exclusiveGroups: [SG_RULE_SOURCES],
      updatesInPlace: ["description", "fromPort", "toPort", "ipProtocol", "tags"],
      source: `${TF_AWS}/ec2/vpc_security_group_ingress_rule.go (RequiresReplace; ModifyPlan replaces when the kind of source changes)`,
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
      forcesReplacement: regional("securityGroupId"),
      exclusiveGroups: [SG_RULE_SOURCES],
      updatesInPlace: ["description", "fromPort", "toPort", "ipProtocol", "tags"],
      source: `${TF_AWS}/ec2/vpc_security_group_egress_rule.go (same schema as the ingress rule)`,
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
      forcesReplacement: regional("serviceName", "vpcEndpointType", "vpcId"),
      updatesInPlace: [
        "routeTableIds",
        "subnetIds",
        "securityGroupIds",
        "policy",
        "privateDnsEnabled",
        "tags",
      ],
      source: `${TF_AWS}/ec2/vpc_endpoint.go (ForceNew)`,
    },
    "aws:ec2/flowLog:FlowLog": {
      forcesReplacement: regional(
        "deliverCrossAccountRole",
        "destinationOptions",
        "eniId",
        "iamRoleArn",
        "logDestination",
        "logDestinationType",
        "logFormat",
        "maxAggregationInterval",
        "subnetId",
        "trafficType",
        "transitGatewayAttachmentId",
        "transitGatewayId",
        "vpcId",
      ),
      updatesInPlace: ["tags"],
      source: `${TF_AWS}/ec2/vpc_flow_log.go (every argument but tags is ForceNew)`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
      forcesReplacement: regional("logGroupClass", "name", "namePrefix"),
      updatesInPlace: ["retentionInDays", "kmsKeyId", "skipDestroy", "tags"],
      autoName: { property: "name", maxLength: 255 },
      source: `${TF_AWS}/logs/group.go (ForceNew); ${DEFAULT_AUTONAME}`,
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
      forcesReplacement: regional(
        "atRestEncryptionEnabled",
        "dataTieringEnabled",
        "globalReplicationGroupId",
        "kmsKeyId",
        "networkType",
        "nodeGroupConfigurations",
        "port",
        "replicationGroupId",
        "securityGroupNames",
        "snapshotArns",
        "snapshotName",
        "subnetGroupName",
      ),
      updatesInPlace: [
        "nodeType",
        "numCacheClusters",
        "description",
        "maintenanceWindow",
        "securityGroupIds",
        "transitEncryptionEnabled",
        "authToken",
        "preferredCacheClusterAzs",
        "multiAzEnabled",
        "snapshotRetentionLimit",
        "tags",
      ],
      autoName: { property: "replicationGroupId", maxLength: 40, lowercase: true },
      source: `${TF_AWS}/elasticache/replication_group.go (ForceNew); pulumi-aws makes replicationGroupId optional and generates it (AWS: 1-40 lowercase characters)`,
      note: "An engine or engineVersion downgrade also forces a new group (CustomizeDiff); upgrades are in place.",
    },
    "aws:elasticache/subnetGroup:SubnetGroup": {
      forcesReplacement: regional("name"),
      updatesInPlace: ["description", "subnetIds", "tags"],
      autoName: { property: "name", maxLength: 255, lowercase: true },
      source: `${TF_AWS}/elasticache/subnet_group.go (ForceNew; name stored lowercase); ${DEFAULT_AUTONAME}`,
    },
    "aws:iam/role:Role": {
      forcesReplacement: ["name", "namePrefix", "path"],
      updatesInPlace: [
        "assumeRolePolicy",
        "description",
        "maxSessionDuration",
        "permissionsBoundary",
        "inlinePolicies",
        "managedPolicyArns",
        "forceDetachPolicies",
        "tags",
      ],
      autoName: { property: "name", maxLength: 64 },
      source: `${TF_AWS}/iam/role.go (ForceNew); ${PULUMI_AWS} AutoName("name", 64)`,
    },
    "aws:iam/instanceProfile:InstanceProfile": {
      forcesReplacement: ["name", "namePrefix", "path"],
      updatesInPlace: ["role", "tags"],
      autoName: { property: "name", maxLength: 128 },
      source: `${TF_AWS}/iam/instance_profile.go (ForceNew); ${DEFAULT_AUTONAME}; AWS caps the name at 128`,
    },
    "aws:iam/rolePolicy:RolePolicy": {
      forcesReplacement: ["name", "namePrefix", "role"],
      updatesInPlace: ["policy"],
      autoName: { property: "name", maxLength: 128 },
      source: `${TF_AWS}/iam/role_policy.go (ForceNew); ${DEFAULT_AUTONAME}; AWS caps the name at 128`,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
      forcesReplacement: ["policyArn", "role"],
      replaceOnAnyChange: true,
      deleteBeforeReplace: true,
      source: `${TF_AWS}/iam/role_policy_attachment.go (both arguments ForceNew); ${PULUMI_AWS} DeleteBeforeReplace`,
    },
    "aws:lb/loadBalancer:LoadBalancer": {
      forcesReplacement: regional(
        "customerOwnedIpv4Pool",
        "internal",
        "loadBalancerType",
        "name",
        "namePrefix",
      ),
      forcesReplacementWhen: [
        { property: "subnets", when: { input: "loadBalancerType", equals: "network" }, change: "removal" },
        {
          property: "subnetMappings",
          when: { input: "loadBalancerType", equals: "network" },
          change: "removal",
        },
        {
          property: "securityGroups",
          when: { input: "loadBalancerType", equals: "network" },
          change: "emptiness",
        },
      ],
      updatesInPlace: ["enableCrossZoneLoadBalancing", "idleTimeout", "ipAddressType", "accessLogs", "tags"],
      autoName: { property: "name", maxLength: 32 },
      source: `${TF_AWS}/elbv2/load_balancer.go (ForceNew; customizeDiffLoadBalancerNLB); AWS caps the name at 32`,
      note: "On a network load balancer, removing a subnet or adding the first / removing the last security group replaces it; application load balancers update subnets in place.",
    },
    "aws:lb/targetGroup:TargetGroup": {
      forcesReplacement: regional(
        "ipAddressType",
        "name",
        "namePrefix",
        "port",
        "protocol",
        "protocolVersion",
        "targetControlPort",
        "targetType",
        "vpcId",
      ),
      updatesInPlace: [
        "healthCheck",
        "deregistrationDelay",
        "connectionTermination",
        "preserveClientIp",
        "proxyProtocolV2",
        "stickiness",
        "tags",
      ],
      autoName: { property: "name", maxLength: 32 },
      source: `${TF_AWS}/elbv2/target_group.go (ForceNew); AWS caps the name at 32`,
    },
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": {
      forcesReplacement: regional("availabilityZone", "port", "quicServerId", "targetGroupArn", "targetId"),
      replaceOnAnyChange: true,
      source: `${TF_AWS}/elbv2/target_group_attachment.go (every argument ForceNew)`,
    },
    "aws:lb/listener:Listener": {
      forcesReplacement: regional("loadBalancerArn"),
      updatesInPlace: [
        "port",
        "protocol",
        "defaultActions",
        "certificateArn",
        "sslPolicy",
        "alpnPolicy",
        "tags",
      ],
      source: `${TF_AWS}/elbv2/listener.go (ForceNew)`,
    },
    "aws:route53/record:Record": {
      forcesReplacement: ["name", "zoneId"],
      updatesInPlace: [
        "type",
        "setIdentifier",
        "records",
        "ttl",
        "aliases",
        "healthCheckId",
        "failoverRoutingPolicies",
      ],
      source: `${TF_AWS}/route53/record.go (ForceNew; a changed type or set_identifier is deleted and recreated inside one in-place update)`,
    },
    "aws:route53/healthCheck:HealthCheck": {
      forcesReplacement: ["measureLatency", "referenceName", "requestInterval", "routingControlArn", "type"],
      updatesInPlace: [
        "fqdn",
        "ipAddress",
        "port",
        "resourcePath",
        "failureThreshold",
        "searchString",
        "regions",
        "tags",
      ],
      source: `${TF_AWS}/route53/health_check.go (ForceNew)`,
    },
    "aws:s3/bucket:Bucket": {
      forcesReplacement: regional("bucket", "bucketPrefix", "objectLockEnabled"),
      updatesInPlace: ["forceDestroy", "tags"],
      autoName: { property: "bucket", maxLength: 63, lowercase: true },
      source: `${TF_AWS}/s3/bucket.go (ForceNew); ${PULUMI_AWS} AutoNameTransform("bucket", 63, lowercase)`,
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
      forcesReplacement: regional("bucket", "expectedBucketOwner"),
      updatesInPlace: ["rules", "transitionDefaultMinimumObjectSize"],
      source: `${TF_AWS}/s3/bucket_lifecycle_configuration.go (RequiresReplace)`,
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
      forcesReplacement: regional("bucket"),
      updatesInPlace: ["rule"],
      source: `${TF_AWS}/s3/bucket_ownership_controls.go (ForceNew)`,
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
      forcesReplacement: regional("bucket"),
      updatesInPlace: ["policy"],
      source: `${TF_AWS}/s3/bucket_policy.go (ForceNew)`,
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
      forcesReplacement: regional("bucket"),
      updatesInPlace: ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"],
      source: `${TF_AWS}/s3/bucket_public_access_block.go (ForceNew)`,
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
      forcesReplacement: regional("bucket", "expectedBucketOwner"),
      updatesInPlace: ["rules"],
      source: `${TF_AWS}/s3/bucket_server_side_encryption_configuration.go (ForceNew)`,
    },
    "aws:s3/bucketVersioning:BucketVersioning": {
      forcesReplacement: regional("bucket", "expectedBucketOwner"),
      updatesInPlace: ["versioningConfiguration", "mfa"],
      source: `${TF_AWS}/s3/bucket_versioning.go (ForceNew)`,
    },
    "aws:ssm/parameter:Parameter": {
      forcesReplacement: regional("dataType", "name"),
      forcesReplacementWhen: [{ property: "tier", change: { from: "Advanced", to: "Standard" } }],
      updatesInPlace: ["type", "value", "description", "keyId", "allowedPattern", "tags"],
      autoName: { property: "name", maxLength: 255 },
      source: `${TF_AWS}/ssm/parameter.go (ForceNew; ForceNewIfChange tier Advanced to Standard); ${DEFAULT_AUTONAME}`,
    },
  };
}

// Docker resources come from kreuzwerker/terraform-provider-docker 4.x (bridged by pulumi-docker 5).
const TF_DOCKER = "kreuzwerker/terraform-provider-docker internal/provider";

/** Container inputs the provider changes on a running container (`docker update`) or in its state only. */
const CONTAINER_IN_PLACE = [
  "attach",
  "containerReadRefreshTimeoutMilliseconds",
  "cpuPeriod",
  "cpuQuota",
  "cpuSet",
  "cpuShares",
  "destroyGraceSeconds",
  "deviceReadBps",
  "deviceReadIops",
  "deviceWriteBps",
  "deviceWriteIops",
  "healthcheck",
  "init",
  "logs",
  "maxRetryCount",
  "memory",
  "memoryReservation",
  "memorySwap",
  "mustRun",
  "removeVolumes",
  "restart",
  "rm",
  "start",
  "tmpfs",
  "wait",
  "waitTimeout",
];

function otherRules(): Record<string, ReplacementRule> {
  return {
    "docker:index/container:Container": {
      forcesReplacement: [
        "capabilities",
        "cgroupParent",
        "cgroupnsMode",
        "command",
        "cpus",
        "deviceCgroupRules",
        "devices",
        "deviceRequests",
        "dns",
        "dnsOpts",
        "dnsSearches",
        "domainname",
        "entrypoints",
        "envs",
        "gpus",
        "groupAdds",
        "hostname",
        "hosts",
        "image",
        "ipcMode",
        "labels",
        "logDriver",
        "logOpts",
        "mounts",
        "name",
        "networkMode",
        "networksAdvanced",
        "pidMode",
        "platform",
        "ports",
        "privileged",
        "publishAllPorts",
        "readOnly",
        "runtime",
        "securityOpts",
        "shmSize",
        "stdinOpen",
        "stopSignal",
        "stopTimeout",
        "storageOpts",
        "sysctls",
        "tty",
        "ulimits",
        "uploads",
        "user",
        "usernsMode",
        "volumes",
        "workingDir",
      ],
      updatesInPlace: CONTAINER_IN_PLACE,
      source: `${TF_DOCKER}/resource_docker_container.go v4.5.0 (ForceNew on every argument but those resourceDockerContainerUpdate applies or keeps in state)`,
      note: "deviceCgroupRules is newer than the mirrored schema; like devices it is fixed at creation. A healthcheck change is stored in state only: the running container keeps its old check.",
    },
    "docker:index/remoteImage:RemoteImage": {
      forcesReplacement: ["build", "name", "platform", "pullTriggers", "triggers"],
      updatesInPlace: ["keepLocally", "forceRemove"],
      source: `${TF_DOCKER}/resource_docker_image.go v4.5.0 (ForceNew)`,
    },
    "pulumi:providers:docker": {
      forcesReplacement: [],
      updatesInPlace: ["host", "sshOpts", "registryAuth", "certPath"],
      source:
        "pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go DiffConfig (replaces only on ForcesProviderReplace); pulumi/pulumi-docker provider/resources.go sets none",
      note: "A provider is updated in place, never replaced: what runs on it is not recreated when its host changes.",
    },
    "command:local:Command": {
      forcesReplacement: ["triggers"],
      updatesInPlace: [
        "create",
        "update",
        "delete",
        "stdin",
        "environment",
        "dir",
        "interpreter",
        "logging",
        "assetPaths",
        "archivePaths",
        "addPreviousOutputInEnv",
      ],
      source:
        "pulumi/pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go (only `triggers` is replaceOnChanges; Update runs `update`, or `create` when unset)",
      note: "Any other input change is an update that runs the command again; nothing is ever read back.",
    },
    "random:index/randomPassword:RandomPassword": {
      forcesReplacement: [
        "keepers",
        "length",
        "lower",
        "minLower",
        "minNumeric",
        "minSpecial",
        "minUpper",
        "number",
        "numeric",
        "overrideSpecial",
        "special",
        "upper",
      ],
      replaceOnAnyChange: true,
      source:
        "hashicorp/terraform-provider-random internal/provider/resource_password.go (RequiresReplace on every argument)",
    },
    "tls:index/privateKey:PrivateKey": {
      forcesReplacement: ["algorithm", "ecdsaCurve", "rsaBits"],
      replaceOnAnyChange: true,
      source: "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go (RequiresReplace)",
    },
    "tls:index/selfSignedCert:SelfSignedCert": {
      forcesReplacement: [
        "allowedUses",
        "dnsNames",
        "ipAddresses",
        "isCaCertificate",
        "maxPathLength",
        "privateKeyPem",
        "setAuthorityKeyId",
        "setSubjectKeyId",
        "subject",
        "uris",
        "validityPeriodHours",
      ],
      updatesInPlace: ["earlyRenewalHours"],
      source:
        "hashicorp/terraform-provider-tls internal/provider/resource_self_signed_cert.go (RequiresReplace)",
      note: "Once inside the early-renewal window the certificate is replaced on the next update, whatever changed.",
    },
    "tls:index/certRequest:CertRequest": {
      forcesReplacement: ["dnsNames", "ipAddresses", "privateKeyPem", "subject", "uris"],
      replaceOnAnyChange: true,
      source: "hashicorp/terraform-provider-tls internal/provider/resource_cert_request.go (RequiresReplace)",
    },
    "tls:index/locallySignedCert:LocallySignedCert": {
      forcesReplacement: [
        "allowedUses",
        "caCertPem",
        "caPrivateKeyPem",
        "certRequestPem",
        "isCaCertificate",
        "maxPathLength",
        "setSubjectKeyId",
        "validityPeriodHours",
      ],
      updatesInPlace: ["earlyRenewalHours"],
      source:
        "hashicorp/terraform-provider-tls internal/provider/resource_locally_signed_cert.go (RequiresReplace)",
      note: "Once inside the early-renewal window the certificate is replaced on the next update, whatever changed.",
    },
  };
}

/** Every rule, by Pulumi type token (defined last: the rules above use constants declared before it). */
export const REPLACEMENT_TABLE: Readonly<Record<string, ReplacementRule>> = {
  ...awsRules(),
  ...otherRules(),
};
