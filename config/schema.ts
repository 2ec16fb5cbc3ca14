import { z } from "zod";
import { TIERS } from "./tiers";
import { FQDN_PATTERN, imagePinProblem, imageVersion, parseIpv4Cidr, versionAtLeast } from "./validators";

/**
 * The whole stack configuration, namespace `jairouter`. Every field carries its documentation and
 * an example (`doc`): the configuration reference (docs/configuration.md) and the examples in error messages are
 * generated from these, so they cannot drift from the schema.
 */

export interface FieldDoc {
  description: string;
  /** A valid value, shown in errors and in docs/configuration.md, written as it goes into the stack YAML. */
  example: string;
}

function doc<T extends z.ZodType>(schema: T, description: string, example: string): T {
  return schema.meta({ description, example });
}

/** Canonical's Ubuntu 24.04 build every host boots unless `hosts.ubuntuBuild` names another. */
export const UBUNTU_BUILD_DEFAULT = "20251022";

export const MIN_JAIROUTER_VERSION: [number, number, number] = [3, 1, 2];

const tier = z.enum(TIERS);

const ipv4Cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseIpv4Cidr(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `"${value}" ${parsed}` });
});

const adminCidr = ipv4Cidr.refine((v) => !v.endsWith("/0"), {
  message: "opens the port to the whole internet; name the networks your operators come from",
});

const pinnedImage = z.string().superRefine((value, ctx) => {
  const problem = imagePinProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `"${value}" ${problem}` });
});

