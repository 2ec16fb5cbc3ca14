import { describe, expect, it } from "vitest";
import { ConfigError } from "../../config/errors";
import { loadConfig } from "../../config/load";
import { readStackFile, withSynthSecrets } from "../../scripts/lib/stack-file";

async function stackValues(stack: string, overrides: Record<string, unknown> = {}) {
  return (await withSynthSecrets(readStackFile(stack, process.cwd(), overrides))).values;
}

function errorOf(values: Record<string, string>): ConfigError {
  try {
    loadConfig(values);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("configuration was accepted");
}

/** Prod's value of a structured key with some fields replaced. */
async function prodWith(key: string, patch: Record<string, unknown>) {
  const values = await stackValues("prod");
  const current = values[`jairouter:${key}`] ? JSON.parse(values[`jairouter:${key}`]!) : {};
  return { ...values, [`jairouter:${key}`]: JSON.stringify({ ...current, ...patch }) };
}

describe("stack configuration", () => {
  it("loads prod and staging", async () => {
    const prod = loadConfig(await stackValues("prod"));
    expect(prod.settings.appServers.count).toBe(3);
    expect(prod.settings.network.zones).toBe(3);
    const staging = loadConfig(await stackValues("staging"));
    expect(staging.settings.loadBalancer.engine).toBe("nginx");
    expect(staging.settings.redis.enabled).toBe(false);
  });

  it("returns a frozen configuration", async () => {
    const prod = loadConfig(await stackValues("prod"));
    expect(Object.isFrozen(prod.settings.network)).toBe(true);
  });

  it("fills defaults for omitted keys", () => {
    const { settings } = loadConfig({
      "jairouter:environment": "development",
      "jairouter:domain": JSON.stringify({ name: "dev.example.com" }),
      "jairouter:access": JSON.stringify({
        sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq deployer",
      }),
    });
    expect(settings.network.cidr).toBe("10.0.0.0/16");
    expect(settings.access.adminCidrs).toEqual([]);
    expect(settings.images.jairouter).toBe("sodlinken/jairouter:3.1.2");
  });

  it("reports all three acceptance problems in one error", async () => {
    let values = await prodWith("appServers", { count: 1 });
    values = { ...values, "jairouter:images": JSON.stringify({ jairouter: "latest" }) };
    values = { ...values, "jairouter:network": JSON.stringify({ cidr: "10.0.0.0/33", zones: 3 }) };
    const err = errorOf(values);
    expect(err.message).toContain("jairouter:appServers.count");
    expect(err.message).toContain("jairouter:images.jairouter");
    expect(err.message).toContain("jairouter:network.cidr");
    expect(err.problems.length).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(/appServers\.count: .*Example: 3/);
  });

  it("names the command for a missing required secret", async () => {
    const values = await stackValues("prod");
    delete values["jairouter:smtpPassword"];
    expect(errorOf(values).message).toContain("pulumi config set --secret jairouter:smtpPassword");
  });

  it("names the provider key a model instance refers to", async () => {
    const values = await stackValues("staging");
    delete values["jairouter:providerApiKeys"];
    expect(errorOf(values).message).toContain("jairouter:providerApiKeys.openai");
  });

  it("never prints a secret value in an error", async () => {
    const values = {
      ...(await prodWith("appServers", { count: 0 })),
      "jairouter:smtpPassword": "hunter2-secret",
    };
    expect(errorOf(values).message).not.toContain("hunter2-secret");
  });
});

interface BadCase {
  why: string;
  key: string;
  patch: Record<string, unknown>;
  expectKey: string;
  stack?: string;
}

const BAD: BadCase[] = [
  {
    why: "too few app servers in production",
    key: "appServers",
    patch: { count: 2 },
    expectKey: "appServers.count",
  },
  { why: "zero app servers", key: "appServers", patch: { count: 0 }, expectKey: "appServers.count" },
  { why: "fractional app servers", key: "appServers", patch: { count: 2.5 }, expectKey: "appServers.count" },
  { why: "count as a string", key: "appServers", patch: { count: "three" }, expectKey: "appServers.count" },
  { why: "unknown tier", key: "appServers", patch: { tier: "huge" }, expectKey: "appServers.tier" },
  { why: "typo in a key", key: "appServers", patch: { cuont: 3 }, expectKey: "appServers.cuont" },
  {
    why: "heap share too large",
    key: "appServers",
    patch: { heapPercent: 95 },
    expectKey: "appServers.heapPercent",
  },
  {
    why: "CORS wildcard",
    key: "appServers",
    patch: { corsAllowedOrigins: ["https://*.example.com"] },
    expectKey: "appServers.corsAllowedOrigins[0]",
  },
  { why: "single zone in production", key: "network", patch: { zones: 1 }, expectKey: "network.zones" },
  { why: "too many zones", key: "network", patch: { zones: 9 }, expectKey: "network.zones" },
  { why: "prefix out of range", key: "network", patch: { cidr: "10.0.0.0/33" }, expectKey: "network.cidr" },
  { why: "VPC too large for AWS", key: "network", patch: { cidr: "10.0.0.0/8" }, expectKey: "network.cidr" },
  { why: "host bits set", key: "network", patch: { cidr: "10.0.1.0/16" }, expectKey: "network.cidr" },
  { why: "octet above 255", key: "network", patch: { cidr: "10.300.0.0/16" }, expectKey: "network.cidr" },
  { why: "bad NAT mode", key: "network", patch: { natGateways: "none" }, expectKey: "network.natGateways" },
  {
    why: "flow log retention CloudWatch rejects",
    key: "network",
    patch: { flowLogRetentionDays: 10 },
    expectKey: "network.flowLogRetentionDays",
  },
  {
    why: "zone list length differs from zones",
    key: "network",
    patch: { availabilityZones: ["eu-west-1a"] },
    expectKey: "network.availabilityZones",
  },
  {
    why: "SSH open to the world",
    key: "access",
    patch: { adminCidrs: ["0.0.0.0/0"] },
    expectKey: "access.adminCidrs[0]",
  },
  {
    why: "admin CIDR malformed",
    key: "access",
    patch: { adminCidrs: ["203.0.113.5"] },
    expectKey: "access.adminCidrs[0]",
  },
  {
    why: "bastion transport without host",
    key: "access",
    patch: { transport: "bastion" },
    expectKey: "access.bastionHost",
  },
  {
    why: "not an SSH public key",
    key: "access",
    patch: { sshPublicKey: "hello" },
    expectKey: "access.sshPublicKey",
  },
  {
    why: "unknown engine",
    key: "loadBalancer",
    patch: { engine: "traefik" },
    expectKey: "loadBalancer.engine",
  },
  {
    why: "dns front door without zone",
    key: "loadBalancer",
    patch: { frontDoor: "dns" },
    expectKey: "domain.route53ZoneId",
  },
  { why: "domain not a name", key: "domain", patch: { name: "not a domain" }, expectKey: "domain.name" },
  {
    why: "latest image",
    key: "images",
    patch: { jairouter: "sodlinken/jairouter:latest" },
    expectKey: "images.jairouter",
  },
  {
    why: "untagged image",
    key: "images",
    patch: { grafana: "grafana/grafana" },
    expectKey: "images.grafana",
  },
  {
    why: "JAiRouter too old",
    key: "images",
    patch: { jairouter: "sodlinken/jairouter:3.1.1" },
    expectKey: "images.jairouter",
  },
  { why: "unknown image key", key: "images", patch: { redis: "redis:7.2.4" }, expectKey: "images.redis" },
  { why: "acme not yet supported", key: "tls", patch: { mode: "acme" }, expectKey: "tls.mode" },
  {
    why: "provided TLS without certificate",
    key: "tls",
    patch: { mode: "provided" },
    expectKey: "tls.certificate",
  },
  {
    why: "bad alert email",
    key: "monitoring",
    patch: {
      alerts: {
        email: { to: ["nobody"], from: "a@example.com", smarthost: "smtp.example.com:587", username: "u" },
      },
    },
    expectKey: "monitoring.alerts.email.to[0]",
  },
  {
    why: "webhook not a URL",
    key: "monitoring",
    patch: { alerts: { webhooks: [{ name: "x", url: "ftp://x" }] } },
    expectKey: "monitoring.alerts.webhooks[0].url",
  },
  {
    why: "retention zero",
    key: "monitoring",
    patch: { retentionDays: 0 },
    expectKey: "monitoring.retentionDays",
  },
  {
    why: "unknown service type",
    key: "models",
    patch: { services: { video: { adapter: "ollama", instances: [] } } },
    expectKey: "models.services.video",
  },
  {
    why: "unknown adapter",
    key: "models",
    patch: {
      services: { chat: { adapter: "bard", instances: [{ name: "m", baseUrl: "http://m.internal" }] } },
    },
    expectKey: "models.services.chat.adapter",
  },
  {
    why: "instance without base URL",
    key: "models",
    patch: { services: { chat: { adapter: "ollama", instances: [{ name: "m" }] } } },
    expectKey: "models.services.chat.instances[0].baseUrl",
  },
  {
    why: "duplicate instance",
    key: "models",
    patch: {
      services: {
        chat: {
          adapter: "ollama",
          instances: [
            { name: "m", baseUrl: "http://a.internal" },
            { name: "m", baseUrl: "http://a.internal" },
          ],
        },
      },
    },
    expectKey: "models.services.chat.instances[1]",
  },
  {
    why: "backup retention negative",
    key: "backups",
    patch: { retentionDays: -1 },
    expectKey: "backups.retentionDays",
  },
];

describe("bad configurations are rejected with the key named", () => {
  it("has a corpus of at least 25 cases", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD)("$why → jairouter:$expectKey", async ({ key, patch, expectKey }) => {
    const err = errorOf(await prodWith(key, patch));
    expect(err.message).toContain(`jairouter:${expectKey}:`);
    expect(err.message).toMatch(/Example: \S/);
  });

  it("rejects an unknown environment", async () => {
    const values = { ...(await stackValues("prod")), "jairouter:environment": "prodution" };
    expect(errorOf(values).message).toContain("jairouter:environment:");
  });

  it("rejects an unknown top-level key", async () => {
    const values = { ...(await stackValues("prod")), "jairouter:appServer": "{}" };
    expect(errorOf(values).message).toContain("jairouter:appServer: is not a known key");
  });

  it("rejects a missing domain", async () => {
    const values = await stackValues("prod");
    delete values["jairouter:domain"];
    expect(errorOf(values).message).toContain("jairouter:domain: is required");
  });
});

describe("operator inputs", () => {
  it("requires the deployer's SSH public key and names the command", async () => {
    const values = await stackValues("prod");
    const access = JSON.parse(values["jairouter:access"]!);
    delete access.sshPublicKey;
    values["jairouter:access"] = JSON.stringify(access);
    expect(errorOf(values).message).toContain("jairouter:access.sshPublicKey: is required");
    expect(errorOf(values).message).toContain("pulumi config set --path 'jairouter:access.sshPublicKey'");
  });
});
