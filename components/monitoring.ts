import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { StackSettings } from "../config/schema";
import { tierSpec } from "../config/tiers";
import { renderAlertRules } from "../render/alert-rules";
import { renderAlertmanagerConfig } from "../render/alertmanager";
import {
  GRAFANA_ADMIN_PASSWORD_ENV,
  grafanaSecurityEnv,
  renderGrafanaDashboardProvider,
  renderGrafanaDashboards,
  renderGrafanaDatasources,
} from "../render/grafana";
import { GRAFANA_IMAGE_UID, PROM_IMAGE_UID } from "../render/backup";
import { HAPROXY_IDEMPOTENT_BACKEND } from "../render/haproxy";
import type { DataDirectory } from "../render/host-types";
import type {
  AlertmanagerRenderInput,
  GrafanaRenderInput,
  LbEngine,
  MonitoringRenderInput,
  ScrapeTarget,
} from "../render/monitoring-types";
import { renderPrometheusConfig } from "../render/prometheus";
import type { BackupTarget } from "./backups";
import { Host, type HostSetup, type HostSubnet } from "./host";
import { hostService, type ServiceContainerSpec } from "./host-service";
import { DATA_MOUNT } from "./host-defaults";
import type { MonitoredHost } from "./monitored-host";
import { HOST_SLOTS } from "./network-plan";
import { PORTS } from "./ports";
import type { StackSecrets } from "./secrets";

/**
 * Base of every alert's `runbook_url` when `monitoring.runbookBaseUrl` is unset: the runbook's path
 * in the repository, so an alert links to `docs/runbook.md#<alert name lower-cased>`, the
 * `### <AlertName>` heading of its entry. Not clickable from an alert e-mail: stacks set the key to
 * the absolute URL of the same file.
 */
export const RUNBOOK_BASE_URL = "docs/runbook.md";

/** UIDs the official images run as: `nobody` in the prom/* images, `grafana` in Grafana's. */
export const PROM_UID = PROM_IMAGE_UID;
export const GRAFANA_UID = GRAFANA_IMAGE_UID;

/** Scrape and evaluation intervals, seconds (R5.1: the app every 10 s). */
const INTERVALS = { scrape: 15, app: 10, evaluation: 15 } as const;

const BASE = `${DATA_MOUNT}/monitoring`;
const CONFIG = `${BASE}/config`;
/** Rule file path relative to prometheus.yml (Prometheus resolves it against the config's directory). */
export const RULE_FILE = "rules/jairouter.rules.yml";
const GRAFANA_DASHBOARDS = "/etc/grafana/dashboards";

export interface MonitoringArgs {
  /** Cluster name: external label `cluster` and the alert email subject, e.g. `jairouter-prod`. */
  cluster: string;
  /** Environment (stack) name: external label `environment`, e.g. `prod`. */
  environment: string;
  /** JAiRouter hosts: scraped at `:8080/actuator/prometheus` and node-exporter `:9100`. */
  appHosts: MonitoredHost[];
  /** Load-balancer hosts (none, or the pair): scraped at their exporter and node-exporter. */
  lbHosts: MonitoredHost[];
  /** Private subnets of the VPC; the monitoring host goes in the first one. */
  privateSubnets: HostSubnet[];
  /** The monitoring security group (UIs only from admin CIDRs; scrapes out to the other groups). */
  securityGroupId: pulumi.Input<string>;
  /** What every host shares: key pair, SSH access, node-exporter, parameter prefix. */
  hostSetup: HostSetup;
  /** Generated secrets; Grafana's admin password comes from here. */
  secrets: Pick<StackSecrets, "grafanaAdminPassword">;
  /** SMTP password of the email receiver (secret); required when `settings.alerts.email` is set. */
  smtpPassword?: pulumi.Output<string>;
  /** `jairouter:monitoring`: tier, retention and alert receivers. */
  settings: StackSettings["monitoring"];
  /** Pinned images (Prometheus, Alertmanager, Grafana). */
  images: Pick<StackSettings["images"], "prometheus" | "alertmanager" | "grafana">;
  /** Load-balancer software: decides the LB exporter port, job name and alert expressions. */
  lbEngine: LbEngine;
  /** The stack's backup bucket: Prometheus, Grafana and Alertmanager state is backed up there. */
  backups?: BackupTarget;
  /** Tags for every resource. */
  tags: Record<string, string>;
}

