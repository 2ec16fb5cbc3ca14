// /app/config/application.yml for JAiRouter's prod profile, plus the logback configuration it
// points to. Key names are the app's own (Lincoln-cn/JAiRouter: src/main/resources/config/**.yml,
// application-prod.yml, security/config/SecurityProperties.java) or Spring Boot's.
//
// No secret is written here: every secret is a `${ENV}` placeholder that Spring resolves from the
// container environment at start-up, and a missing one fails the start (no defaults given).
// `applicationSecretEnvNames()` lists what the container must receive as secrets.
import { stringify } from "yaml";
import {
  MODEL_SEED_PATH,
  providerKeyEnvName,
  referencedProviderKeys,
  type ModelRoutingDecl,
} from "./model-routing";

export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "OFF";

/** Per-minute thresholds of the app's audit alerts. */
export interface AuditAlertThresholds {
  /** Failed authentications per minute that raise an alert. */
  authFailuresPerMinute: number;
  /** Sanitisation operations per minute that raise an alert. */
  sanitizationOperationsPerMinute: number;
  /** Suspicious requests per minute that raise an alert. */
  suspiciousRequestsPerMinute: number;
}

/** Expiry of each API key (R4.3), local date-time `yyyy-MM-ddTHH:mm:ss`. */
export interface ApiKeyExpiry {
  /** Admin key (permissions admin, read, write, delete). */
  admin: string;
  /** Service key (read, write). */
  service: string;
  /** Read-only key (read). */
  readOnly: string;
}

/** Where the app sends security alerts (besides its log). */
export interface SecurityAlertTargets {
  /** Email recipients; empty turns email notification off. */
  emailRecipients: readonly string[];
  /** Whether to post to a webhook; its URL is the secret `JAIROUTER_SECURITY_WEBHOOK_URL`. */
  webhook: boolean;
}

/** Everything `renderApplicationYml` needs; nothing secret. */
export interface ApplicationYmlInput {
  /** Environment name, the `environment` tag of every metric, e.g. `production`. */
  environment: string;
  /** Issuer of the app's JWTs (`jairouter.security.jwt.issuer`), e.g. `jairouter-production`. */
  jwtIssuer: string;
  /** Browser origins allowed cross-origin access (`https://console.example.com`); never `*`. */
  corsAllowedOrigins: readonly string[];
  /** Expiry of the three API keys. */
  apiKeyExpiry: ApiKeyExpiry;
  /** Whether the app uses Redis (host, port, password come from REDIS_* variables). */
  redisEnabled: boolean;
  /** Days the security audit log is kept (R7.2: 90). */
  auditRetentionDays: number;
  /** Audit alert thresholds. */
  auditAlertThresholds: AuditAlertThresholds;
  /** Security alert notifications. */
  securityAlerts: SecurityAlertTargets;
  /** Log levels per logger name, merged over `DEFAULT_LOG_LEVELS`. */
  logLevels?: Readonly<Record<string, LogLevel>>;
  /**
   * Where the container sees `renderLogbackXml()`'s output (`/app/config/logback-spring.xml`).
   * The image's bundled logback configuration ignores Spring's `logging.*` rotation and JSON
   * settings, so they only take effect with this set; `null` keeps the bundled configuration.
   */
  logbackConfigFile: string | null;
  /**
   * Declared model routing: names the provider-key variables the container needs. The services
   * themselves are seeded from `renderModelSeedYml()`'s file, which this one imports.
   */
  models: ModelRoutingDecl;
}

/** Path of the rendered file inside the container. */
export const APPLICATION_YML_PATH = "/app/config/application.yml";
/** Suggested path of the rendered logback configuration inside the container. */
export const LOGBACK_XML_PATH = "/app/config/logback-spring.xml";

/** Secret environment variables of the three API keys (R4.3). */
export const API_KEY_ENV = {
  admin: "JAIROUTER_ADMIN_API_KEY",
  service: "JAIROUTER_SERVICE_API_KEY",
  readOnly: "JAIROUTER_READONLY_API_KEY",
} as const;

/** Secret carrying the security-alert webhook URL (webhook URLs usually embed a token). */
export const SECURITY_WEBHOOK_ENV = "JAIROUTER_SECURITY_WEBHOOK_URL";

/** Log levels applied unless `logLevels` overrides them (R7.1). */
export const DEFAULT_LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  root: "INFO",
  "org.unreal.modelrouter": "INFO",
  "org.unreal.modelrouter.security": "INFO",
  "org.unreal.modelrouter.ratelimit": "WARN",
  "org.unreal.modelrouter.loadbalancer": "WARN",
  "org.springframework": "WARN",
  "io.netty": "WARN",
  "reactor.netty": "WARN",
};

