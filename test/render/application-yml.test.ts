import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  applicationPlainEnvNames,
  applicationSecretEnvNames,
  renderApplicationYml,
  renderLogbackXml,
  type ApplicationYmlInput,
} from "../../render/application-yml";
import { run, toolsAvailable, yamllint } from "../support/tools";
import { MODEL_SEED_PATH, renderModelSeedYml } from "../../render/model-routing";

// Keys the app really reads, copied from Lincoln-cn/JAiRouter (3.x tree):
// - src/main/java/org/unreal/modelrouter/security/config/SecurityProperties.java
//   (@ConfigurationProperties "jairouter.security": api-key, jwt incl. jwt-header, sanitization,
//   audit incl. alert-thresholds, cache.redis)
// - src/main/resources/config/security/security-base.yml (sanitization, audit event-types and
//   storage, monitoring.alerts.notifications)
// - src/main/resources/config/auth/jwt.yml (jwt.accounts, INITIAL_ADMIN_PASSWORD, JWT_SECRET)
// - src/main/resources/config/auth/api-key.yml (api-key.keys[])
// - src/main/resources/application-prod.yml (audit.alert-thresholds.suspicious-requests-per-minute)
// - src/main/resources/config/router/services.yml (model.services.<type>, instances[] incl. instance-id)
const APP_KEYS = [
  "jairouter.security.enabled",
  ...["enabled", "header-name", "default-expiration-days", "cache-enabled", "cache-expiration-seconds"].map(
    (k) => `jairouter.security.api-key.${k}`,
  ),
  ...["key-id", "key-value", "description", "permissions", "expires-at", "enabled"].map(
    (k) => `jairouter.security.api-key.keys[].${k}`,
  ),
  ...[
    "enabled",
    "jwt-header",
    "secret",
    "algorithm",
    "expiration-minutes",
    "refresh-expiration-days",
    "issuer",
    "blacklist-enabled",
  ].map((k) => `jairouter.security.jwt.${k}`),
  ...["username", "password", "roles[]", "enabled"].map((k) => `jairouter.security.jwt.accounts[].${k}`),
  ...["enabled", "log-sanitization", "whitelist-users[]", "whitelist-ips[]"].map(
    (k) => `jairouter.security.sanitization.request.${k}`,
  ),
  ...["enabled", "log-sanitization", "preserve-json-structure"].map(
    (k) => `jairouter.security.sanitization.response.${k}`,
  ),
  ...[
    "enabled",
    "log-level",
    "include-request-body",
    "include-response-body",
    "retention-days",
    "alert-enabled",
    "alert-thresholds.auth-failures-per-minute",
    "alert-thresholds.sanitization-operations-per-minute",
    "alert-thresholds.suspicious-requests-per-minute",
    "event-types.authentication-success",
    "event-types.authentication-failure",
    "event-types.authorization-failure",
    "event-types.sanitization-applied",
    "event-types.configuration-changed",
    "event-types.security-alert",
    "event-types.suspicious-activity",
    "storage.type",
    "storage.file-path",
    "storage.rotation.max-file-size",
    "storage.rotation.max-files",
  ].map((k) => `jairouter.security.audit.${k}`),
  ...[
    "enabled",
    "metrics.security-events.enabled",
    "metrics.security-events.by-user",
    "alerts.enabled",
    "alerts.notifications.email.enabled",
    "alerts.notifications.email.recipients[]",
    "alerts.notifications.webhook.enabled",
    "alerts.notifications.webhook.url",
    "alerts.notifications.log.enabled",
  ].map((k) => `jairouter.security.monitoring.${k}`),
  ...["enabled", "host", "port", "password", "database", "key-prefix"].map(
    (k) => `jairouter.security.cache.redis.${k}`,
  ),
  "model.services.*.load-balance.type",
  "model.services.*.adapter",
  "model.services.*.instances[]", // an empty list
  ...["name", "instance-id", "base-url", "path", "weight", "headers.*"].map(
    (k) => `model.services.*.instances[].${k}`,
  ),
];