/** A monitored host with its Outputs resolved. */
export interface PlainHost {
  name: string;
  role: MonitoredHost["role"];
  privateIp: string;
  zone: string;
}

/** Everything prometheus.yml and the rule file need, from resolved hosts (pure; tested plainly). */
export function monitoringRenderInput(args: {
  cluster: string;
  environment: string;
  lbEngine: LbEngine;
  apps: PlainHost[];
  lbs: PlainHost[];
  self: PlainHost;
  /** `monitoring.runbookBaseUrl`; RUNBOOK_BASE_URL when unset. */
  runbookBaseUrl?: string;
}): MonitoringRenderInput {
  const at = (h: PlainHost, port: number): ScrapeTarget => ({
    address: `${h.privateIp}:${port}`,
    instance: h.name,
    role: h.role,
    zone: h.zone,
  });
  const lbPort = args.lbEngine === "haproxy" ? PORTS.haproxyMetrics : PORTS.nginxExporter;
  return {
    cluster: args.cluster,
    environment: args.environment,
    scrapeIntervalSeconds: INTERVALS.scrape,
    appScrapeIntervalSeconds: INTERVALS.app,
    evaluationIntervalSeconds: INTERVALS.evaluation,
    appTargets: args.apps.map((h) => at(h, PORTS.app)),
    lbEngine: args.lbEngine,
    lbTargets: args.lbs.map((h) => at(h, lbPort)),
    haproxyAppBackend: HAPROXY_IDEMPOTENT_BACKEND,
    nodeTargets: [...args.apps, ...args.lbs, args.self].map((h) => at(h, PORTS.nodeExporter)),
    self: {
      prometheus: at(args.self, PORTS.prometheus),
      alertmanager: at(args.self, PORTS.alertmanager),
      grafana: at(args.self, PORTS.grafana),
    },
    ruleFiles: [RULE_FILE],
    runbookBaseUrl: args.runbookBaseUrl ?? RUNBOOK_BASE_URL,
  };
}

/** alertmanager.yml input: every receiver gets both severities (the routes differ in repeat interval). */
export function alertmanagerRenderInput(
  cluster: string,
  alerts: StackSettings["monitoring"]["alerts"],
  smtpPassword: string | undefined,
): AlertmanagerRenderInput {
  const email = alerts.email;
  return {
    cluster,
    email: email && {
      to: [...email.to],
      from: email.from,
      smarthost: email.smarthost,
      authUsername: email.username,
      authPassword: smtpPassword,
      requireTls: true,
      severities: ["critical", "warning"],
    },
    webhooks: alerts.webhooks.map((w) => ({ name: w.name, url: w.url, severities: ["critical", "warning"] })),
  };
}

/** Grafana provisioning input: the datasource reaches Prometheus at the host's private address. */
export function grafanaRenderInput(privateIp: string, lbEngine: LbEngine): GrafanaRenderInput {
  return {
    prometheusUrl: `http://${privateIp}:${PORTS.prometheus}`,
    lbEngine,
    haproxyAppBackend: HAPROXY_IDEMPOTENT_BACKEND,
    dashboardsPath: GRAFANA_DASHBOARDS,
    appScrapeIntervalSeconds: INTERVALS.app,
  };
}

/** The deployer's SSM port forward to `port` on the instance (the UIs are not public). */
export function tunnelCommand(instanceId: string, port: number, region: string): string {
  const parameters = JSON.stringify({ portNumber: [String(port)], localPortNumber: [String(port)] });
  return `aws ssm start-session --region ${region} --target ${instanceId} --document-name AWS-StartPortForwardingSession --parameters '${parameters}'`;
}

