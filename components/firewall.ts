import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { egressRules, ingressRules, type FirewallRule, type GroupName } from "./firewall-rules";

export interface FirewallArgs {
  /** VPC the groups belong to. */
  vpcId: pulumi.Input<string>;
  /** Operator networks for SSH and observability ports; empty means no such rule at all. */
  adminCidrs: string[];
  /** Whether the Redis group exists. */
  redis: boolean;
  /** Ports of the declared model backends, opened for egress from the app servers. */
  modelPorts: number[];
  /** Port of the SMTP relay, when alert email is configured. */
  smtpPort?: number;
  /** Tags for every resource. */
  tags: Record<string, string>;
}

const GROUP_PURPOSE: Record<GroupName, string> = {
  lb: "load-balancer pair: HTTP/HTTPS from the internet",
  app: "JAiRouter app servers: 8080 from the load balancers and monitoring only",
  monitoring: "monitoring host: UIs from operator networks only",
  redis: "Redis: from the app servers only",
};

/** Security groups built from the rules table in firewall-rules.ts: one resource per rule and peer. */
export class Firewall extends pulumi.ComponentResource {
  public readonly groupIds: Record<GroupName, pulumi.Output<string>>;
  /** The rules as applied, for tests and documentation. */
  public readonly rules: FirewallRule[];

  constructor(name: string, args: FirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:network:Firewall", name, {}, opts);
    const names: GroupName[] = args.redis
      ? ["lb", "app", "monitoring", "redis"]
      : ["lb", "app", "monitoring"];
    const groups = {} as Record<GroupName, aws.ec2.SecurityGroup>;
    for (const g of names) {
      groups[g] = new aws.ec2.SecurityGroup(
        `${name}-${g}`,
        {
          vpcId: args.vpcId,
          description: GROUP_PURPOSE[g],
          revokeRulesOnDelete: true,
          tags: { ...args.tags, Name: `${name}-${g}` },
        },
        { parent: this },
      );
    }

    this.rules = [
      ...ingressRules(),
      ...egressRules({ modelPorts: args.modelPorts, smtpPort: args.smtpPort, redis: args.redis }),
    ].filter((r) => names.includes(r.group) && (r.peer.kind !== "group" || names.includes(r.peer.group)));

    for (const rule of this.rules) {
      for (const [suffix, peer] of this.peersOf(rule, args.adminCidrs, groups)) {
        const ruleName = `${name}-${rule.group}-${rule.direction === "ingress" ? "in" : "out"}-${rule.port}-${suffix}`;
        const common = {
          securityGroupId: groups[rule.group].id,
          ipProtocol: "tcp",
          fromPort: rule.port,
          toPort: rule.port,
          description: rule.description,
          tags: args.tags,
          ...peer,
        };
        if (rule.direction === "ingress")
          new aws.vpc.SecurityGroupIngressRule(ruleName, common, { parent: this });
        else new aws.vpc.SecurityGroupEgressRule(ruleName, common, { parent: this });
      }
    }

    this.groupIds = Object.fromEntries(names.map((g) => [g, groups[g].id])) as Record<
      GroupName,
      pulumi.Output<string>
    >;
    this.registerOutputs({ groupIds: this.groupIds });
  }

  private peersOf(
    rule: FirewallRule,
    adminCidrs: string[],
    groups: Record<GroupName, aws.ec2.SecurityGroup>,
  ): [string, { cidrIpv4?: string; referencedSecurityGroupId?: pulumi.Output<string> }][] {
    switch (rule.peer.kind) {
      case "anywhere":
        // The VPC is IPv4-only, so an ::/0 rule would open nothing.
        return [["anywhere", { cidrIpv4: "0.0.0.0/0" }]];
      case "adminCidrs":
        return adminCidrs.map((cidr) => [cidr.replace(/[./]/g, "-"), { cidrIpv4: cidr }]);
      case "group":
        return [[rule.peer.group, { referencedSecurityGroupId: groups[rule.peer.group].id }]];
    }
  }
}
