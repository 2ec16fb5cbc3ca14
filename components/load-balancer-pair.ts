import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { TierSpec } from "../config/tiers";
import { HAPROXY_IDEMPOTENT_BACKEND, renderHaproxyConfig } from "../render/haproxy";
import {
  defaultLbTunables,
  haproxyServerStateFile,
  LB_HEALTH_PATH,
  NGINX_STUB_STATUS_PATH,
} from "../render/lb-common";
import type { LbBackend, LoadBalancerRenderInput } from "../render/lb-types";
import { NGINX_UPSTREAM, renderNginxConfig } from "../render/nginx";
import { haproxyRuntimeScripts } from "../render/scripts/haproxy-runtime";
import { nginxRuntimeScripts } from "../render/scripts/nginx-runtime";
import {
  NEXT_CONFIG_SUFFIX,
  PROXY_RUNTIME_PATHS,
  renderProxyRuntimeEnv,
} from "../render/scripts/proxy-runtime";
import { installCertExpiryGauge } from "./cert-expiry";
import type { ProxyFrontDoor } from "./front-door";
import { Host, type HostSetup, type HostSubnet } from "./host";
import { hostService } from "./host-service";
import { DATA_MOUNT } from "./host-defaults";
import { HOST_SLOTS } from "./network-plan";
import { appServerName, type ProxyRotation } from "./rotation";
import { sha256 } from "./ssh";
import { PORTS } from "./ports";

export interface LoadBalancerPairArgs {
  engine: "haproxy" | "nginx";
  size: TierSpec;
  /** Subnets of two different zones (public for DNS failover, private behind an NLB): primary first. */
  subnets: [HostSubnet, HostSubnet];
  securityGroupId: pulumi.Input<string>;
  /**
   * Public addresses for the pair (DNS failover: clients reach the proxies directly). Behind an NLB
   * the proxies live in private subnets and need none.
   */
  publicAddresses: boolean;
  /** What every host shares: key pair, SSH access, node-exporter, parameter prefix. */
  hostSetup: HostSetup;
  /** Public name served (redirect target, certificate name). */
  serverName: string;
  /** The app servers' private addresses, all on :8080. */
  backends: pulumi.Input<string>[];
  /** Who may reach /actuator through the proxy. */
  internalCidrs: string[];
  /** Who may read the stats page / metrics (the VPC, where the monitoring host lives). */
  monitoringCidrs: string[];
  maxConnections: number;
  /** Stats page basic-auth password (secret). */
  statsPassword: pulumi.Output<string>;
  certificatePem: pulumi.Output<string>;
  privateKeyPem: pulumi.Output<string>;
  combinedPem: pulumi.Output<string>;
  images: { haproxy: string; nginx: string; nginxExporter: string };
  /** What clients connect to: each proxy is registered there, and the standby waits for its check. */
  frontDoor?: ProxyFrontDoor;
  tags: Record<string, string>;
}

/** Container-side paths: config and TLS are bind-mounted read-only from the data volume. */
const TLS_DIR = "/etc/jairouter/tls";
/**
 * HAProxy's runtime directory inside the container (admin socket, server-state file): a host
 * directory on the data volume, so the host's drain/return/activate scripts reach the socket.
 */
const HAPROXY_RUNTIME_IN_CONTAINER = defaultLbTunables().runtime.haproxy;
const HAPROXY_RUNTIME_DIR_IN_CONTAINER = HAPROXY_RUNTIME_IN_CONTAINER.adminSocketPath.replace(/\/[^/]+$/, "");
const HAPROXY_ADMIN_SOCKET_NAME = HAPROXY_RUNTIME_IN_CONTAINER.adminSocketPath.split("/").pop()!;
/** Open files of the proxy container: 2 × the largest `loadBalancer.maxConnections` (500000) + spare. */
const PROXY_NOFILE = 1_001_024;
/** Seconds a replaced proxy gets to finish its connections before SIGKILL. */
const PROXY_STOP_GRACE_SECONDS = 30;
const ENGINE = {
  haproxy: { uid: 99, configDir: "/usr/local/etc/haproxy", configFile: "haproxy.cfg" },
  nginx: { uid: 101, configDir: "/etc/jairouter/nginx", configFile: "nginx.conf" },
} as const;

