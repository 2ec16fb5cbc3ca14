import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { TierSpec } from "../config/tiers";
import {
  API_KEY_ENV,
  renderApplicationYml,
  renderLogbackXml,
  type ApplicationYmlInput,
} from "../render/application-yml";
import { JAIROUTER_UID } from "../render/host-types";
import {
  renderModelSeedYml,
  modelRoutingHash,
  providerKeyEnvName,
  referencedProviderKeys,
  renderModelSyncScript,
  type ModelRoutingDecl,
} from "../render/model-routing";
import type { BackupTarget } from "./backups";
import { appContainerLimits, javaOptions } from "./app-settings";
import { Host, type HostSetup, type HostSubnet } from "./host";
import { hostService } from "./host-service";
import { DATA_MOUNT } from "./host-defaults";
import { HOST_SLOTS, hostAddress } from "./network-plan";
import { PORTS } from "./ports";
import { appServerName, rotationMembership, type ProxyRotation } from "./rotation";
import type { StackSecrets } from "./secrets";

export interface AppClusterArgs {
  /** How many JAiRouter hosts. */
  count: number;
  /** Instance type and memory from the tier table. */
  size: TierSpec;
  /** Share of the container memory given to the heap. */
  heapPercent: number;
  /** Private subnets, one per zone; hosts go round-robin over them. */
  subnets: HostSubnet[];
  securityGroupId: pulumi.Input<string>;
  /** What every host shares: key pair, SSH access, node-exporter, parameter prefix. */
  hostSetup: HostSetup;
  /** Pinned JAiRouter image. */
  image: string;
  /** application.yml settings except the models (passed separately). */
  appSettings: Omit<ApplicationYmlInput, "models">;
  /** Declared model routing, identical on every instance. */
  models: ModelRoutingDecl;
  secrets: StackSecrets;
  providerApiKeys: pulumi.Output<Record<string, string>>;
  /** Redis endpoint, or undefined to run without Redis. */
  redis?: { host: pulumi.Output<string>; port: number };
  /** The stack's backup bucket; each host backs up its config and H2 state there. */
  backups?: BackupTarget;
  /** The proxies in front of the app hosts: each host is drained there before it changes. */
  proxies?: ProxyRotation;
  tags: Record<string, string>;
}

/** Where app host `i` lives: subnets round-robin, and a slot of its subnet's host block. */
export function appHostPlacement(subnets: HostSubnet[], i: number): { subnet: HostSubnet; slot: number } {
  return {
    subnet: subnets[i % subnets.length]!,
    slot: HOST_SLOTS.firstApp + Math.floor(i / subnets.length),
  };
}

/** The app hosts' fixed addresses, known before any host exists (what the proxies list). */
export function appHostAddresses(subnets: HostSubnet[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const { subnet, slot } = appHostPlacement(subnets, i);
    return hostAddress(subnet.cidr, slot);
  });
}

export interface AppInstance {
  host: Host;
  container: docker.Container;
  /** Passes once the app on this host runs and is healthy (after every change to it). */
  healthy: command.local.Command;
  modelSync: command.local.Command;
  /**
   * The host's membership in the proxies' rotation: created (returned to rotation) once the app
   * is healthy, deleted (drained on every proxy) before its container goes, whatever replaces it.
   */
  rotation?: command.local.Command;
}

/**
 * Seconds `docker stop` gives the app on a replacement before SIGKILL: longer than Spring Boot's
 * graceful-shutdown phase (30 s), so in-flight requests finish.
 */
export const APP_STOP_GRACE_SECONDS = 45;

const CONFIG_DIR = `${DATA_MOUNT}/jairouter/config`;

/**
 * N JAiRouter hosts spread over the zones. Everything rolls one host at a time: a container waits
 * for the previous host's app to be healthy again, so a bad image stops at the first host, and an
 * instance is replaced or resized only after the previous host serves again. After each container
 * is healthy, the declared model routing is applied to it through the admin API.
 */
export class AppCluster extends pulumi.ComponentResource {
  public readonly instances: AppInstance[] = [];
  public readonly privateIps: pulumi.Output<string>[];

