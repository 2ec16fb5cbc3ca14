// The change matrix for the prod stack (3 app hosts, 2 load balancers, 1 monitoring host): one row
// per day-2 change an operator makes, with what must change and what else may.
import {
  CONTAINER,
  INSTANCE,
  KEY_PAIR,
  ON_HOST,
  VOLUME,
  ATTACHMENT,
  type MatrixRow,
} from "./change-matrix-rules";

const host = (name: string) => new RegExp(`^jr-prod-${name}(-|$)`);
const APP_HOSTS = [0, 1, 2].map((i) => host(`app-${i}`));
const LB_HOSTS = [0, 1].map((i) => host(`lb-${i}`));
const MONITORING_HOST = host("monitoring");
const ALL_HOSTS = [...APP_HOSTS, ...LB_HOSTS, MONITORING_HOST];
const ANY_APP_HOST = /^jr-prod-app-\d+(-|$)/;
const ANY_LB_HOST = /^jr-prod-lb-\d+(-|$)/;
const ANY_HOST = /^jr-prod-(app-\d+|lb-\d+|monitoring)(-|$)/;
const FOURTH_APP_HOST = host("app-3");
const APP_CONTAINER = /^jr-prod-app-\d+-jairouter$/;

const CHANGED = ["update", "replace"] as const;
const COMMAND = /^command:/;
const LB_ACTIVATE = /^jr-prod-lb-\d+-activate$/;
const TG_ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment";
/** The command that turns the certificate-expiry gauge on and publishes it (components/cert-expiry.ts). */
const CERT_EXPIRY_GAUGE = /^jr-prod-lb-\d+-cert-expiry-gauge$/;
const NEW_RUNBOOK_BASE_URL = "https://git.example.com/platform/jairouter-infra/-/blob/main/docs/runbook.md";

/** A well-formed ed25519 public key (type, then 32 key bytes), other than the synth's placeholder. */
export const NEW_SSH_PUBLIC_KEY = (() => {
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(Buffer.alloc(32, 0x5a))]);
  return `ssh-ed25519 ${blob.toString("base64")} operator@rotated`;
})();

const NEW_MODEL_INSTANCE = {
  name: "qwen2.5-72b",
  baseUrl: "http://gpustack-3.models.internal:80",
  path: "/v1-openai/chat/completions",
  weight: 1,
};

/**
 * Scaling the app tier: the fourth host comes or goes whole, and the proxies and Prometheus change
 * because they list every app host; nothing else.
 */
function scaleRow(
  change: string,
  base: Record<string, unknown> | undefined,
  set: Record<string, unknown>,
  action: "create" | "delete",
): MatrixRow {
  return {
    change,
    ...(base ? { base } : {}),
    set,
    ...(action === "delete" ? { removes: FOURTH_APP_HOST } : {}),
    must: [
      ...[INSTANCE, VOLUME, ATTACHMENT].map((type) => ({
        why: action === "create" ? "the fourth host" : "the fourth host goes",
        type,
        name: FOURTH_APP_HOST,
        actions: [action] as const,
        count: 1,
      })),
      ...[...LB_HOSTS, MONITORING_HOST].map((name) => ({
        why: "the load balancers and Prometheus list every app host",
        type: ON_HOST,
        name,
        actions: CHANGED,
      })),
    ],
    may: [
      { name: FOURTH_APP_HOST, actions: [action] },
      { type: ON_HOST, name: ANY_LB_HOST, actions: CHANGED },
      { type: ON_HOST, name: MONITORING_HOST, actions: CHANGED },
    ],
  };
}

/** A renewal: the same key, a new certificate for the same name. */
export interface TlsFixture {
  privateKeyPem: string;
  certificatePem: string;
  renewedCertificatePem: string;
}

