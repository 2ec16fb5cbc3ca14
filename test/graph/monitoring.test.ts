import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  GRAFANA_UID,
  PROM_UID,
  alertmanagerRenderInput,
  monitoringRenderInput,
  type PlainHost,
} from "../../components/monitoring";
import { PORTS } from "../../components/ports";
import { tierSpec } from "../../config/tiers";
import { imagePinProblem } from "../../config/validators";
import { renderPrometheusConfig } from "../../render/prometheus";
import { MockCloud, redact } from "../../scripts/lib/mock-cloud";
import { SYNTH_SECRET_PREFIX } from "../../scripts/lib/stack-file";
import { plainInputs, resourcesOf, synthStack, type RecordedResource, type SynthResult } from "./helpers";

const CONTAINER = "docker:index/container:Container";
const INSTANCE = "aws:ec2/instance:Instance";
const SERVICES = ["prometheus", "alertmanager", "grafana"] as const;
const SMTP_PLACEHOLDER = `${SYNTH_SECRET_PREFIX}:jairouter:smtpPassword`;

interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}
interface PromConfig {
  scrape_configs: { job_name: string; metrics_path: string; static_configs: StaticConfig[] }[];
  rule_files: string[];
}

function monitoringContainer(result: SynthResult, service: string): RecordedResource {
  const found = resourcesOf(result, CONTAINER).find(
    (c) => c.name === `jr-${stackOf(result)}-monitoring-${service}`,
  );
  if (!found) throw new Error(`no ${service} container`);
  return found;
}

function stackOf(result: SynthResult): string {
  return result.resources[0]!.urn.split("::")[0]!.replace("urn:pulumi:", "");
}

/** A file the stack places, by its absolute path on the host. */
function placedFile(result: SynthResult, path: string): string {
  const hits = [...result.files.entries()].filter(([key]) => key.endsWith(path));
  if (hits.length !== 1) throw new Error(`${hits.length} files at ${path}`);
  return hits[0]![1];
}

function jobTargets(config: PromConfig, job: string): StaticConfig[] {
  return config.scrape_configs.find((j) => j.job_name === job)?.static_configs ?? [];
}

/** [name, Role tag] of every EC2 host of the stack, sorted. */
function hostRoles(result: SynthResult): string[][] {
  return resourcesOf(result, INSTANCE)
    .map((r) => [r.name, plainInputs(r).tags.Role as string])
    .sort();
}

/** The LB job lists exactly the load-balancer hosts (none yet, or the pair) on the exporter port. */
function expectLbTargets(result: SynthResult, config: PromConfig, job: string, port: number) {
  const lbs = hostRoles(result).filter(([, role]) => role === "loadbalancer");
  const targets = jobTargets(config, job);
  expect(targets.map((s) => [s.labels.instance, s.labels.role]).sort()).toEqual(lbs);
  expect(targets.every((s) => s.targets.every((t) => t.endsWith(`:${port}`)))).toBe(true);
}

