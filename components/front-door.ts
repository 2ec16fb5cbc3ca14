import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { awsName } from "./aws-names";
import { PORTS } from "./ports";
import { sha256 } from "./ssh";

function publicIp(target: FrontDoorTarget, i: number): pulumi.Input<string> {
  if (!target.publicIp)
    throw new Error(`FrontDoor: DNS failover needs a public address on load balancer ${i}`);
  return target.publicIp;
}

export interface FrontDoorTarget {
  instanceId: pulumi.Input<string>;
  /** Public address of the proxy (DNS failover only). */
  publicIp?: pulumi.Input<string>;
}

/** What the load-balancer pair needs of the front door while it builds each proxy host. */
export interface ProxyFrontDoor {
  register(i: number, target: FrontDoorTarget): pulumi.Resource[];
  inService(
    i: number,
    target: FrontDoorTarget,
    registered: pulumi.Resource[],
    after: command.local.Command,
  ): command.local.Command | undefined;
}

export interface FrontDoorArgs {
  kind: "nlb" | "dns";
  /** Public name. */
  domain: string;
  /** Hosted zone for the public record (required for `dns`). */
  route53ZoneId?: string;
  vpcId: pulumi.Input<string>;
  /** Public subnets the NLB spans. */
  publicSubnetIds: pulumi.Input<string>[];
  /** Region of the stack: the in-service wait names it. */
  region: string;
  /** How long the NLB keeps a deregistered proxy's connections (at least the drain window). */
  deregistrationDelaySeconds: number;
  tags: Record<string, string>;
}

/** Health check of the pair: the proxies answer `/health` on :80 themselves, without redirect. */
const HEALTH = {
  path: "/health",
  port: PORTS.http,
  intervalSeconds: 10,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};
export const PUBLIC_RECORD_TTL_SECONDS = 60;

/**
 * What clients connect to. `nlb`: an internet-facing Network Load Balancer passing TCP 80/443 to
 * both proxies (TLS ends on the proxies), cross-zone, health-checked. `dns`: Route53 health checks
 * on each proxy and PRIMARY/SECONDARY failover records with a 60 s TTL.
 */
export class FrontDoor extends pulumi.ComponentResource implements ProxyFrontDoor {
  public readonly endpoint: pulumi.Output<string>;
  public readonly nlbName?: pulumi.Output<string>;
  public readonly nlbDnsName?: pulumi.Output<string>;
  private readonly groups: { port: number; group: aws.lb.TargetGroup }[] = [];

  constructor(
    private readonly name: string,
    private readonly args: FrontDoorArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("jairouter:edge:FrontDoor", name, {}, opts);
    if (args.kind === "nlb") {
      const nlb = this.networkLoadBalancer(name, args);
      this.nlbName = nlb.name;
      this.nlbDnsName = nlb.dnsName;
    }
    this.endpoint = pulumi.output(`https://${args.domain}`);
    this.registerOutputs({ endpoint: this.endpoint, nlbName: this.nlbName, nlbDnsName: this.nlbDnsName });
  }