/** File logging of the app (R4.3): JSON, daily and at 500 MB, 30 days, 10 GB in all. */
export const APP_LOG_ROTATION = {
  file: "logs/jairouter.json",
  // not *.log: the host's logrotate (cloud-init.ts) must never rotate what logback rotates
  pattern: "logs/archive/jairouter.%d{yyyy-MM-dd}.%i.json.gz",
  maxFileSize: "500MB",
  maxHistory: 30,
  totalSizeCap: "10GB",
} as const;

/** Secret variables the container must receive. */
export function applicationSecretEnvNames(
  input: Pick<ApplicationYmlInput, "redisEnabled" | "securityAlerts" | "models">,
): string[] {
  const names = [
    API_KEY_ENV.admin,
    API_KEY_ENV.service,
    API_KEY_ENV.readOnly,
    "JWT_SECRET",
    // images before 3.1.2 read only this one (jairouter-facts.md): give both the same value
    "PROD_JWT_SECRET",
    "INITIAL_ADMIN_PASSWORD",
    ...(input.redisEnabled ? ["REDIS_PASSWORD"] : []),
    ...(input.securityAlerts.webhook ? [SECURITY_WEBHOOK_ENV] : []),
    ...referencedProviderKeys(input.models).map(providerKeyEnvName),
  ];
  return names;
}

/** Plain (non-secret) variables the file refers to. */
export function applicationPlainEnvNames(input: Pick<ApplicationYmlInput, "redisEnabled">): string[] {
  return [
    "INSTANCE_ID",
    ...(input.redisEnabled
      ? ["REDIS_HOST", "REDIS_PORT", "REDIS_DATABASE", "SPRING_DATA_REDIS_SSL_ENABLED"]
      : []),
  ];
}

function inputProblems(input: ApplicationYmlInput): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => ok || problems.push(message);
  check(/^[a-z][a-z0-9-]{0,30}$/.test(input.environment), "environment: lower-case letters, digits, -");
  check(/^[A-Za-z0-9._:-]{1,100}$/.test(input.jwtIssuer), "jwtIssuer: 1-100 of [A-Za-z0-9._:-]");
  for (const origin of input.corsAllowedOrigins) {
    check(
      /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin),
      `corsAllowedOrigins: "${origin}" is not scheme://host[:port] (no wildcard, no path)`,
    );
  }
  for (const [k, v] of Object.entries(input.apiKeyExpiry)) {
    check(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v),
      `apiKeyExpiry.${k}: "${v}" is not yyyy-MM-ddTHH:mm:ss`,
    );
  }
  check(
    Number.isInteger(input.auditRetentionDays) &&
      input.auditRetentionDays >= 1 &&
      input.auditRetentionDays <= 3650,
    "auditRetentionDays: 1-3650",
  );
  for (const [k, v] of Object.entries(input.auditAlertThresholds)) {
    check(Number.isInteger(v) && v >= 1, `auditAlertThresholds.${k}: a positive integer`);
  }
  for (const r of input.securityAlerts.emailRecipients)
    check(/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r), `securityAlerts.emailRecipients: "${r}" is not an address`);
  for (const name of Object.keys(input.logLevels ?? {}))
    check(
      /^(root|[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*)$/.test(name),
      `logLevels: "${name}" is not a logger name`,
    );
  if (input.logbackConfigFile !== null)
    check(
      /^\/[A-Za-z0-9._/-]+\.xml$/.test(input.logbackConfigFile),
      "logbackConfigFile: an absolute .xml path",
    );
  return problems;
}