function envOf(container: RecordedResource): Record<string, string> {
  const list = plainInputs(container).envs as string[];
  return Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

describe("Monitoring (prod)", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("puts the monitoring host in a private subnet with the monitoring tier's instance type", () => {
    const host = resourcesOf(prod, INSTANCE).find((r) => r.name === "jr-prod-monitoring")!;
    expect(host).toBeDefined();
    const inputs = plainInputs(host);
    expect(inputs.instanceType).toBe(tierSpec("monitoring", "recommended").instanceType);
    expect(inputs.associatePublicIpAddress).toBe(false);
    const subnets = new Map(
      resourcesOf(prod, "aws:ec2/subnet:Subnet").map((s) => [MockCloud.idOf(s), s.name]),
    );
    expect(subnets.get(inputs.subnetId)).toMatch(/-private-\d+$/);
    const groups = new Map(
      resourcesOf(prod, "aws:ec2/securityGroup:SecurityGroup").map((g) => [MockCloud.idOf(g), g.name]),
    );
    expect((inputs.vpcSecurityGroupIds as string[]).map((id) => groups.get(id))).toEqual([
      "jr-prod-monitoring",
    ]);
  });

  it("creates the service directories on the data volume with the images' UIDs", () => {
    const userData = placedFile(prod, "jr-prod-monitoring/var/lib/cloud/instance/user-data.txt");
    expect(userData).toContain(`monitoring/prometheus ${PROM_UID} ${PROM_UID} 0750`);
    expect(userData).toContain(`monitoring/alertmanager ${PROM_UID} ${PROM_UID} 0750`);
    expect(userData).toContain(`monitoring/grafana ${GRAFANA_UID} ${GRAFANA_UID} 0750`);
    expect(userData).not.toContain(SMTP_PLACEHOLDER);
  });

  it("lets the host read only its own role's SSM parameters", () => {
    const own = resourcesOf(prod, "aws:iam/rolePolicy:RolePolicy").find(
      (p) => p.name === "jr-prod-monitoring-own",
    )!;
    const policy = JSON.parse(plainInputs(own).policy as string);
    expect(policy.Statement.map((s: { Resource: string }) => s.Resource)).toEqual([
      "arn:aws:ssm:*:*:parameter/jairouter/prod/monitoring/*",
    ]);
  });

  it("runs Prometheus, Alertmanager and Grafana from pinned images on the monitoring host's Docker", () => {
    const expected = {
      prometheus: "prom/prometheus:v2.55.1",
      alertmanager: "prom/alertmanager:v0.28.1",
      grafana: "grafana/grafana:11.6.1",
    };
    for (const service of SERVICES) {
      const c = monitoringContainer(prod, service);
      expect(c.provider).toMatch(/pulumi:providers:docker::jr-prod-monitoring-docker::/);
      const image = plainInputs(c).image as string;
      expect(image).toBe(expected[service]);
      expect(imagePinProblem(image)).toBeUndefined();
      const pulled = resourcesOf(prod, "docker:index/remoteImage:RemoteImage").find(
        (r) => r.name === `jr-prod-monitoring-${service}-image`,
      )!;
      expect(pulled.provider).toBe(c.provider);
    }
  });

  it("hardens every container and keeps its state on the data volume, config read-only", () => {
    for (const service of SERVICES) {
      const c = redact(monitoringContainer(prod, service).inputs) as Record<string, any>;
      expect(c.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(c.readOnly).toBe(true);
      expect(c.capabilities.drops).toEqual(["ALL"]);
      expect(c.securityOpts).toContain("no-new-privileges:true");
      expect(c.logOpts).toEqual({ "max-size": "100m", "max-file": "3" });
      expect(c.restart).toBe("unless-stopped");
      expect(c.healthcheck.tests[0]).toBe("CMD");
      expect(c.wait).toBe(true);
      const volumes = c.volumes as { hostPath: string; containerPath: string; readOnly?: boolean }[];
      expect(volumes.every((v) => v.hostPath.startsWith("/data/monitoring/"))).toBe(true);
      const config = volumes.filter((v) => v.hostPath.startsWith("/data/monitoring/config/"));
      expect(config.length).toBeGreaterThan(0);
      expect(config.every((v) => v.readOnly === true)).toBe(true);
      expect(volumes.filter((v) => !v.readOnly)).toHaveLength(1);
    }
    const prometheus = plainInputs(monitoringContainer(prod, "prometheus"));
    expect(prometheus.command).toContain("--storage.tsdb.retention.time=30d");
    expect(prometheus.volumes).toContainEqual({
      hostPath: "/data/monitoring/prometheus",
      containerPath: "/prometheus",
    });
  });

  it("keeps Grafana's admin password secret and turns off anonymous access and sign-up", () => {
    const grafana = monitoringContainer(prod, "grafana");
    expect((redact(grafana.inputs) as Record<string, unknown>).envs).toBe("[secret]");
    const env = envOf(grafana);
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe("false");
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe("false");
    expect(JSON.stringify(prod.outputs)).not.toContain(env.GF_SECURITY_ADMIN_PASSWORD);
  });

  it("puts the SMTP password into alertmanager.yml and nowhere in clear", () => {
    const alertmanagerYml = placedFile(prod, "/data/monitoring/config/alertmanager/alertmanager.yml");
    expect(alertmanagerYml).toContain(`auth_password: ${SMTP_PLACEHOLDER}`);
    for (const r of prod.resources) {
      expect(JSON.stringify(redact(r.inputs)), r.name).not.toContain(SMTP_PLACEHOLDER);
    }
    expect(JSON.stringify(prod.outputs)).not.toContain(SMTP_PLACEHOLDER);
    const am = redact(monitoringContainer(prod, "alertmanager").inputs) as Record<string, unknown>;
    expect(am.labels).toBe("[secret]"); // the config hash fingerprints the password
  });

  it("scrapes every app host on :8080/actuator/prometheus and node-exporter on every host", () => {
    const config = parse(placedFile(prod, "/data/monitoring/config/prometheus/prometheus.yml")) as PromConfig;
    const out = prod.outputs as Record<string, any>;
    const appIps = out.appPrivateIps as string[];
    expect(appIps).toHaveLength(3);
    const app = jobTargets(config, "jairouter");
    expect(config.scrape_configs.find((j) => j.job_name === "jairouter")?.metrics_path).toBe(
      "/actuator/prometheus",
    );
    expect(app.flatMap((s) => s.targets)).toEqual(appIps.map((ip) => `${ip}:${PORTS.app}`));
    expect(app.map((s) => s.labels.instance)).toEqual(["jr-prod-app-0", "jr-prod-app-1", "jr-prod-app-2"]);
    expect(app.every((s) => s.labels.role === "app")).toBe(true);

    const monIp = out.monitoringPrivateIp as string;
    const nodes = jobTargets(config, "node");
    const addresses = nodes.flatMap((s) => s.targets);
    for (const ip of [...appIps, monIp]) expect(addresses).toContain(`${ip}:${PORTS.nodeExporter}`);
    expect(addresses.every((a) => a.endsWith(`:${PORTS.nodeExporter}`))).toBe(true);
    // every EC2 host of the stack, with its Role tag as the role label
    expect(nodes.map((s) => [s.labels.instance, s.labels.role]).sort()).toEqual(hostRoles(prod));
    expectLbTargets(prod, config, "haproxy", PORTS.haproxyMetrics);
    for (const job of ["prometheus", "alertmanager", "grafana"]) {
      const [self] = jobTargets(config, job);
      expect(self?.labels).toMatchObject({ instance: "jr-prod-monitoring", role: "monitoring" });
      expect(self?.labels.zone).toMatch(/^eu-west-1[a-f]$/);
    }
    expect(config.rule_files).toEqual(["rules/jairouter.rules.yml"]);
    // The rule file sits where prometheus.yml's relative path resolves inside the container.
    expect(placedFile(prod, "/data/monitoring/config/prometheus/rules/jairouter.rules.yml")).toContain(
      "alert: ",
    );
  });

  it("points Grafana at Prometheus and outputs private URLs and SSM tunnel commands", () => {
    const out = prod.outputs as Record<string, any>;
    const ip = out.monitoringPrivateIp as string;
    expect(ip).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(out.prometheusUrl).toBe(`http://${ip}:9090`);
    expect(out.alertmanagerUrl).toBe(`http://${ip}:9093`);
    expect(out.grafanaUrl).toBe(`http://${ip}:3000`);
    const datasources = placedFile(
      prod,
      "/data/monitoring/config/grafana/provisioning/datasources/prometheus.yml",
    );
    expect(datasources).toContain(`url: http://${ip}:9090`);
    const instanceId = MockCloud.idOf(
      resourcesOf(prod, INSTANCE).find((r) => r.name === "jr-prod-monitoring")!,
    );
    expect(out.monitoringTunnelCommands.grafana).toBe(
      `aws ssm start-session --region eu-west-1 --target ${instanceId} --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["3000"],"localPortNumber":["3000"]}'`,
    );
  });

  it("replaces only the containers whose configuration changed", async () => {
    const bigger = await synthStack("prod", {
      "jairouter:appServers": { count: 4, tier: "recommended", heapPercent: 70 },
    });
    const hash = (r: SynthResult, service: string) =>
      JSON.stringify(plainInputs(monitoringContainer(r, service)).labels);
    expect(hash(bigger, "prometheus")).not.toBe(hash(prod, "prometheus"));
    expect(hash(bigger, "grafana")).toBe(hash(prod, "grafana"));
    expect(hash(bigger, "alertmanager")).toBe(hash(prod, "alertmanager"));
    const config = parse(
      placedFile(bigger, "/data/monitoring/config/prometheus/prometheus.yml"),
    ) as PromConfig;
    expect(jobTargets(config, "jairouter")).toHaveLength(4);
    expect(jobTargets(config, "node")).toHaveLength(hostRoles(bigger).length);
  });
});

describe("Monitoring (staging: Nginx, no email, minimum tier)", () => {
  let staging: SynthResult;
  beforeAll(async () => {
    staging = await synthStack("staging");
  });

  it("sizes the host by the minimum tier and keeps 7 days", () => {
    const host = resourcesOf(staging, INSTANCE).find((r) => r.name === "jr-staging-monitoring")!;
    expect(plainInputs(host).instanceType).toBe(tierSpec("monitoring", "minimum").instanceType);
    expect(plainInputs(monitoringContainer(staging, "prometheus")).command).toContain(
      "--storage.tsdb.retention.time=7d",
    );
  });

  it("renders webhooks only, and scrapes the Nginx exporters", () => {
    const am = parse(placedFile(staging, "/data/monitoring/config/alertmanager/alertmanager.yml"));
    expect(JSON.stringify(am)).not.toContain("email_configs");
    expect(am.receivers[0].webhook_configs[0].url).toBe("https://hooks.example.com/alertmanager-staging");
    const config = parse(
      placedFile(staging, "/data/monitoring/config/prometheus/prometheus.yml"),
    ) as PromConfig;
    expect(config.scrape_configs.map((j) => j.job_name)).not.toContain("haproxy");
    expectLbTargets(staging, config, "nginx", PORTS.nginxExporter);
  });
});

describe("monitoringRenderInput (pure)", () => {
  const host = (name: string, role: PlainHost["role"], privateIp: string, zone: string): PlainHost => ({
    name,
    role,
    privateIp,
    zone,
  });
  const apps = [
    host("app-0", "app", "10.0.128.10", "eu-west-1a"),
    host("app-1", "app", "10.0.144.10", "eu-west-1b"),
  ];
  const lbs = [
    host("lb-0", "loadbalancer", "10.0.0.10", "eu-west-1a"),
    host("lb-1", "loadbalancer", "10.0.16.10", "eu-west-1b"),
  ];
  const self = host("mon", "monitoring", "10.0.128.20", "eu-west-1a");

  it.each([
    ["haproxy", PORTS.haproxyMetrics],
    ["nginx", PORTS.nginxExporter],
  ] as const)("scrapes a pair of %s load balancers on :%i and their node-exporters", (engine, port) => {
    const input = monitoringRenderInput({
      cluster: "c",
      environment: "e",
      lbEngine: engine,
      apps,
      lbs,
      self,
    });
    expect(input.lbTargets.map((t) => t.address)).toEqual([`10.0.0.10:${port}`, `10.0.16.10:${port}`]);
    expect(input.lbTargets.map((t) => t.role)).toEqual(["loadbalancer", "loadbalancer"]);
    expect(input.nodeTargets.map((t) => t.instance)).toEqual(["app-0", "app-1", "lb-0", "lb-1", "mon"]);
    const config = parse(renderPrometheusConfig(input)) as PromConfig;
    expect(jobTargets(config, engine).map((s) => s.labels)).toEqual([
      { instance: "lb-0", role: "loadbalancer", zone: "eu-west-1a" },
      { instance: "lb-1", role: "loadbalancer", zone: "eu-west-1b" },
    ]);
  });

  it("gives email and webhooks both severities, and leaves email out when unset", () => {
    const email = {
      to: ["a@example.com"],
      from: "b@example.com",
      smarthost: "smtp.example.com:587",
      username: "u",
    };
    const withEmail = alertmanagerRenderInput("c", { email, webhooks: [] }, "pw");
    expect(withEmail.email).toMatchObject({
      authPassword: "pw",
      requireTls: true,
      severities: ["critical", "warning"],
    });
    const without = alertmanagerRenderInput(
      "c",
      { webhooks: [{ name: "x", url: "https://h.example.com" }] },
      undefined,
    );
    expect(without.email).toBeUndefined();
    expect(without.webhooks[0]?.severities).toEqual(["critical", "warning"]);
  });
});
