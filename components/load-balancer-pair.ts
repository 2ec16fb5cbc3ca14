import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { TierSpec } from "../config/tiers";
import { renderHaproxyConfig } from "../render/haproxy";
import { defaultLbTunables, NGINX_STUB_STATUS_PATH } from "../render/lb-common";
import type { LbBackend, LoadBalancerRenderInput } from "../render/lb-types";
import { renderNginxConfig } from "../render/nginx";
import { Host, type HostSetup, type HostSubnet } from "./host";
import { hostService } from "./host-service";
import { DATA_MOUNT } from "./host-defaults";
import { HOST_SLOTS } from "./network-plan";
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
  tags: Record<string, string>;
}

/** Container-side paths: config and TLS are bind-mounted read-only from the data volume. */
const TLS_DIR = "/etc/jairouter/tls";
/** Seconds a replaced proxy gets to finish its connections before SIGKILL. */
const PROXY_STOP_GRACE_SECONDS = 30;
const ENGINE = {
  haproxy: { uid: 99, configDir: "/usr/local/etc/haproxy", configFile: "haproxy.cfg" },
  nginx: { uid: 101, configDir: "/etc/jairouter/nginx", configFile: "nginx.conf" },
} as const;

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

  constructor(name: string, args: LoadBalancerPairArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:edge:LoadBalancerPair", name, {}, opts);
    const engine = ENGINE[args.engine];
    const owner = `0:${engine.uid}`;
    const configText = pulumi
      .all([pulumi.all(args.backends), args.statsPassword])
      .apply(([addresses, password]) => {
        const backends = addresses.map((address, i) => ({ name: `app-${i}`, address, port: PORTS.app }));
        const input = lbRenderInput(args, backends, password);
        return args.engine === "haproxy" ? renderHaproxyConfig(input) : renderNginxConfig(input);
      });

    let previous: { proxy: docker.Container; serving: pulumi.Resource } | undefined;
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
          after: previous ? [previous.serving] : undefined,
          tags: args.tags,
        },
        { parent: this },
      );
      this.hosts.push(host);
      const place = (key: string, path: string, content: pulumi.Input<string>) =>
        host.placeFile(`${hostName}-${key}`, { path, content, mode: "0640", owner }, this);
      const base = `${DATA_MOUNT}/loadbalancer`;
      const files = [
        place("config", `${base}/${args.engine}/${engine.configFile}`, pulumi.secret(configText)),
        place("cert", `${base}/tls/cert.pem`, args.certificatePem),
        place("key", `${base}/tls/key.pem`, args.privateKeyPem),
        place("combined-pem", `${base}/tls/combined.pem`, args.combinedPem),
      ];

      const nofile = args.maxConnections * 2 + 1024;
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
          files,
          spec: {
            ...(args.engine === "nginx"
              ? { command: ["nginx", "-c", `${engine.configDir}/${engine.configFile}`, "-g", "daemon off;"] }
              : {}),
            user: `${engine.uid}:${engine.uid}`,
            readOnly: true,
            tmpfs:
              args.engine === "haproxy"
                ? { "/var/lib/haproxy": `rw,nosuid,uid=${engine.uid},gid=${engine.uid},size=16m` }
                : {
                    "/var/cache/nginx": `rw,nosuid,uid=${engine.uid},gid=${engine.uid},size=256m`,
                    "/var/run": `rw,nosuid,uid=${engine.uid},gid=${engine.uid},size=16m`,
                  },
            // Lets the unprivileged proxy bind 80/443 inside its own network namespace.
            sysctls: { "net.ipv4.ip_unprivileged_port_start": "0", "net.core.somaxconn": "65535" },
            ulimits: [{ name: "nofile", soft: nofile, hard: nofile }],
            ports: published.map((port) => ({ internal: port, external: port })),
            volumes: [
              { hostPath: `${base}/${args.engine}`, containerPath: engine.configDir, readOnly: true },
              { hostPath: `${base}/tls`, containerPath: TLS_DIR, readOnly: true },
            ],
            wait: false,
          },
          stopGraceSeconds: PROXY_STOP_GRACE_SECONDS,
          dependsOn: previous ? [previous.serving] : [],
        },
        this,
      );
      const serving = host.serviceGate(`${hostName}-serving`, args.engine, proxy, this);
      if (args.engine === "nginx") this.nginxExporter(hostName, args, host, proxy);
      previous = { proxy, serving };
    });

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