function security(input: ApplicationYmlInput): Record<string, unknown> {
  const key = (id: string, env: string, description: string, permissions: string, expiresAt: string) => ({
    "key-id": id,
    "key-value": `\${${env}}`,
    description,
    // a comma list binds to both the String and the List<String> form the app has used
    permissions,
    "expires-at": expiresAt,
    enabled: true,
  });
  const t = input.auditAlertThresholds;
  return {
    enabled: true,
    "api-key": {
      enabled: true,
      "header-name": "X-API-Key",
      "default-expiration-days": 365,
      "cache-enabled": true,
      "cache-expiration-seconds": 3600,
      keys: [
        key(
          "admin",
          API_KEY_ENV.admin,
          "administration",
          "admin,read,write,delete",
          input.apiKeyExpiry.admin,
        ),
        key("service", API_KEY_ENV.service, "service clients", "read,write", input.apiKeyExpiry.service),
        key("read-only", API_KEY_ENV.readOnly, "read-only clients", "read", input.apiKeyExpiry.readOnly),
      ],
    },
    jwt: {
      enabled: true,
      "jwt-header": "Jairouter_Token",
      secret: "${JWT_SECRET}",
      algorithm: "HS256",
      "expiration-minutes": 60,
      "refresh-expiration-days": 7,
      issuer: input.jwtIssuer,
      "blacklist-enabled": true,
      // replaces the image's account list (which carried default passwords) with one admin
      accounts: [
        {
          username: "admin",
          password: "{noop}${INITIAL_ADMIN_PASSWORD}",
          roles: ["ADMIN", "USER"],
          enabled: true,
        },
      ],
    },
    sanitization: {
      request: { enabled: true, "log-sanitization": false, "whitelist-users": [], "whitelist-ips": [] },
      response: { enabled: true, "log-sanitization": false, "preserve-json-structure": true },
    },
    audit: {
      enabled: true,
      "log-level": "INFO",
      "include-request-body": false,
      "include-response-body": false,
      "retention-days": input.auditRetentionDays,
      "alert-enabled": true,
      "alert-thresholds": {
        "auth-failures-per-minute": t.authFailuresPerMinute,
        "sanitization-operations-per-minute": t.sanitizationOperationsPerMinute,
        "suspicious-requests-per-minute": t.suspiciousRequestsPerMinute,
      },
      // R6.5: authentication success/failure, access denied, configuration changes
      "event-types": {
        "authentication-success": true,
        "authentication-failure": true,
        "authorization-failure": true,
        "sanitization-applied": false,
        "configuration-changed": true,
        "security-alert": true,
        "suspicious-activity": true,
      },
      // under logs/audit/: rotated daily, 90 kept, by the host's logrotate
      storage: {
        type: "file",
        "file-path": "logs/audit/security-audit.log",
        rotation: { "max-file-size": "1GB", "max-files": input.auditRetentionDays },
      },
    },
    monitoring: {
      enabled: true,
      metrics: { "security-events": { enabled: true, "by-user": false } },
      alerts: {
        enabled: true,
        notifications: {
          email: {
            enabled: input.securityAlerts.emailRecipients.length > 0,
            recipients: [...input.securityAlerts.emailRecipients],
          },
          webhook: {
            enabled: input.securityAlerts.webhook,
            url: input.securityAlerts.webhook ? `\${${SECURITY_WEBHOOK_ENV}}` : "",
          },
          log: { enabled: true },
        },
      },
    },
    cache: {
      redis: {
        enabled: input.redisEnabled,
        ...(input.redisEnabled
          ? {
              host: "${REDIS_HOST}",
              port: "${REDIS_PORT:6379}",
              password: "${REDIS_PASSWORD}",
              database: "${REDIS_DATABASE:0}",
              "key-prefix": `jairouter:${input.environment}:security:`,
            }
          : {}),
      },
    },
  };
}

function management(input: ApplicationYmlInput): Record<string, unknown> {
  return {
    endpoints: {
      web: {
        exposure: { include: "health,info,prometheus,metrics" },
        cors: { "allowed-origins": [...input.corsAllowedOrigins], "allowed-methods": ["GET"] },
      },
    },
    endpoint: { health: { "show-details": "when-authorized", "show-components": "when-authorized" } },
    // without Redis the probe would mark the app DOWN forever (jairouter-facts.md)
    health: { redis: { enabled: input.redisEnabled } },
    prometheus: { metrics: { export: { enabled: true } } },
    metrics: {
      tags: { application: "jairouter", environment: input.environment, instance: "${INSTANCE_ID}" },
      // `_bucket` series for the p95 latency alert; brackets keep the dots in the map key
      distribution: { "percentiles-histogram": { "[http.server.requests]": true } },
    },
  };
}

function logging(input: ApplicationYmlInput): Record<string, unknown> {
  return {
    ...(input.logbackConfigFile ? { config: `file:${input.logbackConfigFile}` } : {}),
    level: { ...DEFAULT_LOG_LEVELS, ...input.logLevels },
    file: { name: APP_LOG_ROTATION.file },
    logback: {
      rollingpolicy: {
        "file-name-pattern": APP_LOG_ROTATION.pattern,
        "max-file-size": APP_LOG_ROTATION.maxFileSize,
        "max-history": APP_LOG_ROTATION.maxHistory,
        "total-size-cap": APP_LOG_ROTATION.totalSizeCap,
      },
    },
    structured: { format: { file: "logstash" } },
    pattern: {
      console:
        "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] [%X{traceId:-},%X{spanId:-}] %logger{40} - %msg%n",
    },
  };
}

/** Spring Boot's graceful shutdown: in-flight requests get this long to finish (per phase). */
export const APP_SHUTDOWN_PHASE_SECONDS = 30;