/** What the next proxy host waits for: this one runs, has activated, and the NLB has it in service. */
interface ProxyGates {
  serving: pulumi.Resource;
  activate: pulumi.Resource;
  inService?: pulumi.Resource;
}

function gatesOf(p: ProxyGates) {
  return [p.serving, p.activate, ...(p.inService ? [p.inService] : [])];
}

/** Render input for one engine, from production tunables and the stack's values. */
export function lbRenderInput(
  args: Pick<
    LoadBalancerPairArgs,
    "engine" | "serverName" | "internalCidrs" | "monitoringCidrs" | "maxConnections"
  >,
  backends: LbBackend[],
  statsPassword: string,
): LoadBalancerRenderInput {
  const tunables = defaultLbTunables();
  const listen =
    args.engine === "haproxy"
      ? { ...tunables.listen, statsPort: PORTS.haproxyMetrics, metricsPort: PORTS.haproxyMetrics }
      : { ...tunables.listen, statsPort: PORTS.lbStats, metricsPort: PORTS.lbStats };
  return {
    ...tunables,
    listen,
    serverName: args.serverName,
    backends,
    internalCidrs: args.internalCidrs,
    monitoringCidrs: [...args.monitoringCidrs, "127.0.0.1/32"],
    maxConnections: args.maxConnections,
    tls: {
      certificatePath: `${TLS_DIR}/cert.pem`,
      keyPath: `${TLS_DIR}/key.pem`,
      combinedPemPath: `${TLS_DIR}/combined.pem`,
    },
    stats: { user: "stats", password: statsPassword },
    // Nginx runs as its unprivileged user from the start, so no `user` directive.
    runtime: { ...tunables.runtime, nginx: { ...tunables.runtime.nginx, user: undefined } },
  };
}

/**
 * Two proxy hosts in two zones. A config change replaces one proxy at a time, and a host
 * replacement or resize changes one host at a time: the standby waits until the primary's proxy
 * runs again.
 */
export class LoadBalancerPair extends pulumi.ComponentResource {
  public readonly hosts: Host[] = [];
  /** Public addresses (DNS failover only; empty behind an NLB). */
  public readonly publicIps: pulumi.Output<string>[];
  public readonly privateIps: pulumi.Output<string>[];
  /** What the app rollout needs to drain and return app servers on both proxies. */
  public readonly rotation: Omit<ProxyRotation, "drainSeconds">;