// Spring Boot 3 keys ("Common Application Properties" of the Spring Boot reference).
const SPRING_BOOT_KEYS = [
  "server.port",
  "server.shutdown",
  "spring.application.name",
  "spring.config.import",
  "spring.lifecycle.timeout-per-shutdown-phase",
  ...["host", "port", "password", "database", "timeout", "ssl.enabled"].map((k) => `spring.data.redis.${k}`),
  "management.endpoints.web.exposure.include",
  "management.endpoints.web.cors.allowed-origins[]",
  "management.endpoints.web.cors.allowed-methods[]",
  "management.endpoint.health.show-details",
  "management.endpoint.health.show-components",
  "management.health.redis.enabled",
  "management.prometheus.metrics.export.enabled",
  "management.metrics.tags.*",
  "management.metrics.distribution.percentiles-histogram.*",
  "logging.config",
  "logging.level.*",
  "logging.file.name",
  ...["file-name-pattern", "max-file-size", "max-history", "total-size-cap"].map(
    (k) => `logging.logback.rollingpolicy.${k}`,
  ),
  "logging.structured.format.file",
  "logging.pattern.console",
];

// Map-valued properties: their keys are data, not property names.
const MAP_PREFIXES = [
  "logging.level",
  "management.metrics.tags",
  "management.metrics.distribution.percentiles-histogram",
];

function flatten(value: unknown, prefix = ""): string[] {
  if (MAP_PREFIXES.includes(prefix) || /^model\.services\.\*\.instances\[\]\.headers$/.test(prefix))
    return [`${prefix}.*`];
  if (Array.isArray(value)) {
    return value.length === 0 || value.every((v) => typeof v !== "object")
      ? [`${prefix}[]`]
      : [...new Set(value.flatMap((v) => flatten(v, `${prefix}[]`)))];
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => {
      const key = prefix === "model.services" ? "*" : k;
      return flatten(v, prefix ? `${prefix}.${key}` : key);
    });
  }
  return [prefix];
}

function input(overrides: Partial<ApplicationYmlInput> = {}): ApplicationYmlInput {
  return {
    environment: "production",
    jwtIssuer: "jairouter-production",
    corsAllowedOrigins: ["https://console.example.com"],
    apiKeyExpiry: {
      admin: "2026-12-31T23:59:59",
      service: "2026-12-31T23:59:59",
      readOnly: "2026-06-30T23:59:59",
    },
    redisEnabled: true,
    auditRetentionDays: 90,
    auditAlertThresholds: {
      authFailuresPerMinute: 5,
      sanitizationOperationsPerMinute: 200,
      suspiciousRequestsPerMinute: 10,
    },
    securityAlerts: { emailRecipients: ["security@example.com"], webhook: true },
    logbackConfigFile: "/app/config/logback-spring.xml",
    models: {
      services: {
        chat: {
          adapter: "openai",
          loadBalance: "round-robin",
          instances: [
            {
              name: "gpt-4o-mini",
              baseUrl: "https://api.openai.com",
              path: "/v1/chat/completions",
              weight: 1,
              apiKeyRef: "openai",
            },
          ],
        },
      },
    },
    ...overrides,
  };
}