/** Data directories of the services (owned by the image users) and the config tree (root, readable). */
export function monitoringDirectories(): DataDirectory[] {
  const dir = (path: string, uid: number, mode: string): DataDirectory => ({ path, uid, gid: uid, mode });
  return [
    dir("monitoring/prometheus", PROM_UID, "0750"),
    dir("monitoring/alertmanager", PROM_UID, "0750"),
    dir("monitoring/grafana", GRAFANA_UID, "0750"),
    ...[
      "config",
      "config/prometheus",
      "config/prometheus/rules",
      "config/alertmanager",
      "config/grafana",
      "config/grafana/provisioning",
      // Grafana reads every provisioning kind; empty directories keep it from logging errors.
      ...["datasources", "dashboards", "plugins", "alerting"].map((k) => `config/grafana/provisioning/${k}`),
      "config/grafana/dashboards",
    ].map((p) => dir(`monitoring/${p}`, 0, "0755")),
  ];
}

/** Settings every monitoring container shares (R4.2's hardening, applied to the monitoring stack). */
function hardened(user: number): ServiceContainerSpec {
  return {
    user: `${user}:${user}`,
    readOnly: true,
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    wait: true,
    waitTimeout: 300,
  };
}

/**
 * Seconds each service gets to stop on a replacement before SIGKILL: Prometheus writes its head
 * block and WAL checkpoint on shutdown, which a large head needs time for.
 */
const STOP_GRACE_SECONDS = { prometheus: 120, alertmanager: 30, grafana: 30 } as const;

/** A health check over HTTP with the client the image ships. */
function httpHealthcheck(client: "wget" | "curl", port: number, path: string) {
  const url = `http://127.0.0.1:${port}${path}`;
  const call =
    client === "wget" ? ["wget", "-q", "-O", "/dev/null", url] : ["curl", "-fsS", "-o", "/dev/null", url];
  return { tests: ["CMD", ...call], interval: "15s", timeout: "5s", retries: 5, startPeriod: "60s" };
}

/** A file on the monitoring host, content possibly secret. */
interface PlacedFile {
  key: string;
  path: string;
  content: pulumi.Input<string>;
  owner: number;
  mode: string;
}

