/**
 * The AWS API actions the stack's deployment uses, per resource type, in one table. The preflight
 * simulates them for the deployer (iam simulate-principal-policy) and the account bootstrap
 * (bootstrap/) generates the deploy, preview and drift roles' policies from them, so the two never
 * disagree about what a deploy needs.
 */

export interface ResourceActions {
  /** Describe/Get/List calls a preview or refresh makes to read the resource back. */
  read: string[];
  /** Calls that create, change, tag or delete it. */
  write: string[];
}

const TAGS_EC2: ResourceActions = { read: ["ec2:DescribeTags"], write: ["ec2:CreateTags", "ec2:DeleteTags"] };

/** Actions per Pulumi resource type of the stack (`synthesize` lists the types it registers). */
export const RESOURCE_ACTIONS: Record<string, ResourceActions> = {
  "aws:ec2/vpc:Vpc": {
    read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkAcls"],
    write: ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"],
  },
  "aws:ec2/subnet:Subnet": {
    read: ["ec2:DescribeSubnets"],
    write: ["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"],
  },
  "aws:ec2/subnetCidrReservation:SubnetCidrReservation": {
    read: ["ec2:GetSubnetCidrReservations"],
    write: ["ec2:CreateSubnetCidrReservation", "ec2:DeleteSubnetCidrReservation"],
  },
  "aws:ec2/internetGateway:InternetGateway": {
    read: ["ec2:DescribeInternetGateways"],
    write: [
      "ec2:CreateInternetGateway",
      "ec2:AttachInternetGateway",
      "ec2:DetachInternetGateway",
      "ec2:DeleteInternetGateway",
    ],
  },
  "aws:ec2/eip:Eip": {
    read: ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
    write: ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress"],
  },
  "aws:ec2/natGateway:NatGateway": {
    read: ["ec2:DescribeNatGateways"],
    write: ["ec2:CreateNatGateway", "ec2:DeleteNatGateway"],
  },
  "aws:ec2/routeTable:RouteTable": {
    read: ["ec2:DescribeRouteTables"],
    write: [
      "ec2:CreateRouteTable",
      "ec2:DeleteRouteTable",
      "ec2:CreateRoute",
      "ec2:DeleteRoute",
      "ec2:ReplaceRoute",
    ],
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": {
    read: ["ec2:DescribeRouteTables"],
    write: ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    read: ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"],
    write: ["ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress"],
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
    read: ["ec2:DescribeSecurityGroups"],
    write: ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
    read: ["ec2:DescribeSecurityGroupRules"],
    write: [
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:ModifySecurityGroupRules",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ],
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
    read: ["ec2:DescribeSecurityGroupRules"],
    write: [
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:ModifySecurityGroupRules",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
    ],
  },
  "aws:ec2/flowLog:FlowLog": {
    read: ["ec2:DescribeFlowLogs"],
    write: ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"],
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    read: ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeVpcEndpointServices"],
    write: ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"],
  },
  "aws:ec2/instance:Instance": {
    read: [
      "ec2:DescribeInstances",
      "ec2:DescribeInstanceAttribute",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeInstanceCreditSpecifications",
      "ec2:DescribeImages",
      "ec2:DescribeVolumes",
    ],
    write: [
      "ec2:RunInstances",
      "ec2:TerminateInstances",
      "ec2:StopInstances",
      "ec2:StartInstances",
      "ec2:ModifyInstanceAttribute",
      "ec2:ModifyInstanceMetadataOptions",
      "ec2:AssociateIamInstanceProfile",
      "ec2:DisassociateIamInstanceProfile",
    ],
  },
  "aws:ebs/volume:Volume": {
    read: ["ec2:DescribeVolumes", "ec2:DescribeVolumesModifications"],
    write: ["ec2:CreateVolume", "ec2:DeleteVolume", "ec2:ModifyVolume"],
  },
  "aws:ec2/volumeAttachment:VolumeAttachment": {
    read: ["ec2:DescribeVolumes"],
    write: ["ec2:AttachVolume", "ec2:DetachVolume"],
  },
  "aws:ec2/keyPair:KeyPair": {
    read: ["ec2:DescribeKeyPairs"],
    write: ["ec2:ImportKeyPair", "ec2:DeleteKeyPair"],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    write: [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
    ],
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    read: [
      "elasticache:DescribeReplicationGroups",
      "elasticache:DescribeCacheClusters",
      "elasticache:ListTagsForResource",
    ],
    write: [
      "elasticache:CreateReplicationGroup",
      "elasticache:ModifyReplicationGroup",
      "elasticache:DeleteReplicationGroup",
      "elasticache:AddTagsToResource",
      "elasticache:RemoveTagsFromResource",
    ],
  },
  "aws:elasticache/subnetGroup:SubnetGroup": {
    read: ["elasticache:DescribeCacheSubnetGroups"],
    write: [
      "elasticache:CreateCacheSubnetGroup",
      "elasticache:ModifyCacheSubnetGroup",
      "elasticache:DeleteCacheSubnetGroup",
    ],
  },
  "aws:iam/role:Role": {
    read: [
      "iam:GetRole",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
    ],
    write: [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": {
    read: ["iam:GetRolePolicy"],
    write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    read: ["iam:ListAttachedRolePolicies"],
    write: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    read: ["iam:GetInstanceProfile"],
    write: [
      "iam:CreateInstanceProfile",
      "iam:DeleteInstanceProfile",
      "iam:AddRoleToInstanceProfile",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagInstanceProfile",
    ],
  },
  "aws:lb/loadBalancer:LoadBalancer": {
    read: [
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeTags",
    ],
    write: [
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
    ],
  },
  "aws:lb/listener:Listener": {
    read: ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes"],
    write: [
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:DeleteListener",
    ],
  },
  "aws:lb/targetGroup:TargetGroup": {
    read: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes"],
    write: [
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:DeleteTargetGroup",
    ],
  },
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": {
    read: ["elasticloadbalancing:DescribeTargetHealth"],
    write: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
  },
  "aws:s3/bucket:Bucket": {
    read: [
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:GetBucketTagging",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketLogging",
      "s3:GetBucketRequestPayment",
      "s3:GetAccelerateConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:GetBucketObjectLockConfiguration",
    ],
    write: ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging"],
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    read: ["s3:GetLifecycleConfiguration"],
    write: ["s3:PutLifecycleConfiguration"],
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    read: ["s3:GetBucketOwnershipControls"],
    write: ["s3:PutBucketOwnershipControls"],
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    read: ["s3:GetBucketPolicy"],
    write: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    read: ["s3:GetBucketPublicAccessBlock"],
    write: ["s3:PutBucketPublicAccessBlock"],
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    read: ["s3:GetEncryptionConfiguration"],
    write: ["s3:PutEncryptionConfiguration"],
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    read: ["s3:GetBucketVersioning"],
    write: ["s3:PutBucketVersioning"],
  },
  "aws:ssm/parameter:Parameter": {
    read: ["ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters", "ssm:ListTagsForResource"],
    write: ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
  },
};

/** Reads the program makes whatever it registers: data sources (zones, region, caller, AMI). */
export const PROGRAM_READ_ACTIONS = [
  "sts:GetCallerIdentity",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeRegions",
  "ec2:DescribeImages",
  ...TAGS_EC2.read,
];

/** Writes every EC2 resource of the stack makes to tag itself. */
export const EC2_TAG_WRITE_ACTIONS = TAGS_EC2.write;

/** What the preflight itself reads: quotas and usage (every role runs it). */
export const PREFLIGHT_READ_ACTIONS = [
  "servicequotas:GetServiceQuota",
  "servicequotas:GetAWSDefaultServiceQuota",
  "ec2:DescribeAddresses",
  "ec2:DescribeInstances",
  "ec2:DescribeVpcs",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticache:DescribeCacheClusters",
];

/** The preflight's permission check (deploy role only: it reveals what any principal may do). */
export const PREFLIGHT_SIMULATE_ACTION = "iam:SimulatePrincipalPolicy";

/** The SSM session the deployer's ssh opens to each host (components/ssh.ts). */
export const SSH_DOCUMENT = "AWS-StartSSHSession";
export const SESSION_ACTIONS = ["ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession"];

/** Hands the hosts' and the flow log's roles to their services. */
export const PASS_ROLE_ACTION = "iam:PassRole";
export const PASSED_TO_SERVICES = ["ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"];

/** ElastiCache and ELB create their service-linked role on first use in an account. */
export const SERVICE_LINKED_ROLE_ACTION = "iam:CreateServiceLinkedRole";
export const SERVICE_LINKED_ROLE_SERVICES = [
  "elasticache.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
];

/** Name prefix of every resource the stack names (`jr-<stack>-…`). */
export const STACK_NAME_PREFIX = "jr-";

/** Resource types that open an SSH session through SSM when they run. */
const SESSION_TYPES = new Set(["command:local:Command", "command:remote:Command", "pulumi:providers:docker"]);

export interface StackActions {
  read: string[];
  write: string[];
  /** Session actions when the stack reaches its hosts over SSM. */
  session: string[];
  /** iam:PassRole and iam:CreateServiceLinkedRole when the stack needs them. */
  iamSpecial: string[];
  /** Resource types with no entry in RESOURCE_ACTIONS (a new type needs a row). */
  unknownTypes: string[];
}

const sortedUnique = (list: Iterable<string>) => [...new Set(list)].sort();

/** The actions a stack made of these resource types needs. */
export function actionsForTypes(types: Iterable<string>): StackActions {
  const read = new Set(PROGRAM_READ_ACTIONS);
  const write = new Set<string>();
  const unknownTypes = new Set<string>();
  let session = false;
  let ec2 = false;
  let passRole = false;
  let linkedRoles = false;
  for (const type of types) {
    if (SESSION_TYPES.has(type)) session = true;
    if (!type.startsWith("aws:")) continue;
    const entry = RESOURCE_ACTIONS[type];
    if (!entry) {
      unknownTypes.add(type);
      continue;
    }
    entry.read.forEach((a) => read.add(a));
    entry.write.forEach((a) => write.add(a));
    if (type.startsWith("aws:ec2/") || type.startsWith("aws:ebs/") || type.startsWith("aws:vpc/")) ec2 = true;
    if (type === "aws:ec2/instance:Instance" || type === "aws:ec2/flowLog:FlowLog") passRole = true;
    if (type.startsWith("aws:elasticache/") || type === "aws:lb/loadBalancer:LoadBalancer")
      linkedRoles = true;
  }
  if (ec2) EC2_TAG_WRITE_ACTIONS.forEach((a) => write.add(a));
  return {
    read: sortedUnique(read),
    write: sortedUnique(write),
    session: session ? [...SESSION_ACTIONS] : [],
    iamSpecial: [
      ...(passRole ? [PASS_ROLE_ACTION] : []),
      ...(linkedRoles ? [SERVICE_LINKED_ROLE_ACTION] : []),
    ],
    unknownTypes: sortedUnique(unknownTypes),
  };
}

/** Every resource type the table knows: what the bootstrap's roles are granted. */
export const ALL_STACK_TYPES = [...Object.keys(RESOURCE_ACTIONS), ...SESSION_TYPES];

/** Describe*, Get* and List* calls only: what a read-only role may hold. */
export function isReadOnlyAction(action: string): boolean {
  const verb = action.split(":")[1] ?? "";
  return /^(Describe|Get|List)[A-Z]/.test(verb);
}

/** The three roles of the account bootstrap (bootstrap/): what each may do. */
export type RoleKind = "deploy" | "preview" | "drift";

/** One policy statement, with the resource and context the preflight simulates it on. */
export interface Grant {
  sid: string;
  actions: string[];
  resources: string[];
  /** IAM condition block, e.g. { StringEquals: { "iam:PassedToService": [...] } }. */
  condition?: Record<string, Record<string, string[]>>;
  /** A resource ARN the statement must allow (account and region filled in by the preflight). */
  probeResource: (account: string, region: string, stack: string) => string;
  /** Condition keys and values to simulate with. */
  probeContext?: Record<string, string>;
}

const anyResource = () => "*";
const isIamWrite = (a: string) => a.startsWith("iam:");

/**
 * The statements a role holds, built from the stack's actions. The bootstrap writes them as
 * policies (for every resource type the stack can register); the preflight simulates the deploy
 * role's for the resource types one stack registers.
 */
export function grantsFor(role: RoleKind, actions: StackActions): Grant[] {
  const read: Grant = {
    sid: "StackRead",
    actions: sortedUnique([...actions.read, ...PREFLIGHT_READ_ACTIONS]),
    resources: ["*"],
    probeResource: anyResource,
  };
  const sessions: Grant[] = actions.session.length
    ? [
        {
          sid: "HostSshSessions",
          actions: ["ssm:StartSession"],
          resources: ["arn:aws:ec2:*:*:instance/*", `arn:aws:ssm:*::document/${SSH_DOCUMENT}`],
          probeResource: (_account, region) => `arn:aws:ssm:${region}::document/${SSH_DOCUMENT}`,
        },
        {
          sid: "OwnSessions",
          actions: actions.session.filter((a) => a !== "ssm:StartSession"),
          resources: ["arn:aws:ssm:*:*:session/*"],
          probeResource: (account, region) => `arn:aws:ssm:${region}:${account}:session/preflight-probe`,
        },
      ]
    : [];
  if (role === "preview") return [read];
  if (role === "drift") return [read, ...sessions];
  const stackRoles = [
    `arn:aws:iam::*:role/${STACK_NAME_PREFIX}*`,
    `arn:aws:iam::*:instance-profile/${STACK_NAME_PREFIX}*`,
  ];
  const grants: Grant[] = [
    read,
    {
      sid: "StackWrite",
      actions: actions.write.filter((a) => !isIamWrite(a)),
      resources: ["*"],
      probeResource: anyResource,
    },
    {
      sid: "StackRolesWrite",
      actions: actions.write.filter(isIamWrite),
      resources: stackRoles,
      probeResource: (account, _region, stack) =>
        `arn:aws:iam::${account}:role/${STACK_NAME_PREFIX}${stack}-preflight-probe`,
    },
    ...sessions,
    {
      sid: "PreflightSimulation",
      actions: [PREFLIGHT_SIMULATE_ACTION],
      resources: ["*"],
      probeResource: anyResource,
    },
  ];
  if (actions.iamSpecial.includes(PASS_ROLE_ACTION))
    grants.push({
      sid: "PassStackRoles",
      actions: [PASS_ROLE_ACTION],
      resources: [`arn:aws:iam::*:role/${STACK_NAME_PREFIX}*`],
      condition: { StringEquals: { "iam:PassedToService": PASSED_TO_SERVICES } },
      probeResource: (account, _region, stack) =>
        `arn:aws:iam::${account}:role/${STACK_NAME_PREFIX}${stack}-preflight-probe`,
      probeContext: { "iam:PassedToService": PASSED_TO_SERVICES[0]! },
    });
  if (actions.iamSpecial.includes(SERVICE_LINKED_ROLE_ACTION))
    grants.push({
      sid: "ServiceLinkedRoles",
      actions: [SERVICE_LINKED_ROLE_ACTION],
      resources: ["arn:aws:iam::*:role/aws-service-role/*"],
      condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
      probeResource: (account) =>
        `arn:aws:iam::${account}:role/aws-service-role/${SERVICE_LINKED_ROLE_SERVICES[0]!}/AWSServiceRoleForElastiCache`,
      probeContext: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES[0]! },
    });
  return grants.filter((g) => g.actions.length > 0);
}

/** A grant as an IAM policy statement. */
export function statementOf(grant: Grant): Record<string, unknown> {
  return {
    Sid: grant.sid,
    Effect: "Allow",
    Action: grant.actions,
    Resource: grant.resources.length === 1 ? grant.resources[0] : grant.resources,
    ...(grant.condition ? { Condition: grant.condition } : {}),
  };
}
