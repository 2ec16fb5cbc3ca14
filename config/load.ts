import type { z } from "zod";
import { ConfigError, NAMESPACE } from "./errors";
import { crossFieldProblems, type ConfigProblem } from "./rules";
import { stackConfigSchema, type StackSettings } from "./schema";
import { SECRET_KEYS, requiredSecrets, setCommandFor, type SecretKey } from "./secret-keys";
import { knownKeysAt } from "./describe";
import { providedCertificateProblems } from "./tls-check";

/** Configuration as the Pulumi engine hands it to a program: `namespace:key` → string. */
export type RawConfigValues = Record<string, string>;

/** Decrypted secret configuration; the Pulumi layer wraps each value back into a secret Output. */
export interface SecretValues {
  providerApiKeys: Record<string, string>;
  smtpPassword?: string;
  tlsPrivateKey?: string;
  dockerHubToken?: string;
}

export interface LoadedConfig {
  settings: StackSettings;
  secrets: SecretValues;
}

export const SSH_KEY_COMMAND = `pulumi config set --path 'jairouter:access.sshPublicKey' "$(cat ~/.ssh/id_ed25519.pub)"`;

/** Structured values arrive as JSON text; everything else is a plain string. */
function decode(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return JSON.parse(trimmed);
  return value;
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `is not a known key${known.length ? ` (known here: ${known.join(", ")})` : ""}`,
      }));
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [{ path, message: "is required" }];
    }
    return [{ path, message: issue.message }];
  });
}

/**
 * Validates the whole configuration at once. Throws one ConfigError naming every problem, so an
 * operator fixes everything in one round and nothing is half-applied.
 */
export function loadConfig(values: RawConfigValues): LoadedConfig {
  const raw: Record<string, unknown> = {};
  const secretValues: Partial<Record<SecretKey, unknown>> = {};
  const problems: ConfigProblem[] = [];
  for (const [fullKey, value] of Object.entries(values)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== NAMESPACE || key === undefined) continue;
    let decoded: unknown;
    try {
      decoded = decode(value);
    } catch {
      problems.push({
        path: [key],
        message: "holds invalid JSON; write it as a YAML mapping in the stack file",
      });
      continue;
    }
    if (key in SECRET_KEYS) secretValues[key as SecretKey] = decoded;
    else raw[key] = decoded;
  }

  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) problems.push(...zodProblems(parsed.error));
  problems.push(...crossFieldProblems(raw));

  const providerApiKeys = secretValues.providerApiKeys ?? {};
  if (typeof providerApiKeys !== "object" || providerApiKeys === null || Array.isArray(providerApiKeys)) {
    problems.push({ path: ["providerApiKeys"], message: "must be a map of name to API key" });
  }
  for (const key of ["smtpPassword", "tlsPrivateKey", "dockerHubToken"] as const) {
    if (secretValues[key] !== undefined && typeof secretValues[key] !== "string") {
      problems.push({ path: [key], message: "must be a single string" });
    }
  }
  if (parsed.success && parsed.data.access.sshPublicKey === undefined) {
    problems.push({
      path: ["access", "sshPublicKey"],
      message: `is required: the deployer drives Docker on every host over SSH; set it with: ${SSH_KEY_COMMAND}`,
    });
  }
  if (parsed.success) {
    for (const secret of requiredSecrets(parsed.data)) {
      const present =
        secret.key === "providerApiKeys"
          ? typeof (providerApiKeys as Record<string, unknown>)[secret.entry!] === "string"
          : typeof secretValues[secret.key] === "string";
      if (!present) {
        problems.push({
          path: secret.entry ? [secret.key, secret.entry] : [secret.key],
          message: `is a required secret (${secret.reason}); set it with: ${setCommandFor(secret)}`,
        });
      }
    }
  }
  const tlsKey = secretValues.tlsPrivateKey;
  if (
    parsed.success &&
    parsed.data.tls.mode === "provided" &&
    parsed.data.tls.certificate &&
    typeof tlsKey === "string"
  ) {
    problems.push(
      ...providedCertificateProblems(parsed.data.tls.certificate, tlsKey, parsed.data.domain.name),
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  return {
    settings: deepFreeze(parsed.data),
    secrets: {
      providerApiKeys: providerApiKeys as Record<string, string>,
      smtpPassword: secretValues.smtpPassword as string | undefined,
      tlsPrivateKey: secretValues.tlsPrivateKey as string | undefined,
      dockerHubToken: secretValues.dockerHubToken as string | undefined,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