// Spring reads YAML 1.1 (SnakeYAML): parse the same way.
type Doc = Record<string, Record<string, unknown>>;
const load = (text: string) => parse(text, { version: "1.1" }) as Doc;
function at(doc: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

describe("renderApplicationYml", () => {
  const text = renderApplicationYml(input());
  const doc = load(text);
  it("uses only keys the app or Spring Boot reads", () => {
    const known = new Set([...APP_KEYS, ...SPRING_BOOT_KEYS]);
    const unknown = flatten(doc).filter((k) => !known.has(k));
    expect(unknown).toEqual([]);
  });

  it.runIf(toolsAvailable("yamllint"))("passes yamllint (relaxed, no line-length limit)", () => {
    const result = yamllint(text);
    expect(result.report).toBe("");
    expect(result.status).toBe(0);
  });

  it("turns security on with three API keys and HS256 JWTs, all secrets as env placeholders", () => {
    expect(at(doc, "jairouter.security.enabled")).toBe(true);
    const keys = at(doc, "jairouter.security.api-key.keys") as Array<Record<string, unknown>>;
    expect(keys.map((k) => [k["key-id"], k["key-value"], k.permissions])).toEqual([
      ["admin", "${JAIROUTER_ADMIN_API_KEY}", "admin,read,write,delete"],
      ["service", "${JAIROUTER_SERVICE_API_KEY}", "read,write"],
      ["read-only", "${JAIROUTER_READONLY_API_KEY}", "read"],
    ]);
    // a YAML 1.1 reader must see a string, not a timestamp
    expect(keys[2]!["expires-at"]).toBe("2026-06-30T23:59:59");
    expect(at(doc, "jairouter.security.jwt")).toMatchObject({
      enabled: true,
      "jwt-header": "Jairouter_Token",
      secret: "${JWT_SECRET}",
      algorithm: "HS256",
      "expiration-minutes": 60,
      issuer: "jairouter-production",
      accounts: [{ username: "admin", password: "{noop}${INITIAL_ADMIN_PASSWORD}" }],
    });
    expect(at(doc, "jairouter.security.sanitization.request.enabled")).toBe(true);
    expect(at(doc, "jairouter.security.sanitization.response.enabled")).toBe(true);
  });

  it("keeps audit logs with retention and thresholds, and notifies by email and webhook", () => {
    expect(at(doc, "jairouter.security.audit")).toMatchObject({
      enabled: true,
      "retention-days": 90,
      "alert-enabled": true,
      "alert-thresholds": { "auth-failures-per-minute": 5, "suspicious-requests-per-minute": 10 },
      "event-types": {
        "authentication-success": true,
        "authentication-failure": true,
        "configuration-changed": true,
      },
    });
    expect(at(doc, "jairouter.security.monitoring.alerts.notifications")).toMatchObject({
      email: { enabled: true, recipients: ["security@example.com"] },
      webhook: { enabled: true, url: "${JAIROUTER_SECURITY_WEBHOOK_URL}" },
    });
  });

  it("exposes Prometheus with histogram buckets and the application/environment/instance tags", () => {
    expect(flatten(doc)).toContain("management.metrics.distribution.percentiles-histogram.*");
    expect(at(doc, "management.metrics.distribution.percentiles-histogram")).toEqual({
      "[http.server.requests]": true,
    });
    expect(at(doc, "management.metrics.tags")).toEqual({
      application: "jairouter",
      environment: "production",
      instance: "${INSTANCE_ID}",
    });
    expect(at(doc, "management.endpoint.health.show-details")).toBe("when-authorized");
    expect(at(doc, "management.prometheus.metrics.export.enabled")).toBe(true);
    expect(String(at(doc, "management.endpoints.web.exposure.include")).split(",")).toContain("prometheus");
  });

  it("rotates JSON file logs at 500 MB, 30 files, 10 GB through the rendered logback file", () => {
    expect(at(doc, "logging.logback.rollingpolicy")).toMatchObject({
      "max-file-size": "500MB",
      "max-history": 30,
      "total-size-cap": "10GB",
    });
    expect(at(doc, "logging.config")).toBe("file:/app/config/logback-spring.xml");
    expect(at(doc, "logging.structured.format.file")).toBe("logstash");
    expect(String(at(doc, "logging.file.name")).endsWith(".log")).toBe(false); // see cloud-init's logrotate
    const withoutLogback = load(renderApplicationYml(input({ logbackConfigFile: null })));
    expect(at(withoutLogback, "logging.config")).toBeUndefined();
  });

  it("restricts CORS to the configured origins and refuses a wildcard", () => {
    expect(at(doc, "management.endpoints.web.cors.allowed-origins")).toEqual(["https://console.example.com"]);
    expect(text).not.toMatch(/allowed-origins:[\s-]*"?\*/);
    expect(() => renderApplicationYml(input({ corsAllowedOrigins: ["*"] }))).toThrow(/corsAllowedOrigins/);
    expect(() => renderApplicationYml(input({ corsAllowedOrigins: ["https://*.example.com"] }))).toThrow(
      /corsAllowedOrigins/,
    );
  });

  it("imports the model seed, which is not part of application.yml", () => {
    expect(at(doc, "spring.config.import")).toBe(`file:${MODEL_SEED_PATH}`);
    expect(at(doc, "model")).toBeUndefined();
    const changed = renderApplicationYml(input({ models: { services: {} } }));
    expect(changed).toBe(renderApplicationYml(input({ models: { services: {} } })));
  });

  it("seeds model.services in the app's key names, provider keys as placeholders", () => {
    const seed = load(renderModelSeedYml(input().models));
    const chat = at(seed, "model.services.chat") as Record<string, unknown>;
    expect(chat).toMatchObject({ "load-balance": { type: "round-robin" }, adapter: "openai" });
    expect((chat.instances as Array<Record<string, unknown>>)[0]).toMatchObject({
      "base-url": "https://api.openai.com",
      headers: { Authorization: "Bearer ${JAIROUTER_PROVIDER_KEY_OPENAI}" },
    });
    expect(at(seed, "model.services.rerank")).toEqual({ instances: [] });
    const known = new Set([...APP_KEYS, ...SPRING_BOOT_KEYS]);
    expect(flatten(seed).filter((k) => !known.has(k))).toEqual([]);
  });

  it("names every placeholder it uses among the env variables the container must receive", () => {
    const yamlOnly = `${text}\n${renderModelSeedYml(input().models)}`
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .join("\n");
    const placeholders = new Set([...yamlOnly.matchAll(/\$\{([A-Z0-9_]+)(:[^}]*)?\}/g)].map((m) => m[1]!));
    const secrets = applicationSecretEnvNames(input());
    const plain = applicationPlainEnvNames(input());
    expect([...placeholders].filter((p) => !secrets.includes(p) && !plain.includes(p))).toEqual([]);
    expect(secrets.filter((s) => !placeholders.has(s))).toEqual(["PROD_JWT_SECRET"]);
    expect(secrets).toContain("JAIROUTER_PROVIDER_KEY_OPENAI");
    expect(plain).toEqual([
      "INSTANCE_ID",
      "REDIS_HOST",
      "REDIS_PORT",
      "REDIS_DATABASE",
      "SPRING_DATA_REDIS_SSL_ENABLED",
    ]);
  });

  it("switches Redis off completely when the stack has none", () => {
    const off = renderApplicationYml(
      input({ redisEnabled: false, securityAlerts: { emailRecipients: [], webhook: false } }),
    );
    const offDoc = load(off);
    expect(at(offDoc, "management.health.redis.enabled")).toBe(false);
    expect(at(offDoc, "spring.data")).toBeUndefined();
    expect(off).not.toContain("REDIS_");
    expect(applicationSecretEnvNames(input({ redisEnabled: false }))).not.toContain("REDIS_PASSWORD");
  });
});

describe.runIf(toolsAvailable("python3"))("renderLogbackXml", () => {
  it("is well-formed XML with a size- and time-based JSON file appender", () => {
    const xml = renderLogbackXml();
    const check = run(
      "python3",
      ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.read())"],
      {
        input: xml,
      },
    );
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    expect(xml).toContain('class="org.springframework.boot.logging.logback.StructuredLogEncoder"');
    expect(xml).toContain('source="logging.logback.rollingpolicy.total-size-cap" defaultValue="10GB"');
    expect(xml).toContain("<fileNamePattern>${ROLL_PATTERN}</fileNamePattern>");
  });
});