  constructor(name: string, args: AppClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:app:AppCluster", name, {}, opts);
    const limits = appContainerLimits(args.size, args.heapPercent);
    const applicationYml = renderApplicationYml({ ...args.appSettings, models: args.models });
    const logbackXml = renderLogbackXml();
    const routingHash = modelRoutingHash(args.models);
    const syncScript = renderModelSyncScript(args.models, { healthTimeoutSeconds: 600 });

    let previous: AppInstance | undefined;
    for (let i = 0; i < args.count; i++) {
      const { subnet, slot } = appHostPlacement(args.subnets, i);
      const hostName = `${name}-app-${i}`;
      // What the next host waits for: this one back in rotation (or healthy, without proxies).
      const served = (p: AppInstance) => p.rotation ?? p.healthy;
      const host = new Host(
        hostName,
        {
          role: "app",
          size: args.size,
          subnet,
          slot,
          securityGroupIds: [args.securityGroupId],
          setup: args.hostSetup,
          backup: args.backups,
          // Replacing or resizing hosts goes one at a time: the previous one serves again first.
          after: previous ? [served(previous), previous.modelSync] : undefined,
          tags: args.tags,
        },
        { parent: this },
      );
      const appFile = (key: string, file: string, content: string) =>
        host.placeFile(
          `${hostName}-${key}`,
          {
            path: `${CONFIG_DIR}/${file}`,
            content,
            mode: "0640",
            owner: `${JAIROUTER_UID}:${JAIROUTER_UID}`,
          },
          this,
        );
      const files = [
        appFile("application-yml", "application.yml", applicationYml),
        appFile("logback-xml", "logback-spring.xml", logbackXml),
      ];
      // The seed only matters for an empty database, so a change to it must not restart the app.
      const seed = appFile("model-seed", "model-seed.yml", renderModelSeedYml(args.models));

      const instanceId = `${hostName}`;
      const { container } = hostService(
        host,
        `${hostName}-jairouter`,
        {
          container: "jairouter",
          image: args.image,
          imageResourceName: `${hostName}-image`,
          files,
          spec: {
            hostname: instanceId,
            user: `${JAIROUTER_UID}:${JAIROUTER_UID}`,
            readOnly: true,
            tmpfs: { "/tmp": "rw,noexec,nosuid,size=512m" },
            ulimits: [
              { name: "nofile", soft: 65536, hard: 65536 },
              { name: "nproc", soft: 32768, hard: 32768 },
            ],
            sysctls: { "net.core.somaxconn": "65535", "net.ipv4.tcp_keepalive_time": "1200" },
            memory: limits.memoryMb,
            memoryReservation: limits.memoryReservationMb,
            cpus: limits.cpus,
            ports: [{ internal: PORTS.app, external: PORTS.app }],
            envs: appEnvironment({
              instanceId,
              heapMb: limits.heapMb,
              redis: args.redis,
              secrets: args.secrets,
              providerApiKeys: args.providerApiKeys,
              models: args.models,
            }),
            volumes: [
              { hostPath: `${DATA_MOUNT}/jairouter/data`, containerPath: "/app/data" },
              { hostPath: `${DATA_MOUNT}/jairouter/logs`, containerPath: "/app/logs" },
              { hostPath: CONFIG_DIR, containerPath: "/app/config", readOnly: true },
            ],
            healthcheck: {
              tests: [
                "CMD",
                "curl",
                "-fsS",
                "-o",
                "/dev/null",
                `http://localhost:${PORTS.app}/actuator/health`,
              ],
              interval: "15s",
              timeout: "5s",
              retries: 5,
              startPeriod: "180s",
            },
            wait: true,
            waitTimeout: 900,
          },
          labels: [{ label: "jairouter.instance", value: instanceId }],
          stopGraceSeconds: APP_STOP_GRACE_SECONDS,
          // One host at a time: the previous host serves again before this one is drained and replaced.
          dependsOn: [seed.command, ...(previous ? [served(previous)] : [])],
        },
        this,
      );
      const healthy = host.serviceGate(`${hostName}-healthy`, "jairouter", container, this);

      const modelSync = new command.local.Command(
        `${hostName}-model-sync`,
        {
          create: host.commandLine("bash -s"),
          stdin: pulumi
            .all([args.secrets.adminPassword, args.providerApiKeys])
            .apply(([password, keys]) => syncInvocation(syncScript, password, keys, args.models)),
          triggers: [routingHash, container.id],
          // The admin API's answers can echo a provider key: keep them out of logs and plain state.
          logging: "none",
        },
        {
          parent: this,
          dependsOn: [healthy],
          customTimeouts: { create: "15m" },
          additionalSecretOutputs: ["stdout", "stderr"],
        },
      );
      const rotation = args.proxies
        ? rotationMembership(`${hostName}-rotation`, appServerName(i), args.proxies, args.hostSetup.access, {
            parent: this,
            dependsOn: [healthy, ...args.proxies.ready],
            triggers: [container.id],
          })
        : undefined;
      const instance: AppInstance = { host, container, healthy, modelSync, rotation };
      this.instances.push(instance);
      previous = instance;
    }
    this.privateIps = this.instances.map((i) => i.host.privateIp);
    this.registerOutputs({ privateIps: this.privateIps });
  }
}