export function matrixRows(tls: TlsFixture | undefined): MatrixRow[] {
  const rows: MatrixRow[] = [
    {
      change: "images.jairouter 3.1.2 → 3.1.3",
      set: { "images.jairouter": "sodlinken/jairouter:3.1.3" },
      must: [
        {
          why: "the app runs the new image",
          type: CONTAINER,
          name: APP_CONTAINER,
          actions: CHANGED,
          count: 3,
        },
      ],
      mentions: [{ text: "sodlinken/jairouter:3.1.3", onEach: APP_HOSTS }],
      may: [{ type: ON_HOST, name: ANY_APP_HOST, actions: CHANGED }],
    },
    {
      change: "appServers.corsAllowedOrigins + 1 origin",
      set: {
        "appServers.corsAllowedOrigins": [
          "https://console.jairouter.example.com",
          "https://admin.jairouter.example.com",
        ],
      },
      must: [
        {
          why: "the app reads its configuration only at start",
          type: CONTAINER,
          name: APP_CONTAINER,
          actions: CHANGED,
          count: 3,
        },
      ],
      mentions: [{ text: "https://admin.jairouter.example.com", onEach: APP_HOSTS }],
      may: [{ type: ON_HOST, name: ANY_APP_HOST, actions: CHANGED }],
    },
    {
      change: "loadBalancer.maxConnections 50000 → 60000",
      set: { "loadBalancer.maxConnections": 60000 },
      must: [
        {
          why: "each proxy validates and reloads the new configuration in place",
          type: COMMAND,
          name: LB_ACTIVATE,
          actions: CHANGED,
          count: 2,
        },
      ],
      mentions: [{ text: "60000", onEach: LB_HOSTS }],
      // commands only: no proxy container is replaced for a configuration change
      may: [{ type: COMMAND, name: ANY_LB_HOST, actions: CHANGED }],
    },
    {
      change: "images.nodeExporter v1.9.1 → v1.9.2",
      set: { "images.nodeExporter": "prom/node-exporter:v1.9.2" },
      must: [],
      mentions: [{ text: "prom/node-exporter:v1.9.2", onEach: ALL_HOSTS }],
      may: [{ type: ON_HOST, name: ANY_HOST, actions: CHANGED }],
    },
    {
      change: "access.sshPublicKey rotated",
      set: { "access.sshPublicKey": NEW_SSH_PUBLIC_KEY },
      must: [{ why: "EC2 holds the new public key", type: KEY_PAIR, actions: CHANGED, count: 1 }],
      mentions: [{ text: NEW_SSH_PUBLIC_KEY.split(" ")[1]!, onEach: [/./] }],
      may: [
        { type: /^command:/, name: ANY_HOST, actions: CHANGED },
        { type: /^pulumi:providers:/, actions: ["update"] },
      ],
    },
    {
      change: "appServers.tier recommended → performance",
      set: { "appServers.tier": "performance" },
      tierChange: true,
      must: [
        {
          why: "a new instance type, in place",
          type: INSTANCE,
          name: ANY_APP_HOST,
          actions: ["update"],
          count: 3,
        },
        {
          why: "the data volume grows, in place",
          type: VOLUME,
          name: ANY_APP_HOST,
          actions: ["update"],
          count: 3,
        },
      ],
      mentions: [{ text: "c6in.4xlarge", onEach: APP_HOSTS }],
      may: [{ type: ON_HOST, name: ANY_APP_HOST, actions: CHANGED }],
    },
    scaleRow("appServers.count 3 → 4", undefined, { "appServers.count": 4 }, "create"),
    scaleRow("appServers.count 4 → 3", { "appServers.count": 4 }, { "appServers.count": 3 }, "delete"),
    {
      change: "hosts.ubuntuBuild 20251022 → 20251113 (rebuild)",
      set: { "hosts.ubuntuBuild": "20251113" },
      rebuild: true,
      must: [
        ...[INSTANCE, ATTACHMENT].map((type) => ({
          why: "every host boots the new image with its data volume",
          type,
          name: ANY_HOST,
          actions: ["replace"] as const,
          count: 6,
        })),
        {
          why: "the NLB registers the new proxy instances",
          type: TG_ATTACHMENT,
          actions: ["replace"],
          count: 4,
        },
      ],
      may: [
        { type: ON_HOST, name: ANY_HOST, actions: CHANGED },
        // Docker on the new instance: the provider is updated in place (host), see host-service.ts
        { type: "pulumi:providers:docker", name: ANY_HOST, actions: ["update"] },
      ],
    },
    {
      change: "monitoring.runbookBaseUrl moved to another host",
      set: { "monitoring.runbookBaseUrl": NEW_RUNBOOK_BASE_URL },
      must: [
        {
          why: "every alert's runbook_url is in the rule file",
          type: COMMAND,
          name: /^jr-prod-monitoring-alert-rules$/,
          actions: CHANGED,
          count: 1,
        },
        {
          why: "Prometheus reads its rule file only at start (the file's hash is on the container)",
          type: CONTAINER,
          name: /^jr-prod-monitoring-prometheus$/,
          actions: CHANGED,
          count: 1,
        },
      ],
      mentions: [{ text: `${NEW_RUNBOOK_BASE_URL}#tlscertificateexpiressoon`, onEach: [MONITORING_HOST] }],
      // the monitoring host's files and containers only: no proxy, app host or instance
      may: [{ type: ON_HOST, name: MONITORING_HOST, actions: CHANGED }],
    },
    {
      change: "models.services.chat + 1 instance",
      set: { "models.services.chat.instances[2]": NEW_MODEL_INSTANCE },
      must: [],
      mentions: [{ text: NEW_MODEL_INSTANCE.baseUrl, onEach: APP_HOSTS }],
      may: [{ type: ON_HOST, name: ANY_APP_HOST, actions: CHANGED }],
    },
  ];
  if (tls) {
    const renewedLine = tls.renewedCertificatePem.trim().split("\n").at(-2)!;
    rows.push({
      change: "TLS certificate renewed (same key)",
      base: {
        tls: { mode: "provided", certificate: tls.certificatePem },
        tlsPrivateKey: tls.privateKeyPem,
      },
      set: { "tls.certificate": tls.renewedCertificatePem },
      must: [
        {
          why: "each proxy reloads in place with the renewed certificate",
          type: COMMAND,
          name: LB_ACTIVATE,
          actions: CHANGED,
          count: 2,
        },
        {
          why: "each proxy host publishes the renewed notAfter at once (TlsCertificateExpiresSoon clears)",
          type: COMMAND,
          name: CERT_EXPIRY_GAUGE,
          actions: CHANGED,
          count: 2,
        },
      ],
      mentions: [{ text: renewedLine, onEach: LB_HOSTS }],
      // commands only: no proxy container is replaced for a new certificate
      may: [{ type: COMMAND, name: ANY_LB_HOST, actions: CHANGED }],
    });
  }
  return rows;
}
