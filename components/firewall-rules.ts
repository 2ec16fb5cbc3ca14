import { PORTS } from "./ports";

/** The security groups the stack creates; `redis` only when Redis is enabled. */
export type GroupName = "lb" | "app" | "monitoring" | "redis";

/** Where traffic may come from (ingress) or go to (egress). */
export type Peer =
  | { kind: "anywhere" } // 0.0.0.0/0 (the VPC has no IPv6)
  | { kind: "adminCidrs" } // access.adminCidrs; no rule at all when that list is empty
  | { kind: "group"; group: GroupName };

export interface FirewallRule {
  group: GroupName;
  direction: "ingress" | "egress";
  port: number;
  peer: Peer;
  description: string;
}

const anywhere: Peer = { kind: "anywhere" };
const admins: Peer = { kind: "adminCidrs" };
const group = (g: GroupName): Peer => ({ kind: "group", group: g });

const ingress = (g: GroupName, port: number, peer: Peer, description: string): FirewallRule => ({
  group: g,
  direction: "ingress",
  port,
  peer,
  description,
});
const egress = (g: GroupName, port: number, peer: Peer, description: string): FirewallRule => ({
  group: g,
  direction: "egress",
  port,
  peer,
  description,
});

/**
 * The guide's ufw lines (22, 80, 443 in; 8080 from 10.0.0.0/8; the rest closed), tightened:
 * only the load balancers face the internet; 8080 is reachable from the load balancers and the
 * monitoring host only; SSH and the observability ports only from the monitoring host or the
 * operators' own networks; Redis from the app servers only.
 */
export function ingressRules(): FirewallRule[] {
  return [
    ingress("lb", PORTS.http, anywhere, "HTTP from clients (redirected to HTTPS)"),
    ingress("lb", PORTS.https, anywhere, "HTTPS from clients"),
    ingress("app", PORTS.app, group("lb"), "JAiRouter API from the load balancers"),
    ingress("app", PORTS.app, group("monitoring"), "Prometheus scrapes /actuator/prometheus"),
    ingress("redis", PORTS.redis, group("app"), "Redis from the app servers"),
    ...(["lb", "app", "monitoring"] as const).flatMap((g) => [
      ingress(g, PORTS.ssh, admins, "SSH from operator networks"),
      ingress(g, PORTS.nodeExporter, group("monitoring"), "node-exporter scraped by Prometheus"),
      ingress(g, PORTS.nodeExporter, admins, "node-exporter from operator networks"),
    ]),
    ...[PORTS.haproxyMetrics, PORTS.nginxExporter].flatMap((port) => [
      ingress("lb", port, group("monitoring"), `load-balancer metrics/status :${port} for Prometheus`),
      ingress("lb", port, admins, `load-balancer metrics/status :${port} from operator networks`),
    ]),
    ...[PORTS.prometheus, PORTS.alertmanager, PORTS.grafana].map((port) =>
      ingress("monitoring", port, admins, `monitoring UI/API :${port} from operator networks`),
    ),
  ];
}

/**
 * Egress is closed by default and opened per need: HTTPS/HTTP out for packages, image pulls and
 * AWS APIs (SSM, S3, CloudWatch) through the NAT gateways; within the VPC only the flows the
 * stack uses. App servers additionally reach the model backends on the ports their declared URLs
 * use; the monitoring host reaches the SMTP relay. DNS (the VPC resolver) and NTP (Amazon Time Sync)
 * are link-local services that security groups do not filter.
 */
export function egressRules(options: {
  modelPorts: number[];
  smtpPort?: number;
  redis: boolean;
}): FirewallRule[] {
  const rules: FirewallRule[] = (["lb", "app", "monitoring"] as const).flatMap((g) => [
    egress(g, PORTS.https, anywhere, "HTTPS out: packages, image registry, AWS APIs"),
    egress(g, PORTS.http, anywhere, "HTTP out: Ubuntu package mirrors"),
  ]);
  rules.push(egress("lb", PORTS.app, group("app"), "proxy to JAiRouter"));
  rules.push(egress("monitoring", PORTS.app, group("app"), "scrape JAiRouter"));
  for (const g of ["lb", "app", "monitoring"] as const) {
    rules.push(egress("monitoring", PORTS.nodeExporter, group(g), `scrape node-exporter on ${g} hosts`));
  }
  for (const port of [PORTS.haproxyMetrics, PORTS.nginxExporter]) {
    rules.push(egress("monitoring", port, group("lb"), `scrape load-balancer metrics :${port}`));
  }
  if (options.redis) rules.push(egress("app", PORTS.redis, group("redis"), "Redis cache"));
  const modelPorts = [...new Set(options.modelPorts)]
    .filter((p) => p !== PORTS.https && p !== PORTS.http)
    .sort((a, b) => a - b);
  for (const port of modelPorts) {
    rules.push(egress("app", port, anywhere, `model backends on :${port} (from jairouter:models)`));
  }
  if (options.smtpPort !== undefined && options.smtpPort !== PORTS.https) {
    rules.push(
      egress("monitoring", options.smtpPort, anywhere, `SMTP relay :${options.smtpPort} for alert email`),
    );
  }
  return rules;
}