/**
 * The monitoring layer (R1.6, R5): one host in a private subnet running Prometheus, Alertmanager and
 * Grafana as pinned, hardened containers, with their state on the encrypted data volume and their
 * configuration rendered by `render/` and bind-mounted read-only. A changed file replaces the
 * container that reads it (config hash label): simple and deterministic, no reload endpoints.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly host: Host;
  public readonly privateIp: pulumi.Output<string>;
  public readonly prometheusUrl: pulumi.Output<string>;
  public readonly alertmanagerUrl: pulumi.Output<string>;
  public readonly grafanaUrl: pulumi.Output<string>;
  /** SSM port-forward commands that open each UI on the operator's localhost. */
  public readonly tunnelCommands: pulumi.Output<Record<"prometheus" | "alertmanager" | "grafana", string>>;
  public readonly containers: Record<"prometheus" | "alertmanager" | "grafana", docker.Container>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:monitoring:Monitoring", name, {}, opts);
    const subnet = args.privateSubnets[0];
    if (!subnet) throw new Error("Monitoring needs at least one private subnet");
    if (args.settings.alerts.email && !args.smtpPassword)
      throw new Error("monitoring.alerts.email is set but the secret jairouter:smtpPassword is not");

    const hostName = `${name}-monitoring`;
    const host = new Host(
      hostName,
      {
        role: "monitoring",
        size: tierSpec("monitoring", args.settings.tier),
        subnet,
        slot: HOST_SLOTS.monitoring,
        securityGroupIds: [args.securityGroupId],
        setup: args.hostSetup,
        extraDirectories: monitoringDirectories(),
        backup: args.backups,
        tags: args.tags,
      },
      { parent: this },
    );
    this.host = host;
    // The subnet's zone is the host's zone, and is known before the instance exists.
    const self: MonitoredHost = {
      name: hostName,
      role: "monitoring",
      privateIp: host.privateIp,
      zone: pulumi.output(subnet.zone),
    };

    const resolve = (h: MonitoredHost): pulumi.Output<PlainHost> =>
      pulumi
        .all([h.privateIp, h.zone])
        .apply(([privateIp, zone]) => ({ name: h.name, role: h.role, privateIp, zone }));
    const input = pulumi
      .all([pulumi.all(args.appHosts.map(resolve)), pulumi.all(args.lbHosts.map(resolve)), resolve(self)])
      .apply(([apps, lbs, me]) =>
        monitoringRenderInput({
          cluster: args.cluster,
          environment: args.environment,
          lbEngine: args.lbEngine,
          apps,
          lbs,
          self: me,
          runbookBaseUrl: args.settings.runbookBaseUrl,
        }),
      );
    const grafanaInput = host.privateIp.apply((ip) => grafanaRenderInput(ip, args.lbEngine));
    // Secret as a whole: it carries the SMTP password, and webhook URLs often embed a token.
    const alertmanagerYml = pulumi.secret(
      pulumi
        .output(args.smtpPassword ?? "")
        .apply((password) =>
          renderAlertmanagerConfig(
            alertmanagerRenderInput(
              args.cluster,
              args.settings.alerts,
              args.smtpPassword ? password : undefined,
            ),
          ),
        ),
    );

    const place = (files: PlacedFile[]) =>
      files.map((f) =>
        host.placeFile(
          `${hostName}-${f.key}`,
          { path: f.path, content: f.content, mode: f.mode, owner: `${f.owner}:${f.owner}` },
          this,
        ),
      );
    const file = (key: string, path: string, content: pulumi.Input<string>, owner: number): PlacedFile => ({
      key,
      path: `${CONFIG}/${path}`,
      content,
      owner,
      mode: "0440",
    });
    const promFiles = place([
      file("prometheus-yml", "prometheus/prometheus.yml", input.apply(renderPrometheusConfig), PROM_UID),
      file("alert-rules", `prometheus/${RULE_FILE}`, input.apply(renderAlertRules), PROM_UID),
    ]);
    const amFiles = place([
      {
        ...file("alertmanager-yml", "alertmanager/alertmanager.yml", alertmanagerYml, PROM_UID),
        mode: "0400",
      },
    ]);
    // Dashboard file names are fixed by the renderer; only their contents depend on Outputs.
    const dashboards = Object.keys(renderGrafanaDashboards(grafanaRenderInput("127.0.0.1", args.lbEngine)));
    const grafanaFiles = place([
      file(
        "grafana-datasources",
        "grafana/provisioning/datasources/prometheus.yml",
        grafanaInput.apply(renderGrafanaDatasources),
        GRAFANA_UID,
      ),
      file(
        "grafana-dashboard-provider",
        "grafana/provisioning/dashboards/jairouter.yml",
        grafanaInput.apply(renderGrafanaDashboardProvider),
        GRAFANA_UID,
      ),
      ...dashboards.sort().map((name) =>
        file(
          `grafana-dashboard-${name.replace(/\.json$/, "")}`,
          `grafana/dashboards/${name}`,
          grafanaInput.apply((g) => renderGrafanaDashboards(g)[name] ?? ""),
          GRAFANA_UID,
        ),
      ),
    ]);

    const container = (
      service: "prometheus" | "alertmanager" | "grafana",
      image: string,
      files: ReturnType<typeof place>,
      spec: ServiceContainerSpec,
    ) =>
      hostService(
        host,
        `${hostName}-${service}`,
        {
          container: service,
          image,
          // A changed file replaces the container: it reads its configuration only at start.
          files,
          spec,
          labels: [{ label: "jairouter.service", value: service }],
          stopGraceSeconds: STOP_GRACE_SECONDS[service],
        },
        this,
      ).container;

    // prom/* images are busybox-based: `wget` is there, `curl` is not.
    const prometheus = container("prometheus", args.images.prometheus, promFiles, {
      ...hardened(PROM_UID),
      // Host network: it scrapes node-exporter on this same host by its private address and listens
      // on :9090, which the security group opens to the admin CIDRs only.
      networkMode: "host",
      command: [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        `--storage.tsdb.retention.time=${args.settings.retentionDays}d`,
        `--web.listen-address=:${PORTS.prometheus}`,
        // alert links point where the operator's SSM tunnel opens it (docs/runbook.md)
        `--web.external-url=http://localhost:${PORTS.prometheus}`,
        // The backup takes TSDB snapshots through the admin API (POST /api/v1/admin/tsdb/snapshot).
        // It also offers series deletion, on the UI's port: 9090 is reachable from this host and from
        // access.adminCidrs only (empty by default; firewall-rules.ts), the same people as the UI.
        "--web.enable-admin-api",
      ],
      volumes: [
        { hostPath: `${BASE}/prometheus`, containerPath: "/prometheus" },
        { hostPath: `${CONFIG}/prometheus`, containerPath: "/etc/prometheus", readOnly: true },
      ],
      healthcheck: httpHealthcheck("wget", PORTS.prometheus, "/-/healthy"),
    });
    const alertmanager = container("alertmanager", args.images.alertmanager, amFiles, {
      ...hardened(PROM_UID),
      ports: [{ internal: PORTS.alertmanager, external: PORTS.alertmanager }],
      command: [
        "--config.file=/etc/alertmanager/alertmanager.yml",
        "--storage.path=/alertmanager",
        `--web.listen-address=:${PORTS.alertmanager}`,
        `--web.external-url=http://localhost:${PORTS.alertmanager}`,
        // a single instance: no gossip port
        "--cluster.listen-address=",
      ],
      volumes: [
        { hostPath: `${BASE}/alertmanager`, containerPath: "/alertmanager" },
        { hostPath: `${CONFIG}/alertmanager`, containerPath: "/etc/alertmanager", readOnly: true },
      ],
      healthcheck: httpHealthcheck("wget", PORTS.alertmanager, "/-/healthy"),
    });
    // Grafana's image installs curl on both its Alpine and Ubuntu bases (busybox wget only on
    // Alpine), so curl is the client that survives a base change. Its only writable paths are the
    // data volume (/var/lib/grafana: database, plugins) and /tmp; it logs to the console.
    const grafanaEnv = pulumi.secret(
      args.secrets.grafanaAdminPassword.apply((password) => {
        const env: Record<string, string> = {
          ...grafanaSecurityEnv(),
          GF_LOG_MODE: "console",
          GF_PATHS_DATA: "/var/lib/grafana",
          GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
          [GRAFANA_ADMIN_PASSWORD_ENV]: password,
        };
        return Object.keys(env)
          .sort()
          .map((k) => `${k}=${env[k]}`);
      }),
    );
    const grafana = container("grafana", args.images.grafana, grafanaFiles, {
      ...hardened(GRAFANA_UID),
      ports: [{ internal: PORTS.grafana, external: PORTS.grafana }],
      envs: grafanaEnv,
      volumes: [
        { hostPath: `${BASE}/grafana`, containerPath: "/var/lib/grafana" },
        {
          hostPath: `${CONFIG}/grafana/provisioning`,
          containerPath: "/etc/grafana/provisioning",
          readOnly: true,
        },
        { hostPath: `${CONFIG}/grafana/dashboards`, containerPath: GRAFANA_DASHBOARDS, readOnly: true },
      ],
      healthcheck: httpHealthcheck("curl", PORTS.grafana, "/api/health"),
    });
    this.containers = { prometheus, alertmanager, grafana };

    this.privateIp = host.privateIp;
    this.prometheusUrl = pulumi.interpolate`http://${host.privateIp}:${PORTS.prometheus}`;
    this.alertmanagerUrl = pulumi.interpolate`http://${host.privateIp}:${PORTS.alertmanager}`;
    this.grafanaUrl = pulumi.interpolate`http://${host.privateIp}:${PORTS.grafana}`;
    const region = args.hostSetup.access.region;
    this.tunnelCommands = host.instanceId.apply((id) => ({
      prometheus: tunnelCommand(id, PORTS.prometheus, region),
      alertmanager: tunnelCommand(id, PORTS.alertmanager, region),
      grafana: tunnelCommand(id, PORTS.grafana, region),
    }));
    this.registerOutputs({
      privateIp: this.privateIp,
      prometheusUrl: this.prometheusUrl,
      alertmanagerUrl: this.alertmanagerUrl,
      grafanaUrl: this.grafanaUrl,
      tunnelCommands: this.tunnelCommands,
    });
  }
}