/** Renders /app/config/application.yml. Throws on invalid input, listing every problem. */
export function renderApplicationYml(input: ApplicationYmlInput): string {
  const problems = inputProblems(input);
  if (problems.length > 0) throw new Error(`invalid application.yml input:\n  ${problems.join("\n  ")}`);
  const doc: Record<string, unknown> = {
    server: { port: 8080, shutdown: "graceful" },
    spring: {
      application: { name: "jairouter" },
      // not optional: a host without the seed must fail at start, not boot with the image's examples
      config: { import: `file:${MODEL_SEED_PATH}` },
      lifecycle: { "timeout-per-shutdown-phase": `${APP_SHUTDOWN_PHASE_SECONDS}s` },
      ...(input.redisEnabled
        ? {
            data: {
              redis: {
                host: "${REDIS_HOST}",
                port: "${REDIS_PORT:6379}",
                password: "${REDIS_PASSWORD}",
                database: "${REDIS_DATABASE:0}",
                timeout: "2s",
                ssl: { enabled: "${SPRING_DATA_REDIS_SSL_ENABLED:false}" },
              },
            },
          }
        : {}),
    },
    jairouter: { security: security(input) },
    management: management(input),
    logging: logging(input),
  };
  const header = [
    "# JAiRouter production overrides (rendered by the jairouter stack; do not edit on the host).",
    "# Secrets are ${ENV} placeholders resolved from the container environment.",
    `# model.services is seeded from ${MODEL_SEED_PATH} (an EMPTY database only); running instances`,
    "# are kept in line by the model sync step (render/model-routing.ts).",
  ].join("\n");
  // Spring parses with SnakeYAML (YAML 1.1): quote what 1.1 would read as a date or a boolean
  return `${header}\n${stringify(doc, { lineWidth: 0, version: "1.1" })}`;
}

/**
 * logback configuration for the app: human-readable console (to Docker's json-file log) and a JSON
 * file (Spring Boot's structured logging, logstash format: trace ids included) rolled daily and at
 * the size cap. Names and limits are read from application.yml's `logging.*`, so that file stays
 * the one place that states them.
 */
export function renderLogbackXml(): string {
  const prop = (name: string, source: string, fallback: string | number) =>
    `  <springProperty scope="context" name="${name}" source="${source}" defaultValue="${fallback}"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- JAiRouter logging (rendered by the jairouter stack). Levels: logging.level.* in application.yml. -->
<configuration>
${prop("LOG_FILE", "logging.file.name", APP_LOG_ROTATION.file)}
${prop("ROLL_PATTERN", "logging.logback.rollingpolicy.file-name-pattern", APP_LOG_ROTATION.pattern)}
${prop("MAX_FILE_SIZE", "logging.logback.rollingpolicy.max-file-size", APP_LOG_ROTATION.maxFileSize)}
${prop("MAX_HISTORY", "logging.logback.rollingpolicy.max-history", APP_LOG_ROTATION.maxHistory)}
${prop("TOTAL_SIZE_CAP", "logging.logback.rollingpolicy.total-size-cap", APP_LOG_ROTATION.totalSizeCap)}
${prop("JSON_FORMAT", "logging.structured.format.file", "logstash")}
${prop("CONSOLE_PATTERN", "logging.pattern.console", "%d %-5level [%X{traceId:-}] %logger{40} - %msg%n")}

  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder>
      <pattern>\${CONSOLE_PATTERN}</pattern>
      <charset>UTF-8</charset>
    </encoder>
  </appender>

  <appender name="JSON_FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>\${LOG_FILE}</file>
    <encoder class="org.springframework.boot.logging.logback.StructuredLogEncoder">
      <format>\${JSON_FORMAT}</format>
      <charset>UTF-8</charset>
    </encoder>
    <rollingPolicy class="ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy">
      <fileNamePattern>\${ROLL_PATTERN}</fileNamePattern>
      <maxFileSize>\${MAX_FILE_SIZE}</maxFileSize>
      <maxHistory>\${MAX_HISTORY}</maxHistory>
      <totalSizeCap>\${TOTAL_SIZE_CAP}</totalSizeCap>
    </rollingPolicy>
  </appender>

  <appender name="ASYNC_JSON_FILE" class="ch.qos.logback.classic.AsyncAppender">
    <appender-ref ref="JSON_FILE"/>
    <queueSize>8192</queueSize>
    <discardingThreshold>0</discardingThreshold>
    <neverBlock>true</neverBlock>
  </appender>

  <root level="INFO">
    <appender-ref ref="CONSOLE"/>
    <appender-ref ref="ASYNC_JSON_FILE"/>
  </root>
</configuration>
`;
}
