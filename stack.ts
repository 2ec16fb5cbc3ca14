import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { AppCluster } from "./components/app-cluster";
import { Cache } from "./components/cache";
import { Firewall } from "./components/firewall";
import type { MonitoredHost } from "./components/monitored-host";
import { Secrets } from "./components/secrets";
import { tierSpec } from "./config/tiers";
import { LOGBACK_XML_PATH } from "./render/application-yml";
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

  const parameterPrefix = `/jairouter/${config.stack}`;
  const secrets = new Secrets(name, {
    parameterPrefix,
    providerApiKeys: config.secrets.providerApiKeys,
    tags: tags("secrets"),
  });

  const keyPair = new aws.ec2.KeyPair(`${name}-deployer`, {
    publicKey: settings.access.sshPublicKey!,
    tags: tags("access"),
  });
  const access = {
    transport: settings.access.transport,
    user: settings.access.sshUser,
    bastionHost: settings.access.bastionHost,
  };

  const cache = settings.redis.enabled
    ? new Cache(name, {
        subnetIds: network.privateSubnets.map((s) => s.id),
        zones: [network.privateSubnets[0]!.zone, network.privateSubnets[1]!.zone],
        securityGroupId: firewall.groupIds.redis,
        nodeType: tierSpec("database", settings.redis.tier).instanceType,
        authToken: secrets.redisAuthToken,
        tags: tags("redis"),
      })
    : undefined;

  const apps = new AppCluster(name, {
    count: settings.appServers.count,
    size: tierSpec("appServer", settings.appServers.tier),
    heapPercent: settings.appServers.heapPercent,
    subnets: network.privateSubnets,
    securityGroupId: firewall.groupIds.app,
    keyName: keyPair.keyName,
    access,
    image: settings.images.jairouter,
    nodeExporterImage: settings.images.nodeExporter,
    appSettings: {
      environment: settings.environment,
      jwtIssuer: `jairouter-${config.stack}`,
      corsAllowedOrigins: settings.appServers.corsAllowedOrigins,
      apiKeyExpiry: {
        admin: settings.appServers.apiKeyExpiry,
        service: settings.appServers.apiKeyExpiry,
        readOnly: settings.appServers.apiKeyExpiry,
      },
      redisEnabled: settings.redis.enabled,
      auditRetentionDays: 90,
      auditAlertThresholds: {
        authFailuresPerMinute: 10,
        sanitizationOperationsPerMinute: 100,
        suspiciousRequestsPerMinute: 20,
      },
      securityAlerts: { emailRecipients: settings.monitoring.alerts.email?.to ?? [], webhook: false },
      logbackConfigFile: LOGBACK_XML_PATH,
    },
    models: settings.models,
    secrets,
    providerApiKeys: config.secrets.providerApiKeys,
    redis: cache ? { host: cache.host, port: cache.port } : undefined,
    parameterPrefix,
    tags: tags("app"),
  });

  const appHosts: MonitoredHost[] = apps.instances.map((i) => ({
    name: i.host.hostName,
    role: "app",
    privateIp: i.host.privateIp,
    zone: i.host.zone,
  }));

  // load balancers:start
  const lbHosts: MonitoredHost[] = [];
  // load balancers:end

  // monitoring:start
  void [appHosts, lbHosts];
  // monitoring:end

  return {
    appPrivateIps: apps.privateIps,
    redisEndpoint: cache?.host,
    secretParameters: secrets.parameterNames,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnets.map((s) => s.id),
    privateSubnetIds: network.privateSubnets.map((s) => s.id),
    securityGroupIds: firewall.groupIds,
  };
}