const jairouterImage = pinnedImage.superRefine((value, ctx) => {
  if (imagePinProblem(value)) return;
  const version = imageVersion(value);
  if (version && !versionAtLeast(version, MIN_JAIROUTER_VERSION)) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is older than ${MIN_JAIROUTER_VERSION.join(".")}; earlier releases read the wrong JWT variable and report unhealthy without Redis`,
    });
  }
});

const fqdn = z.string().regex(FQDN_PATTERN, { message: "is not a lower-case fully qualified domain name" });

const network = z.strictObject({
  cidr: doc(
    ipv4Cidr
      .refine((v) => {
        const p = parseIpv4Cidr(v);
        return typeof p === "string" || (p.prefix >= 16 && p.prefix <= 22);
      }, "must have a prefix between /16 and /22 (AWS allows /16 at most; the subnet plan needs 16 blocks of at least /26, each with a block of fixed host addresses)")
      .default("10.0.0.0/16"),
    "IPv4 CIDR of the VPC; split into 16 equal blocks, public subnets first, private from the ninth.",
    "10.0.0.0/16",
  ),
  zones: doc(
    z.number().int().min(1).max(6).default(3),
    "How many availability zones to spread over (production needs at least 2).",
    "3",
  ),
  availabilityZones: doc(
    z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "is not an availability zone name")).optional(),
    "Explicit zone names; by default the first `zones` zones the region reports.",
    "[eu-west-1a, eu-west-1b, eu-west-1c]",
  ),
  natGateways: doc(
    z.enum(["perZone", "single"]).default("perZone"),
    "One NAT gateway per zone (survives a zone outage) or a single one (cheaper).",
    "perZone",
  ),
  flowLogRetentionDays: doc(
    z
      .number()
      .int()
      .refine((d) => CLOUDWATCH_RETENTION_DAYS.includes(d), {
        message:
          "is not a CloudWatch Logs retention period (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)",
      })
      .default(90),
    "Days the VPC flow logs are kept in CloudWatch Logs.",
    "90",
  ),
});

export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const domain = z.strictObject({
  name: doc(fqdn, "Public DNS name clients use; the TLS certificate's first name.", "api.example.com"),
  route53ZoneId: doc(
    z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, "is not a Route53 hosted zone id")
      .optional(),
    "Hosted zone that receives the public record; without it, create the record the `dnsTarget` output names.",
    "Z0123456789ABCDEFGHIJ",
  ),
});

const access = z.strictObject({
  adminCidrs: doc(
    z.array(adminCidr).default([]),
    "Networks allowed to SSH (22) and to reach exporters and monitoring UIs. Empty: no inbound admin traffic at all; operators come in through SSM Session Manager.",
    "[203.0.113.0/24]",
  ),
  transport: doc(
    z.enum(["ssm", "bastion"]).default("ssm"),
    "How the deployer reaches hosts' SSH (for the readiness gate and Docker): SSM Session Manager tunnel, or a bastion host.",
    "ssm",
  ),
  bastionHost: doc(
    z.string().min(1).optional(),
    "user@host of the bastion when transport is `bastion`.",
    "ubuntu@bastion.example.com",
  ),
  sshUser: doc(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
      .default("ubuntu"),
    "Login user on the hosts.",
    "ubuntu",
  ),
  sshPublicKey: doc(
    z
      .string()
      .regex(
        /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/,
        "is not an OpenSSH public key",
      )
      .optional(),
    "Public key installed for sshUser as the hosts' EC2 key pair; the deployer's ssh-agent holds the private key. Required: the deployer drives Docker on every host over SSH.",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deployer",
  ),
});

const loadBalancer = z.strictObject({
  engine: doc(
    z.enum(["haproxy", "nginx"]).default("haproxy"),
    "Proxy software on the load-balancer pair.",
    "haproxy",
  ),
  tier: doc(tier.default("recommended"), "Size of each load-balancer host (R2.1).", "recommended"),
  frontDoor: doc(
    z.enum(["nlb", "dns"]).default("nlb"),
    "What fails over between the pair: an AWS Network Load Balancer, or Route53 health-checked failover records.",
    "nlb",
  ),
  internalCidrs: doc(
    z.array(ipv4Cidr).min(1).default(["10.0.0.0/8"]),
    "Client networks allowed to reach /actuator through the load balancers (R3.7).",
    "[10.0.0.0/8]",
  ),
  maxConnections: doc(
    z.number().int().min(100).max(500000).default(50000),
    "Global connection limit of each proxy.",
    "50000",
  ),
});

const appServers = z.strictObject({
  count: doc(
    z.number().int().min(1).max(50).default(3),
    "Number of JAiRouter hosts (production: 3 or more).",
    "3",
  ),
  tier: doc(tier.default("recommended"), "Size of each app host (R2.1).", "recommended"),
  heapPercent: doc(
    z.number().int().min(25).max(85).default(70),
    "Share of the container memory limit given to the Java heap.",
    "70",
  ),
  apiKeyExpiry: doc(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, "is not a local date-time like 2027-12-31T23:59:59")
      .default("2027-12-31T23:59:59"),
    "When the generated admin / service / read-only API keys expire in the app; rotate them before (docs/operations.md).",
    "2027-12-31T23:59:59",
  ),
  drainSeconds: doc(
    z.number().int().min(10).max(3600).default(300),
    "How long an app host being replaced keeps serving its in-flight requests (streamed completions run for minutes) after both proxies stop sending it new ones; also the NLB's deregistration delay.",
    "300",
  ),
  corsAllowedOrigins: doc(
    z.array(z.url().refine((u) => !u.includes("*"), "must not be a wildcard")).default([]),
    "Browser origins allowed by the app's CORS policy (never `*`).",
    "[https://console.example.com]",
  ),
});

const redis = z.strictObject({
  enabled: doc(z.boolean().default(true), "Deploy an ElastiCache Redis pair for the app's cache.", "true"),
  tier: doc(tier.default("recommended"), "Size of each Redis node (R2.1 database row).", "recommended"),
});

const emailReceiver = z.strictObject({
  to: doc(z.array(z.email()).min(1), "Addresses that receive alerts.", "[oncall@example.com]"),
  from: doc(z.email(), "Sender address.", "alertmanager@example.com"),
  smarthost: doc(
    z.string().regex(/^[a-z0-9.-]+:\d{1,5}$/, "is not host:port"),
    "SMTP relay host:port. The password is the secret `jairouter:smtpPassword`.",
    "smtp.example.com:587",
  ),
  username: doc(z.string().min(1), "SMTP login.", "alertmanager@example.com"),
});

const webhookReceiver = z.strictObject({
  name: doc(
    z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, "is not a short lower-case name"),
    "Receiver name.",
    "chatops",
  ),
  url: doc(
    z.url({ protocol: /^https?$/ }),
    "Webhook endpoint that receives Alertmanager's JSON.",
    "https://hooks.example.com/alertmanager",
  ),
});

/** Where alert e-mails link to: an absolute https URL of the runbook document, without `#` or `?`. */
const runbookBaseUrl = z.string().superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:")
    ctx.addIssue({ code: "custom", message: `"${value}" is not an absolute https:// URL` });
  else if (url.hash || url.search || value.includes("#") || value.includes("?"))
    ctx.addIssue({
      code: "custom",
      message: `"${value}" carries a query or fragment; each alert appends #<alert name>`,
    });
});

