import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { APP_STOP_GRACE_SECONDS, AppCluster, appHostAddresses } from "./components/app-cluster";
import { assertTimeoutChain, LONGEST_MODEL_CALL_SECONDS } from "./components/timeout-chain";
import { defaultLbTunables } from "./render/lb-common";
import { Backups } from "./components/backups";
import { Cache } from "./components/cache";
import { Firewall } from "./components/firewall";
import { FrontDoor } from "./components/front-door";
import type { Host, HostSetup } from "./components/host";
import { LoadBalancerPair } from "./components/load-balancer-pair";
import { Tls } from "./components/tls";
import type { MonitoredHost } from "./components/monitored-host";
import { Monitoring } from "./components/monitoring";
import { Secrets } from "./components/secrets";
import { tierSpec } from "./config/tiers";
import { APP_SHUTDOWN_PHASE_SECONDS, LOGBACK_XML_PATH } from "./render/application-yml";
import { Network } from "./components/network";
import { stackTags } from "./components/tags";
import { buildContract } from "./contract/build";
import { dnsTargetOutput } from "./components/dns-target";
import { PORTS } from "./components/ports";

/** Ports the app servers must reach for the declared model backends. */
export function modelBackendPorts(config: StackConfig): number[] {
  return Object.values(config.settings.models.services).flatMap((service) =>
    (service?.instances ?? []).map((i) => {
      const url = new URL(i.baseUrl);
      return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    }),
  );
}

function monitored(host: Host): MonitoredHost {
  return { name: host.hostName, role: host.role, privateIp: host.privateIp, zone: host.zone };
}