  private networkLoadBalancer(name: string, args: FrontDoorArgs): aws.lb.LoadBalancer {
    const parent = { parent: this };
    const nlb = new aws.lb.LoadBalancer(
      `${name}-nlb`,
      {
        // A fixed name (clients may CNAME it). Nothing the stack sets forces a replacement; if one
        // ever does, the old NLB goes first: its name is taken, and its DNS name changes anyway.
        name: awsName(name, "nlb"),
        loadBalancerType: "network",
        internal: false,
        subnets: args.publicSubnetIds,
        enableCrossZoneLoadBalancing: true,
        tags: args.tags,
      },
      { parent: this, deleteBeforeReplace: true },
    );
    for (const port of [PORTS.http, PORTS.https]) {
      const identity = { port, protocol: "TCP", targetType: "instance" } as const;
      const group = new aws.lb.TargetGroup(
        `${name}-tcp-${port}`,
        {
          // The name changes with what replaces a target group, so a replacement can create the new
          // group (and move the listener to it) before deleting the old one.
          name: pulumi
            .output(args.vpcId)
            .apply((vpcId) =>
              awsName(name, `tcp-${port}-${sha256(JSON.stringify({ ...identity, vpcId })).slice(0, 6)}`),
            ),
          ...identity,
          vpcId: args.vpcId,
          preserveClientIp: "true",
          connectionTermination: true,
          // as long as an app drain (timeout chain): a proxy leaving the NLB keeps its streams
          deregistrationDelay: args.deregistrationDelaySeconds,
          healthCheck: {
            protocol: "HTTP",
            port: String(HEALTH.port),
            path: HEALTH.path,
            interval: HEALTH.intervalSeconds,
            healthyThreshold: HEALTH.healthyThreshold,
            unhealthyThreshold: HEALTH.unhealthyThreshold,
          },
          tags: args.tags,
        },
        parent,
      );
      this.groups.push({ port, group });
      new aws.lb.Listener(
        `${name}-tcp-${port}`,
        {
          loadBalancerArn: nlb.arn,
          port,
          protocol: "TCP",
          defaultActions: [{ type: "forward", targetGroupArn: group.arn }],
          tags: args.tags,
        },
        parent,
      );
    }
    if (args.route53ZoneId) {
      new aws.route53.Record(
        `${name}-public`,
        {
          zoneId: args.route53ZoneId,
          name: args.domain,
          type: "A",
          aliases: [{ name: nlb.dnsName, zoneId: nlb.zoneId, evaluateTargetHealth: true }],
        },
        parent,
      );
    }
    return nlb;
  }

  /**
   * Puts load balancer `i` (0: primary) behind the front door: NLB target-group attachments, or a
   * Route53 health check and failover record. Called by the LoadBalancerPair as it builds each host.
   */
  register(i: number, target: FrontDoorTarget): pulumi.Resource[] {
    const parent = { parent: this };
    const name = this.name;
    if (this.args.kind === "nlb") {
      return this.groups.map(
        ({ port, group }) =>
          new aws.lb.TargetGroupAttachment(
            `${name}-tcp-${port}-${i}`,
            { targetGroupArn: group.arn, targetId: target.instanceId, port },
            parent,
          ),
      );
    }
    const role = i === 0 ? "PRIMARY" : "SECONDARY";
    const check = new aws.route53.HealthCheck(
      `${name}-lb-${i}`,
      {
        type: "HTTP",
        ipAddress: publicIp(target, i),
        port: HEALTH.port,
        resourcePath: HEALTH.path,
        requestInterval: 10,
        failureThreshold: 3,
        tags: { ...this.args.tags, Name: `${name}-lb-${i}` },
      },
      parent,
    );
    const record = new aws.route53.Record(
      `${name}-${role.toLowerCase()}`,
      {
        zoneId: this.args.route53ZoneId!,
        name: this.args.domain,
        type: "A",
        ttl: PUBLIC_RECORD_TTL_SECONDS,
        records: [publicIp(target, i)],
        setIdentifier: `${name}-${role.toLowerCase()}`,
        failoverRoutingPolicies: [{ type: role }],
        healthCheckId: check.id,
      },
      parent,
    );
    return [check, record];
  }

  /**
   * Passes once the NLB's own health check sees load balancer `i` in service on every port, after
   * `after` (its configuration activated); it runs again whenever `after` does. Only the NLB has such
   * a check to wait for: with DNS failover the proxy's own `/health` (what Route53 probes) is the gate.
   */
  inService(
    i: number,
    target: FrontDoorTarget,
    registered: pulumi.Resource[],
    after: command.local.Command,
  ): command.local.Command | undefined {
    if (this.args.kind !== "nlb") return undefined;
    const waits = this.groups.map(
      ({ port, group }) =>
        pulumi.interpolate`aws elbv2 wait target-in-service --region ${this.args.region} --target-group-arn ${group.arn} --targets Id=${target.instanceId},Port=${port}`,
    );
    return new command.local.Command(
      `${this.name}-lb-${i}-in-service`,
      { create: pulumi.all(waits).apply((w) => w.join(" && ")), triggers: [after.id] },
      { parent: this, dependsOn: [...registered, after], customTimeouts: { create: "15m" } },
    );
  }
}