const monitoring = z.strictObject({
  tier: doc(tier.default("recommended"), "Size of the monitoring host (R2.1).", "recommended"),
  runbookBaseUrl: doc(
    runbookBaseUrl.optional(),
    "Absolute https URL of the runbook (docs/runbook.md of this repository as your team browses it); every alert's `runbook_url` is this plus `#<alert name lower-cased>`. Unset: a relative `docs/runbook.md`, which an alert e-mail cannot open.",
    "https://github.com/example-org/jairouter-infra/blob/main/docs/runbook.md",
  ),
  retentionDays: doc(z.number().int().min(1).max(3650).default(30), "Days Prometheus keeps samples.", "30"),
  alerts: doc(
    z
      .strictObject({
        email: doc(emailReceiver.optional(), "Email receiver for alerts.", "{to: [oncall@example.com], ...}"),
        webhooks: doc(
          z.array(webhookReceiver).default([]),
          "Webhook receivers for alerts.",
          "[{name: chatops, url: https://hooks.example.com/am}]",
        ),
      })
      .prefault({}),
    "Where Alertmanager sends alerts.",
    "{webhooks: [{name: chatops, url: https://hooks.example.com/am}]}",
  ),
});

const tls = z.strictObject({
  mode: doc(
    z.enum(["self-signed", "provided", "acme"]).default("self-signed"),
    "`self-signed` (a stack-local CA), `provided` (certificate in `tls.certificate`, key in the secret `jairouter:tlsPrivateKey`), `acme` (not supported yet).",
    "provided",
  ),
  certificate: doc(
    z.string().includes("-----BEGIN CERTIFICATE-----", { message: "is not a PEM certificate" }).optional(),
    "PEM certificate chain for `provided` mode (public; the key is secret).",
    "-----BEGIN CERTIFICATE-----\\n...",
  ),
});

const images = z.strictObject({
  jairouter: doc(
    jairouterImage.default("sodlinken/jairouter:3.1.2"),
    "JAiRouter image, 3.1.2 or newer.",
    "sodlinken/jairouter:3.1.2",
  ),
  haproxy: doc(pinnedImage.default("haproxy:2.8.14"), "HAProxy image.", "haproxy:2.8.14"),
  nginx: doc(pinnedImage.default("nginx:1.26.3"), "Nginx image.", "nginx:1.26.3"),
  nginxExporter: doc(
    pinnedImage.default("nginx/nginx-prometheus-exporter:1.4.1"),
    "nginx-prometheus-exporter image.",
    "nginx/nginx-prometheus-exporter:1.4.1",
  ),
  nodeExporter: doc(
    pinnedImage.default("prom/node-exporter:v1.9.1"),
    "node-exporter image.",
    "prom/node-exporter:v1.9.1",
  ),
  prometheus: doc(
    pinnedImage.default("prom/prometheus:v2.55.1"),
    "Prometheus image.",
    "prom/prometheus:v2.55.1",
  ),
  alertmanager: doc(
    pinnedImage.default("prom/alertmanager:v0.28.1"),
    "Alertmanager image.",
    "prom/alertmanager:v0.28.1",
  ),
  grafana: doc(pinnedImage.default("grafana/grafana:11.6.1"), "Grafana image.", "grafana/grafana:11.6.1"),
});

export const SERVICE_TYPES = ["chat", "embedding", "rerank", "tts", "stt", "imgGen", "imgEdit"] as const;
export const ADAPTERS = ["gpustack", "ollama", "vllm", "xinference", "localai", "openai", "normal"] as const;

const modelInstance = z.strictObject({
  name: doc(z.string().min(1).max(100), "Model name as the backend knows it.", "qwen2.5:7b"),
  baseUrl: doc(z.url({ protocol: /^https?$/ }), "Backend base URL.", "http://gpu-1.internal:9090"),
  path: doc(
    z.string().startsWith("/").default("/v1/chat/completions"),
    "Request path on the backend.",
    "/v1/chat/completions",
  ),
  weight: doc(z.number().int().min(1).max(100).default(1), "Load-balancing weight.", "1"),
  apiKeyRef: doc(
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/)
      .optional(),
    "Name of a key in the secret `jairouter:providerApiKeys` map sent as this backend's bearer token.",
    "openai",
  ),
});