  constructor(name: string, args: LoadBalancerPairArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:edge:LoadBalancerPair", name, {}, opts);
    const engine = ENGINE[args.engine];
    const owner = `0:${engine.uid}`;
    const configText = pulumi
      .all([pulumi.all(args.backends), args.statsPassword])
      .apply(([addresses, password]) => {
        const backends = addresses.map((address, i) => ({
          name: appServerName(i),
          address,
          port: PORTS.app,
        }));
        const input = lbRenderInput(args, backends, password);
        return args.engine === "haproxy" ? renderHaproxyConfig(input) : renderNginxConfig(input);
      });

    const runtimeScripts = args.engine === "haproxy" ? haproxyRuntimeScripts() : nginxRuntimeScripts();
    const base = `${DATA_MOUNT}/loadbalancer`;
    const hostConfigDir = `${base}/${args.engine}`;
    const liveConfig = `${hostConfigDir}/${engine.configFile}`;
    const runtimeDir = `${base}/haproxy-runtime`;
    const runtimeEnv = renderProxyRuntimeEnv({
      engine: args.engine,
      runtime: "docker",
      container: args.engine,
      image: args.engine === "haproxy" ? args.images.haproxy : args.images.nginx,
      hostConfigDir,
      containerConfigDir: engine.configDir,
      configFile: engine.configFile,
      backend: args.engine === "haproxy" ? HAPROXY_IDEMPOTENT_BACKEND : NGINX_UPSTREAM,
      ...(args.engine === "haproxy"
        ? {
            adminSocket: `${runtimeDir}/${HAPROXY_ADMIN_SOCKET_NAME}`,
            serverStateFile: haproxyServerStateFile(HAPROXY_RUNTIME_IN_CONTAINER),
          }
        : {}),
      healthUrl: `http://127.0.0.1:${PORTS.http}${LB_HEALTH_PATH}`,
    });

    let previous: ProxyGates | undefined;
    const activations: pulumi.Resource[] = [];
    const runtimeFiles: pulumi.Resource[] = [];
    args.subnets.forEach((subnet, i) => {
      const hostName = `${name}-lb-${i}`;
      const host = new Host(
        hostName,
        {
          role: "loadbalancer",
          size: args.size,
          subnet,
          slot: HOST_SLOTS.loadbalancer,
          securityGroupIds: [args.securityGroupId],
          setup: args.hostSetup,
          publicAddress: args.publicAddresses,
          // Never both proxies at once: the standby changes only once the primary serves again.
          after: previous ? gatesOf(previous) : undefined,
          tags: args.tags,
        },
        { parent: this },
      );
      this.hosts.push(host);
      const target = { instanceId: host.instanceId, publicIp: host.publicIp };
      const registered = args.frontDoor?.register(i, target) ?? [];
      const place = (
        key: string,
        path: string,
        content: pulumi.Input<string>,
        mode = "0640",
        fileOwner = owner,
      ) => host.placeFile(`${hostName}-${key}`, { path, content, mode, owner: fileOwner }, this);
      // The configuration is placed beside the live file; activate validates it and swaps it in.
      const config = place("config", `${liveConfig}${NEXT_CONFIG_SUFFIX}`, pulumi.secret(configText));
      const certs = [
        place("cert", `${base}/tls/cert.pem`, args.certificatePem),
        place("key", `${base}/tls/key.pem`, args.privateKeyPem),
        place("combined-pem", `${base}/tls/combined.pem`, args.combinedPem),
      ];
      // Publishes the served chain's notAfter for TlsCertificateExpiresSoon (render/cert-expiry.ts).
      installCertExpiryGauge(host, hostName, `${base}/tls/cert.pem`, certs[0]!, this);
      const runtime = [
        place("proxy-env", PROXY_RUNTIME_PATHS.env, runtimeEnv, "0644", "0:0"),
        ...runtimeScripts.map((f) =>
          place(
            `runtime-${f.path
              .split("/")
              .pop()!
              .replace(/^jairouter-proxy-/, "")}`,
            f.path,
            f.content,
            f.mode,
            "0:0",
          ),
        ),
      ];
      runtimeFiles.push(...runtime.map((f) => f.command));

      // Before the first start: HAProxy's runtime directory (admin socket, server state) where the
      // host's scripts reach it, and a live configuration for the container to start with.
      const prepare = new command.local.Command(
        `${hostName}-proxy-prepare`,
        {
          create: host.commandLine(
            [
              "set -eu",
              ...(args.engine === "haproxy"
                ? [`sudo install -d -o ${engine.uid} -g ${engine.uid} -m 0750 ${runtimeDir}`]
                : []),
              `[ -e ${liveConfig} ] || sudo cp -p ${liveConfig}${NEXT_CONFIG_SUFFIX} ${liveConfig}`,
            ].join("; "),
          ),
          triggers: [host.instanceId],
        },
        { parent: this, dependsOn: [config.command] },
      );

      // Fixed, and enough for the largest maxConnections the configuration accepts (two descriptors
      // per connection): a new maxConnections is then a configuration reload, not a new container.
      const nofile = PROXY_NOFILE;
      const published = [
        PORTS.http,
        PORTS.https,
        ...(args.engine === "haproxy" ? [PORTS.haproxyMetrics] : [PORTS.nginxExporter]),
      ];
      const { container: proxy } = hostService(
        host,
        `${hostName}-${args.engine}`,
        {
          container: args.engine,
          image: args.engine === "haproxy" ? args.images.haproxy : args.images.nginx,
          imageResourceName: `${hostName}-image`,
          // No configuration hash here: a new configuration or certificate is reloaded in place
          // (activate below), never by replacing the container.
          spec: {
            ...(args.engine === "nginx"
              ? { command: ["nginx", "-c", `${engine.configDir}/${engine.configFile}`, "-g", "daemon off;"] }
              : {}),
            user: `${engine.uid}:${engine.uid}`,
            readOnly: true,
            ...(args.engine === "haproxy"
              ? {}
              : {
                  tmpfs: {
                    "/var/cache/nginx": `rw,nosuid,uid=${engine.uid},gid=${engine.uid},size=256m`,
                    "/var/run": `rw,nosuid,uid=${engine.uid},gid=${engine.uid},size=16m`,
                  },
                }),
            // Lets the unprivileged proxy bind 80/443 inside its own network namespace.
            sysctls: { "net.ipv4.ip_unprivileged_port_start": "0", "net.core.somaxconn": "65535" },
            ulimits: [{ name: "nofile", soft: nofile, hard: nofile }],
            ports: published.map((port) => ({ internal: port, external: port })),
            volumes: [
              { hostPath: hostConfigDir, containerPath: engine.configDir, readOnly: true },
              { hostPath: `${base}/tls`, containerPath: TLS_DIR, readOnly: true },
              ...(args.engine === "haproxy"
                ? [{ hostPath: runtimeDir, containerPath: HAPROXY_RUNTIME_DIR_IN_CONTAINER }]
                : []),
            ],
            wait: false,
          },
          stopGraceSeconds: PROXY_STOP_GRACE_SECONDS,
          dependsOn: [prepare, ...certs.map((c) => c.command), ...(previous ? [previous.serving] : [])],
        },
        this,
      );
      const serving = host.serviceGate(`${hostName}-serving`, args.engine, proxy, this);
      if (args.engine === "nginx") this.nginxExporter(hostName, args, host, proxy);

      // A new configuration or certificate: validated by the running proxy's own binary, then
      // reloaded in place (no connection dropped); the standby only after the primary serves again.
      const activate = new command.local.Command(
        `${hostName}-activate`,
        {
          create: host.commandLine(`sudo ${PROXY_RUNTIME_PATHS.activate}`),
          triggers: [
            pulumi
              .all([
                config.contentHash,
                ...certs.map((c) => c.contentHash),
                ...runtime.map((r) => r.contentHash),
              ])
              .apply((hashes) => sha256(hashes.join(","))),
            proxy.id,
          ],
        },
        {
          parent: this,
          dependsOn: [
            serving,
            config.command,
            ...certs.map((c) => c.command),
            ...runtime.map((r) => r.command),
            ...(previous ? gatesOf(previous) : []),
          ],
          customTimeouts: { create: "10m" },
        },
      );
      activations.push(activate);
      // The NLB's own check sees this proxy in service before the standby's turn.
      const inService = args.frontDoor?.inService(i, target, registered, activate);
      previous = { serving, activate, inService };
    });

    this.rotation = {
      hosts: this.hosts.map((h) => ({ name: h.hostName, privateIp: h.plannedAddress })),
      ready: [...activations, ...runtimeFiles],
    };
    this.publicIps = this.hosts.flatMap((h) => (h.publicIp ? [h.publicIp] : []));
    this.privateIps = this.hosts.map((h) => h.privateIp);
    this.registerOutputs({ publicIps: this.publicIps, privateIps: this.privateIps });
  }

  /** nginx-prometheus-exporter in the proxy's network namespace, reading stub_status on loopback. */
  private nginxExporter(hostName: string, args: LoadBalancerPairArgs, host: Host, proxy: docker.Container) {
    hostService(
      host,
      `${hostName}-nginx-exporter`,
      {
        container: "nginx-exporter",
        image: args.images.nginxExporter,
        imageResourceName: `${hostName}-exporter-image`,
        spec: {
          command: [
            `--nginx.scrape-uri=http://127.0.0.1:${PORTS.lbStats}${NGINX_STUB_STATUS_PATH}`,
            `--web.listen-address=:${PORTS.nginxExporter}`,
          ],
          networkMode: pulumi.interpolate`container:${proxy.id}`,
          user: "65534:65534",
          readOnly: true,
        },
        stopGraceSeconds: 5,
      },
      this,
    );
  }
}