/** Wires the components in the order data flows: network, firewall, secrets, hosts, services. */
export function buildStack(config: StackConfig) {
  const { settings } = config;
  const tags = (role: string) => stackTags(config, role);
  // Child names derive from this; AWS name rules want lower-case letters, digits and hyphens.
  const name = `jr-${config.stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;

  const regionZones = aws.getAvailabilityZonesOutput({ state: "available" }).names;
  const zones: pulumi.Input<string>[] = settings.network.availabilityZones
    ? [...settings.network.availabilityZones]
    : Array.from({ length: settings.network.zones }, (_, i) =>
        regionZones.apply((names) => {
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

  // A fixed name: a new key replaces the key pair under the same name (the old one goes first), so
  // no instance's keyName changes; running hosts get the new key through their authorized_keys.
  const keyPair = new aws.ec2.KeyPair(
    `${name}-deployer`,
    { keyName: `${name}-deployer`, publicKey: settings.access.sshPublicKey!, tags: tags("access") },
    { deleteBeforeReplace: true },
  );
  const access = {
    transport: settings.access.transport,
    user: settings.access.sshUser,
    bastionHost: settings.access.bastionHost,
    region: config.region,
  };
  const dockerHubUser = settings.registry.dockerHubUser;
  const hostSetup: HostSetup = {
    keyName: keyPair.keyName,
    deployerPublicKey: settings.access.sshPublicKey!,
    access,
    nodeExporterImage: settings.images.nodeExporter,
    parameterPrefix,
    ubuntuBuild: settings.hosts.ubuntuBuild,
    retainState: config.production,
    registryAuth:
      dockerHubUser && config.secrets.dockerHubToken
        ? { username: dockerHubUser, password: config.secrets.dockerHubToken }
        : undefined,
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

  // The bucket exists before the hosts: their roles and env files name it.
  const backups = new Backups(name, {
    retentionDays: settings.backups.retentionDays,
    tags: tags("backups"),
  });

  // What a zero-downtime change relies on, checked before anything is registered.
  const timeouts = {
    drainWindowSeconds: settings.appServers.drainSeconds,
    nlbDeregistrationDelaySeconds: settings.appServers.drainSeconds,
    appShutdownPhaseSeconds: APP_SHUTDOWN_PHASE_SECONDS,
    containerStopGraceSeconds: APP_STOP_GRACE_SECONDS,
    proxyAnswerTimeoutSeconds: defaultLbTunables().timeouts.serverMs / 1000,
    longestModelCallSeconds: LONGEST_MODEL_CALL_SECONDS,
  };
  assertTimeoutChain(timeouts);

  // Edge: certificate, proxy pair, front door.
  const lbNames = [0, 1].map((i) => `lb-${i}.${settings.domain.name}`);
  const certificate = new Tls(name, {
    mode: settings.tls.mode === "provided" ? "provided" : "self-signed",
    domain: settings.domain.name,
    extraNames: lbNames,
    certificatePem: settings.tls.certificate,
    privateKeyPem: config.secrets.tlsPrivateKey,
  });
  // Behind an NLB the proxies need no public address (the NLB reaches them in private subnets, which
  // also spares two Elastic IPs); DNS failover sends clients to the proxies' own public addresses.
  const behindNlb = settings.loadBalancer.frontDoor === "nlb";
  const lbSubnets = behindNlb ? network.privateSubnets : network.publicSubnets;
  // The front door first: each proxy host registers there as the pair builds it.
  const frontDoor = new FrontDoor(name, {
    kind: settings.loadBalancer.frontDoor,
    domain: settings.domain.name,
    route53ZoneId: settings.domain.route53ZoneId,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnets.map((s) => s.id),
    region: config.region,
    deregistrationDelaySeconds: timeouts.nlbDeregistrationDelaySeconds,
    tags: tags("frontdoor"),
  });
  const lbPair = new LoadBalancerPair(name, {
    engine: settings.loadBalancer.engine,
    size: tierSpec("loadBalancer", settings.loadBalancer.tier),
    subnets: [lbSubnets[0]!, lbSubnets[1]!],
    publicAddresses: !behindNlb,
    securityGroupId: firewall.groupIds.lb,
    hostSetup,
    serverName: settings.domain.name,
    // planned addresses: the proxies never depend on an app instance (network-plan.ts)
    backends: appHostAddresses(network.privateSubnets, settings.appServers.count),
    internalCidrs: [...settings.loadBalancer.internalCidrs],
    monitoringCidrs: [settings.network.cidr],
    maxConnections: settings.loadBalancer.maxConnections,
    statsPassword: secrets.lbStatsPassword,
    certificatePem: certificate.certificatePem,
    privateKeyPem: certificate.privateKeyPem,
    combinedPem: certificate.combinedPem,
    images: settings.images,
    frontDoor,
    tags: tags("loadbalancer"),
  });
  // The app hosts come after the proxies: each is drained there before it changes.
  const apps = new AppCluster(name, {
    count: settings.appServers.count,
    size: tierSpec("appServer", settings.appServers.tier),
    heapPercent: settings.appServers.heapPercent,
    subnets: network.privateSubnets,
    securityGroupId: firewall.groupIds.app,
    hostSetup,
    image: settings.images.jairouter,
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
    backups: backups.target,
    proxies: { ...lbPair.rotation, drainSeconds: settings.appServers.drainSeconds },
    tags: tags("app"),
  });

  // Monitoring scrapes every host above.
  const monitoring = new Monitoring(name, {
    cluster: `jairouter-${config.stack}`,
    environment: config.stack,
    appHosts: apps.instances.map((i) => monitored(i.host)),
    lbHosts: lbPair.hosts.map(monitored),
    privateSubnets: network.privateSubnets,
    securityGroupId: firewall.groupIds.monitoring,
    hostSetup,
    secrets,
    smtpPassword: config.secrets.smtpPassword,
    settings: settings.monitoring,
    images: settings.images,
    lbEngine: settings.loadBalancer.engine,
    backups: backups.target,
    tags: tags("monitoring"),
  });

  // What the operator's DNS record for the public name points at (README: first deploy).
  const dnsTarget = dnsTargetOutput({
    frontDoor: settings.loadBalancer.frontDoor,
    nlbDnsName: frontDoor.nlbDnsName,
    proxyPublicIps: lbPair.publicIps,
    route53Zone: settings.domain.route53ZoneId !== undefined,
  });

  return {
    endpoint: frontDoor.endpoint,
    dnsTarget,
    nlbName: frontDoor.nlbName,
    nlbDnsName: frontDoor.nlbDnsName,
    loadBalancerPublicIps: lbPair.publicIps,
    loadBalancerPrivateIps: lbPair.privateIps,
    caCertificatePem: certificate.caCertificatePem,
    appPrivateIps: apps.privateIps,
    redisEndpoint: cache?.host,
    secretParameters: secrets.parameterNames,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnets.map((s) => s.id),
    privateSubnetIds: network.privateSubnets.map((s) => s.id),
    securityGroupIds: firewall.groupIds,
    monitoringPrivateIp: monitoring.privateIp,
    prometheusUrl: monitoring.prometheusUrl,
    alertmanagerUrl: monitoring.alertmanagerUrl,
    grafanaUrl: monitoring.grafanaUrl,
    monitoringTunnelCommands: monitoring.tunnelCommands,
    backupBucketName: backups.bucketName,
    backupBucketArn: backups.bucketArn,
    // The versioned output other stacks read (docs/contract.md); the loose names above are
    // deprecated for other stacks and go in release 0.4.0 (docs/contract.md).
    contract: buildContract({
      stack: config.stack,
      network: {
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        zones: network.privateSubnets.map((s) => s.zone),
        publicSubnetIds: network.publicSubnets.map((s) => s.id),
        privateSubnetIds: network.privateSubnets.map((s) => s.id),
      },
      edge: {
        endpoint: frontDoor.endpoint,
        publicDnsName: settings.domain.name,
        frontDoor: settings.loadBalancer.frontDoor,
        nlb: frontDoor.nlbName &&
          frontDoor.nlbDnsName && { name: frontDoor.nlbName, dnsName: frontDoor.nlbDnsName },
        dnsTarget,
        proxyPrivateIps: lbPair.privateIps,
        caCertificatePem: certificate.caCertificatePem,
      },
      app: {
        securityGroupId: firewall.groupIds.app,
        privateIps: apps.privateIps,
        port: PORTS.app,
        redis: cache && { endpoint: cache.host, port: cache.port },
      },
      monitoring: {
        securityGroupId: firewall.groupIds.monitoring,
        privateIp: monitoring.privateIp,
        prometheusUrl: monitoring.prometheusUrl,
        alertmanagerUrl: monitoring.alertmanagerUrl,
        grafanaUrl: monitoring.grafanaUrl,
        tunnelCommands: monitoring.tunnelCommands,
      },
      backups: { bucketName: backups.bucketName, bucketArn: backups.bucketArn, region: config.region },
      secrets: { parameterPrefix, parameterPaths: secrets.parameterNames },
    }),
  };
}