const modelService = z.strictObject({
  adapter: doc(z.enum(ADAPTERS), "Backend protocol adapter.", "ollama"),
  loadBalance: doc(
    z.enum(["random", "round-robin", "least-connections", "ip-hash"]).default("round-robin"),
    "How the app spreads requests over the instances.",
    "round-robin",
  ),
  instances: doc(
    z.array(modelInstance).min(1),
    "Backend instances of this service.",
    "[{name: qwen2.5:7b, baseUrl: http://gpu-1.internal:11434}]",
  ),
});

const models = z.strictObject({
  services: doc(
    z.partialRecord(z.enum(SERVICE_TYPES), modelService).default({}),
    `Model services by type (${SERVICE_TYPES.join(", ")}); every app instance gets identical routing.`,
    "{chat: {adapter: ollama, instances: [...]}}",
  ),
});

const hosts = z.strictObject({
  ubuntuBuild: doc(
    z
      .string()
      .regex(/^\d{8}(\.\d{1,2})?$/, "is not a Canonical build serial like 20251022 or 20251022.1")
      .default(UBUNTU_BUILD_DEFAULT),
    "Canonical's build serial of the Ubuntu 24.04 server image every host boots (the same serial exists in every region). Changing it rebuilds the hosts one at a time (docs/operations.md: rolling the OS image).",
    UBUNTU_BUILD_DEFAULT,
  ),
});

const registry = z.strictObject({
  dockerHubUser: doc(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, "is not a Docker Hub user name")
      .optional(),
    "Docker Hub account the hosts pull images with (its access token is the secret `jairouter:dockerHubToken`). Anonymous pulls are rate-limited per address, and every host of a zone shares one NAT address.",
    "jairouter-deploy",
  ),
});

const backups = z.strictObject({
  retentionDays: doc(z.number().int().min(1).max(3650).default(30), "Days backups are kept (R8.1).", "30"),
});

/** The stack's monthly cost ceiling, which `npm run review` holds its cost estimate to (docs/review.md). */
export const budget = z.strictObject({
  monthlyUsd: doc(
    z.number().positive().max(1_000_000).optional(),
    "Monthly cost ceiling in US dollars: `npm run review` fails when the stack's cost estimate (docs/review.md) exceeds it. Unset: no ceiling.",
    "4500",
  ),
});

export const ENVIRONMENTS = ["production", "staging", "development"] as const;

export const stackConfigSchema = z.strictObject({
  environment: doc(
    z.enum(ENVIRONMENTS),
    "What the stack is; `production` turns on the production floor (3+ app servers, 2+ zones).",
    "production",
  ),
  network: doc(network.prefault({}), "VPC layout.", "{cidr: 10.0.0.0/16, zones: 3}"),
  domain: doc(domain, "Public name.", "{name: api.example.com}"),
  access: doc(
    access.prefault({}),
    "How people and the deployer reach hosts.",
    "{adminCidrs: [203.0.113.0/24]}",
  ),
  loadBalancer: doc(loadBalancer.prefault({}), "Load-balancer pair.", "{engine: haproxy}"),
  appServers: doc(appServers.prefault({}), "JAiRouter hosts.", "{count: 3}"),
  redis: doc(redis.prefault({}), "Redis cache.", "{enabled: true}"),
  monitoring: doc(monitoring.prefault({}), "Monitoring host.", "{retentionDays: 30}"),
  tls: doc(tls.prefault({}), "Certificates on the load balancers.", "{mode: self-signed}"),
  images: doc(images.prefault({}), "Pinned container images.", "{jairouter: sodlinken/jairouter:3.1.2}"),
  models: doc(
    models.prefault({}),
    "Model routing declared for every app instance.",
    "{services: {chat: {...}}}",
  ),
  backups: doc(backups.prefault({}), "Backup retention.", "{retentionDays: 30}"),
  budget: doc(budget.prefault({}), "Cost ceiling the pull-request review checks.", "{monthlyUsd: 4500}"),
  hosts: doc(hosts.prefault({}), "What every EC2 host boots.", `{ubuntuBuild: "${UBUNTU_BUILD_DEFAULT}"}`),
  registry: doc(
    registry.prefault({}),
    "How hosts pull container images.",
    "{dockerHubUser: jairouter-deploy}",
  ),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type StackSettings = z.output<typeof stackConfigSchema>;
export type ModelsConfig = StackSettings["models"];
export type ServiceType = (typeof SERVICE_TYPES)[number];
