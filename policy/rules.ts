import { imagePinProblem } from "../config/validators";

/**
 * Policy-as-code rules over one resource's type and inputs. Plain functions, so the graph tests
 * evaluate them on every synthesized resource and the CrossGuard pack (policy/pack) applies the
 * same rules to a real `pulumi preview --policy-pack policy/pack`.
 */
// Resource inputs are untyped JSON as the engine sees them, whatever the resource type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ResourceProps = Record<string, any>;

export interface PolicyRule {
  name: string;
  description: string;
  /** Violations of one resource (empty when it complies). */
  check(type: string, inputs: ResourceProps): string[];
}

const PUBLIC_PORTS = new Set([80, 443]);
const REQUIRED_TAGS = ["Project", "Stack", "Role", "ManagedBy"];
// AWS resources of this stack that take tags; every one must carry the stack's tags.
const TAGGED_TYPES = new Set([
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/instance:Instance",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ebs/volume:Volume",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:iam/role:Role",
  "aws:ssm/parameter:Parameter",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
]);

export const POLICY_RULES: PolicyRule[] = [
  {
    name: "no-world-open-admin-ports",
    description: "Only 80 and 443 may be open to 0.0.0.0/0 or ::/0; SSH, 8080 and exporters never.",
    check(type, r) {
      if (type !== "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") return [];
      const world = r.cidrIpv4 === "0.0.0.0/0" || r.cidrIpv6 === "::/0";
      const ports = r.fromPort === r.toPort ? [r.fromPort] : ["a range"];
      return world && !ports.every((p) => PUBLIC_PORTS.has(p))
        ? [`port ${r.fromPort}-${r.toPort} is open to the whole internet`]
        : [];
    },
  },
  {
    name: "described-firewall-rules",
    description: "Every security group rule says why it exists.",
    check(type, r) {
      if (!type.startsWith("aws:vpc/securityGroup")) return [];
      return typeof r.description === "string" && r.description.length >= 8
        ? []
        : ["rule has no description"];
    },
  },
  {
    name: "imdsv2-only",
    description: "EC2 instances require IMDSv2 tokens.",
    check(type, r) {
      if (type !== "aws:ec2/instance:Instance") return [];
      return r.metadataOptions?.httpTokens === "required" ? [] : ["instance metadata allows IMDSv1"];
    },
  },
  {
    name: "encrypted-storage",
    description: "Root volumes, data volumes and Redis are encrypted.",
    check(type, r) {
      if (type === "aws:ec2/instance:Instance" && r.rootBlockDevice?.encrypted !== true)
        return ["root volume is not encrypted"];
      if (type === "aws:ebs/volume:Volume" && r.encrypted !== true) return ["EBS volume is not encrypted"];
      if (type === "aws:elasticache/replicationGroup:ReplicationGroup") {
        const problems = [];
        if (r.atRestEncryptionEnabled !== true) problems.push("Redis is not encrypted at rest");
        if (r.transitEncryptionEnabled !== true) problems.push("Redis is not encrypted in transit");
        return problems;
      }
      return [];
    },
  },
  {
    name: "no-public-instance-address",
    description:
      "No instance gets an automatic public address, except load balancers behind DNS failover, which are public by design: theirs bridges the seconds until their Elastic IP takes over.",
    check(type, r) {
      const tags = (r.tags ?? {}) as Record<string, unknown>;
      return type === "aws:ec2/instance:Instance" &&
        r.associatePublicIpAddress === true &&
        tags.Role !== "loadbalancer"
        ? ["instance gets an automatic public IP"]
        : [];
    },
  },
  {
    name: "pinned-images",
    description: "Container images carry an exact tag or digest, never `latest`.",
    check(type, r) {
      const ref = type === "docker:index/remoteImage:RemoteImage" ? r.name : undefined;
      if (typeof ref !== "string") return [];
      const problem = imagePinProblem(ref);
      return problem ? [`image "${ref}" ${problem}`] : [];
    },
  },
  {
    name: "hardened-containers",
    description: "Containers drop every capability, forbid privilege gain, and are never privileged.",
    check(type, r) {
      if (type !== "docker:index/container:Container") return [];
      const problems = [];
      if (!(r.capabilities?.drops ?? []).includes("ALL")) problems.push("does not drop all capabilities");
      if (!(r.securityOpts ?? []).includes("no-new-privileges:true")) problems.push("allows privilege gain");
      if (r.privileged === true) problems.push("is privileged");
      if (r.user === undefined || /^0(:|$)|^root/.test(String(r.user))) problems.push("runs as root");
      return problems;
    },
  },
  {
    name: "secure-parameters",
    description: "SSM parameters of the stack are SecureString.",
    check(type, r) {
      return type === "aws:ssm/parameter:Parameter" && r.type !== "SecureString"
        ? ["parameter is not a SecureString"]
        : [];
    },
  },
  {
    name: "stack-tags",
    description: `Taggable resources carry ${REQUIRED_TAGS.join(", ")}.`,
    check(type, r) {
      if (!TAGGED_TYPES.has(type)) return [];
      const missing = REQUIRED_TAGS.filter((t) => !r.tags?.[t]);
      return missing.length ? [`missing tags: ${missing.join(", ")}`] : [];
    },
  },
  {
    name: "least-privilege-identity-policies",
    description:
      "IAM policies allow named actions only (no `*` or `service:*`), and iam:PassRole only on named roles.",
    check(type, r) {
      if (type !== "aws:iam/policy:Policy" && type !== "aws:iam/rolePolicy:RolePolicy") return [];
      const problems: string[] = [];
      for (const statement of policyStatements(r.policy)) {
        if (statement.Effect !== "Allow") continue;
        const actions = asList(statement.Action);
        const wide = actions.filter((a) => a === "*" || /^[\w-]+:\*$/.test(a));
        if (wide.length) problems.push(`allows every action of ${wide.join(", ")}`);
        if (
          actions.some((a) => a.toLowerCase() === "iam:passrole") &&
          asList(statement.Resource).includes("*")
        )
          problems.push("allows iam:PassRole on every role");
      }
      return problems;
    },
  },
  {
    name: "github-oidc-trust-pinned",
    description:
      "A role trusting GitHub's OIDC provider pins the audience and the exact repository subjects (no wildcards).",
    check(type, r) {
      if (type !== "aws:iam/role:Role") return [];
      const problems: string[] = [];
      for (const statement of policyStatements(r.assumeRolePolicy)) {
        const federated = asList((statement.Principal as ResourceProps | undefined)?.Federated);
        if (!federated.some((p) => p.includes(GITHUB_OIDC_HOST))) continue;
        const equals = ((statement.Condition as ResourceProps | undefined)?.StringEquals ??
          {}) as ResourceProps;
        if (!equals[`${GITHUB_OIDC_HOST}:aud`]) problems.push("GitHub trust does not pin the audience");
        const subjects = asList(equals[`${GITHUB_OIDC_HOST}:sub`]);
        if (subjects.length === 0)
          problems.push("GitHub trust does not pin the subject (any repository could assume it)");
        if (subjects.some((s) => s.includes("*"))) problems.push("GitHub trust subject holds a wildcard");
      }
      return problems;
    },
  },
];

const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** The statements of a policy document given as JSON text or as an object; none when unreadable. */
function policyStatements(policy: unknown): ResourceProps[] {
  let document: unknown = policy;
  if (typeof policy === "string") {
    try {
      document = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  const statements = (document as ResourceProps | undefined)?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []) as ResourceProps[];
}

/** Every violation of every rule on one resource, prefixed with the rule's name. */
export function violations(type: string, inputs: ResourceProps): string[] {
  return POLICY_RULES.flatMap((rule) => rule.check(type, inputs).map((v) => `${rule.name}: ${v}`));
}
