// What a change of each resource type this stack uses does to the running service: the class of a
// replacement, of a deletion and of an in-place update of given properties. Data over branches:
// classify.ts reads this table and nothing else about types.

/** From most to least disruptive. */
export const RISK_CLASSES = ["state", "traffic", "restart", "safe"] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const RISK_LABELS: Record<RiskClass, string> = {
  state: "replaces or deletes state",
  traffic: "interrupts traffic",
  restart: "restarts a service",
  safe: "safe",
};

export interface UpdateRule {
  /** Top-level properties whose in-place update disrupts. */
  properties: readonly string[];
  risk: RiskClass;
  /** What the provider does on such an update. */
  effect: string;
}

export interface RiskRule {
  /** What the resource holds or carries, as the report names it. */
  holds: string;
  replace: RiskClass;
  delete: RiskClass;
  /** In-place updates that disrupt; any other update is safe. */
  updates?: readonly UpdateRule[];
}

const network = (holds: string, updates?: UpdateRule[]): RiskRule => ({
  holds,
  replace: "traffic",
  delete: "traffic",
  ...(updates ? { updates } : {}),
});
const stateful = (holds: string, updates?: UpdateRule[]): RiskRule => ({
  holds,
  replace: "state",
  delete: "state",
  ...(updates ? { updates } : {}),
});
const harmless = (holds: string): RiskRule => ({ holds, replace: "safe", delete: "safe" });

const SG_RULE_UPDATE: UpdateRule[] = [
  {
    properties: ["fromPort", "toPort", "ipProtocol", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId"],
    risk: "traffic",
    effect: "the rule is rewritten: connections it admits may be refused meanwhile",
  },
];

export const RISK_RULES: Readonly<Record<string, RiskRule>> = {
  "aws:ebs/volume:Volume": stateful("a host's data volume"),
  "aws:s3/bucket:Bucket": stateful("the backup bucket"),
  "aws:s3/bucketV2:BucketV2": stateful("the backup bucket"),
  "aws:elasticache/replicationGroup:ReplicationGroup": stateful("Redis (cache and sessions)", [
    {
      properties: ["nodeType", "engineVersion", "numCacheClusters", "port"],
      risk: "restart",
      effect: "ElastiCache changes the nodes online, with a failover of the primary",
    },
  ]),
  "aws:ec2/eip:Eip": stateful("a public address (NAT egress, allow-listed by model providers)"),
  "aws:lb/loadBalancer:LoadBalancer": stateful("the front door (its DNS name and addresses)", [
    { properties: ["subnets", "subnetMappings"], risk: "traffic", effect: "zones join or leave the NLB" },
  ]),
  "aws:acm/certificate:Certificate": stateful("a certificate"),
  "tls:index/privateKey:PrivateKey": stateful("a private key"),
  "tls:index/selfSignedCert:SelfSignedCert": stateful("a certificate"),
  "tls:index/locallySignedCert:LocallySignedCert": stateful("a certificate"),
  "tls:index/certRequest:CertRequest": stateful("a certificate request"),
  "random:index/randomPassword:RandomPassword": stateful("a generated secret"),
  "aws:ssm/parameter:Parameter": stateful("a parameter (secrets for people and scripts)"),
  "aws:secretsmanager/secret:Secret": stateful("a secret"),
  "aws:ec2/keyPair:KeyPair": stateful("the deployer's SSH key pair"),
  "aws:cloudwatch/logGroup:LogGroup": stateful("a log group (its history)"),
  "aws:ec2/instance:Instance": network("a host", [
    {
      properties: ["instanceType", "userData", "userDataBase64", "ebsOptimized", "cpuOptions", "hibernation"],
      risk: "traffic",
      effect: "EC2 stops and starts the instance in place",
    },
  ]),
  "aws:ec2/volumeAttachment:VolumeAttachment": network("a data volume's attachment to its host"),
  "aws:lb/targetGroup:TargetGroup": network("an NLB target group"),
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": network("a proxy's registration with the NLB"),
  "aws:lb/listener:Listener": network("an NLB listener", [
    {
      properties: ["port", "protocol", "defaultActions", "certificateArn", "sslPolicy", "alpnPolicy"],
      risk: "traffic",
      effect: "the listener is rewritten",
    },
  ]),
  "aws:ec2/vpc:Vpc": network("the VPC"),
  "aws:ec2/subnet:Subnet": network("a subnet"),
  "aws:ec2/routeTable:RouteTable": network("a route table", [
    { properties: ["routes"], risk: "traffic", effect: "routes are rewritten" },
  ]),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": network("a subnet's route table association"),
  "aws:ec2/natGateway:NatGateway": network("a NAT gateway (egress of a zone)"),
  "aws:ec2/internetGateway:InternetGateway": network("the internet gateway"),
  "aws:ec2/securityGroup:SecurityGroup": network("a security group", [
    { properties: ["ingress", "egress"], risk: "traffic", effect: "inline rules are rewritten" },
  ]),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": network("the default security group"),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": network("a firewall rule", SG_RULE_UPDATE),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": network("a firewall rule", SG_RULE_UPDATE),
  "aws:ec2/vpcEndpoint:VpcEndpoint": network("the S3 endpoint (backups' path)"),
  "aws:elasticache/subnetGroup:SubnetGroup": network("Redis's subnet group"),
  "docker:index/container:Container": {
    holds: "a container",
    replace: "restart",
    delete: "restart",
  },
  "pulumi:providers:docker": { holds: "a host's Docker connection", replace: "traffic", delete: "safe" },
  "aws:ec2/subnetCidrReservation:SubnetCidrReservation": harmless("a subnet address reservation"),
  "aws:ec2/flowLog:FlowLog": harmless("the VPC flow log"),
  "docker:index/remoteImage:RemoteImage": harmless("a pulled image"),
  "aws:iam/role:Role": harmless("an IAM role"),
  "aws:iam/instanceProfile:InstanceProfile": harmless("an instance profile"),
  "aws:iam/rolePolicy:RolePolicy": harmless("an IAM policy"),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": harmless("an IAM policy attachment"),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": harmless("the backup lifecycle"),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": harmless("bucket ownership"),
  "aws:s3/bucketPolicy:BucketPolicy": harmless("the bucket policy"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": harmless("the public access block"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
    harmless("bucket encryption"),
  "aws:s3/bucketVersioning:BucketVersioning": harmless("bucket versioning"),
};

/** Commands by what they do on a host (name suffix); the first match wins. */
export const COMMAND_RULES: readonly { name: RegExp; holds: string; risk: RiskClass }[] = [
  { name: /-lb-\d+-activate$/, holds: "a proxy's configuration reload", risk: "restart" },
  { name: /-rotation$/, holds: "an app server's place in the proxies' rotation", risk: "restart" },
  { name: /./, holds: "a command on a host (places a file or checks a gate)", risk: "safe" },
];

/** A type the table does not know: a replacement or deletion is worth a look. */
export const UNKNOWN_TYPE_RULE: RiskRule = {
  holds: "a resource of a type the review has no rule for",
  replace: "restart",
  delete: "restart",
};