interface AppEnvironmentArgs {
  instanceId: string;
  heapMb: number;
  redis?: { host: pulumi.Output<string>; port: number };
  secrets: StackSecrets;
  providerApiKeys: pulumi.Output<Record<string, string>>;
  models: ModelRoutingDecl;
}

/** The container environment; the whole list is secret because it carries secrets. */
export function appEnvironment(args: AppEnvironmentArgs): pulumi.Output<string[]> {
  const s = args.secrets;
  const env = pulumi
    .all([
      s.jwtSecret,
      s.adminPassword,
      s.apiKeys.admin,
      s.apiKeys.service,
      s.apiKeys.readonly,
      s.redisAuthToken,
      args.providerApiKeys,
      args.redis?.host ?? "",
    ])
    .apply(([jwt, adminPassword, adminKey, serviceKey, readonlyKey, redisToken, providerKeys, redisHost]) => {
      const env: Record<string, string> = {
        SPRING_PROFILES_ACTIVE: "prod",
        JAVA_OPTS: javaOptions(args.heapMb),
        INSTANCE_ID: args.instanceId,
        SERVER_PORT: String(PORTS.app),
        JWT_SECRET: jwt,
        PROD_JWT_SECRET: jwt,
        INITIAL_ADMIN_PASSWORD: adminPassword,
        [API_KEY_ENV.admin]: adminKey,
        [API_KEY_ENV.service]: serviceKey,
        [API_KEY_ENV.readOnly]: readonlyKey,
      };
      if (args.redis) {
        Object.assign(env, {
          REDIS_HOST: redisHost,
          REDIS_PORT: String(args.redis.port),
          REDIS_PASSWORD: redisToken,
          REDIS_DATABASE: "0",
          SPRING_DATA_REDIS_SSL_ENABLED: "true",
        });
      } else {
        Object.assign(env, { REDIS_ENABLED: "false", MANAGEMENT_HEALTH_REDIS_ENABLED: "false" });
      }
      for (const ref of referencedProviderKeys(args.models))
        env[providerKeyEnvName(ref)] = providerKeys[ref] ?? "";
      return Object.keys(env)
        .sort()
        .map((k) => `${k}=${env[k]}`);
    });
  return pulumi.secret(env);
}

/** stdin of the sync step: secrets as exported variables, then the script (never on a command line). */
function syncInvocation(
  script: string,
  adminPassword: string,
  keys: Record<string, string>,
  models: ModelRoutingDecl,
) {
  const quote = (v: string) => `'${v.replace(/'/g, `'"'"'`)}'`;
  const exports = [
    `export JAIROUTER_URL=${quote(`http://127.0.0.1:${PORTS.app}`)}`,
    `export JAIROUTER_ADMIN_PASSWORD=${quote(adminPassword)}`,
    ...referencedProviderKeys(models).map(
      (ref) => `export ${providerKeyEnvName(ref)}=${quote(keys[ref] ?? "")}`,
    ),
  ];
  return `${exports.join("\n")}\n${script}`;
}
