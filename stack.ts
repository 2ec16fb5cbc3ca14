import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { Firewall } from "./components/firewall";
import { Network } from "./components/network";
import { stackTags } from "./components/tags";

/** Ports the app servers must reach for the declared model backends. */
export function modelBackendPorts(config: StackConfig): number[] {
  return Object.values(config.settings.models.services).flatMap((service) =>
    (service?.instances ?? []).map((i) => {
      const url = new URL(i.baseUrl);
      return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    }),
  );
}

/** Wires the components in the order data flows: network, firewall, secrets, hosts, services. */
export function buildStack(config: StackConfig) {
  const { settings } = config;
  const tags = (role: string) => stackTags(config, role);
  const name = `jr-${config.stack}`;

  const zones: pulumi.Input<string>[] = settings.network.availabilityZones
    ? [...settings.network.availabilityZones]
    : Array.from({ length: settings.network.zones }, (_, i) =>
        aws.getAvailabilityZonesOutput({ state: "available" }).names.apply((names) => {
          const zone = names[i];
          if (!zone)
            throw new Error(
              `jairouter:network.zones asks for ${i + 1} zones but the region has ${names.length}`,
            );
          return zone;
        }),
      );

  const network = new Network(name, {
    cidr: settings.network.cidr,
    zones,
    natGateways: settings.network.natGateways,
    flowLogRetentionDays: settings.network.flowLogRetentionDays,
    tags: tags("network"),
  });

  const smtp = settings.monitoring.alerts.email?.smarthost;
  const firewall = new Firewall(name, {
    vpcId: network.vpcId,
    adminCidrs: [...settings.access.adminCidrs],
    redis: settings.redis.enabled,
    modelPorts: modelBackendPorts(config),
    smtpPort: smtp ? Number(smtp.split(":")[1]) : undefined,
    tags: tags("firewall"),
  });

  return {
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnets.map((s) => s.id),
    privateSubnetIds: network.privateSubnets.map((s) => s.id),
    securityGroupIds: firewall.groupIds,
  };
}
