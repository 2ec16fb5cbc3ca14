import * as pulumi from "@pulumi/pulumi";

/** What the operator's DNS record for the public name points at (the `dnsTarget` stack output). */
export interface DnsTarget {
  /** `CNAME` to the NLB's DNS name (an alias A record at a zone apex), or `A` records. */
  recordType: "CNAME" | "A";
  /** The NLB's DNS name, or the proxies' public addresses, primary first. */
  values: string[];
  /** The stack writes the record itself in Route53 (`domain.route53ZoneId` set). */
  managedByStack: boolean;
}

export interface DnsTargetSources {
  frontDoor: "nlb" | "dns";
  /** The NLB's DNS name (front door `nlb`). */
  nlbDnsName?: string;
  /** The proxies' public addresses (front door `dns`), primary first. */
  proxyPublicIps: string[];
  /** Whether the stack has a hosted zone to write the record in. */
  route53Zone: boolean;
}

/** The record an operator creates (or the stack creates) for the public name; pure. */
export function dnsTargetOf(s: DnsTargetSources): DnsTarget {
  if (s.frontDoor === "nlb") {
    if (!s.nlbDnsName) throw new Error("dnsTarget: the NLB front door has no DNS name");
    return { recordType: "CNAME", values: [s.nlbDnsName], managedByStack: s.route53Zone };
  }
  if (s.proxyPublicIps.length === 0)
    throw new Error("dnsTarget: DNS failover needs the proxies' public addresses");
  // DNS failover needs a hosted zone (config/): the stack writes PRIMARY/SECONDARY records itself.
  return { recordType: "A", values: [...s.proxyPublicIps], managedByStack: s.route53Zone };
}

/** `dnsTargetOf` over Outputs. */
export function dnsTargetOutput(args: {
  frontDoor: "nlb" | "dns";
  nlbDnsName?: pulumi.Input<string>;
  proxyPublicIps: pulumi.Input<string>[];
  route53Zone: boolean;
}): pulumi.Output<DnsTarget> {
  return pulumi
    .all([pulumi.output(args.nlbDnsName), pulumi.all(args.proxyPublicIps)])
    .apply(([nlbDnsName, proxyPublicIps]) =>
      dnsTargetOf({ frontDoor: args.frontDoor, nlbDnsName, proxyPublicIps, route53Zone: args.route53Zone }),
    );
}
