import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const SYNTH_SECRET_PREFIX = "synth-placeholder";

/** A well-formed public key whose comment marks it as the synth's stand-in for the operator's. */
export const SYNTH_SSH_PUBLIC_KEY = `ssh-ed25519 ${Buffer.from("synth-placeholder-public-key-0000").toString("base64")} ${SYNTH_SECRET_PREFIX}`;

export interface StackFileConfig {
  region: string;
  values: Record<string, string>;
  secretKeys: string[];
}

type Plain = Record<string, unknown>;

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}

/** Replaces `secure:` values, which cannot be decrypted offline, by marked placeholders. */
function replaceSecure(value: unknown, path: string): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: `${SYNTH_SECRET_PREFIX}:${path}`, secret: true };
  if (Array.isArray(value)) {
    const items = value.map((v, i) => replaceSecure(v, `${path}[${i}]`));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, replaceSecure(v, `${path}.${k}`)] as const);
    return {
      value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])),
      secret: entries.some(([, r]) => r.secret),
    };
  }
  return { value, secret: false };
}

/** Reads `Pulumi.<stack>.yaml` into the string map the engine hands a program. */
export function readStackFile(stack: string, dir = process.cwd(), overrides: Plain = {}): StackFileConfig {
  const file = join(dir, `Pulumi.${stack}.yaml`);
  let doc: Plain;
  try {
    doc = (parse(readFileSync(file, "utf8")) ?? {}) as Plain;
  } catch (err) {
    throw new Error(`cannot read stack file Pulumi.${stack}.yaml: ${(err as Error).message}`);
  }
  const config = { ...((doc.config ?? {}) as Plain), ...overrides };
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `jairouter:${rawKey}`;
    const { value, secret } = replaceSecure(rawValue, key);
    if (value === undefined) continue;
    values[key] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    if (secret) secretKeys.push(key);
  }
  const region = values["aws:region"];
  if (!region)
    throw new Error(`Pulumi.${stack}.yaml sets no aws:region; add one, e.g. aws:region: eu-west-1`);
  return { region, values, secretKeys };
}

/**
 * Adds marked placeholders for the operator's SSH public key and for the secrets this configuration needs but the stack file cannot
 * hold (the operator sets them with `pulumi config set --secret`), so the offline synth renders
 * every file. A real preview without them fails and names the command.
 */
export async function withSynthSecrets(config: StackFileConfig): Promise<StackFileConfig> {
  const { stackConfigSchema } = await import("../../config/schema");
  const { requiredSecrets, SECRET_KEYS } = await import("../../config/secret-keys");
  const plain: Plain = {};
  for (const [key, value] of Object.entries(config.values)) {
    if (!key.startsWith("jairouter:") || key.slice("jairouter:".length) in SECRET_KEYS) continue;
    plain[key.slice("jairouter:".length)] =
      value.startsWith("{") || value.startsWith("[") ? JSON.parse(value) : value;
  }
  const parsed = stackConfigSchema.safeParse(plain);
  if (!parsed.success) return config; // loading reports the problems
  const values = { ...config.values };
  const secretKeys = new Set(config.secretKeys);
  for (const secret of requiredSecrets(parsed.data)) {
    const key = `jairouter:${secret.key}`;
    if (secret.entry) {
      const map = JSON.parse(values[key] ?? "{}") as Record<string, string>;
      map[secret.entry] ??= `${SYNTH_SECRET_PREFIX}:${key}.${secret.entry}`;
      values[key] = JSON.stringify(map);
    } else {
      values[key] ??= `${SYNTH_SECRET_PREFIX}:${key}`;
    }
    secretKeys.add(key);
  }
  if (!parsed.data.access.sshPublicKey) {
    const access = JSON.parse(values["jairouter:access"] ?? "{}") as Record<string, unknown>;
    access.sshPublicKey = SYNTH_SSH_PUBLIC_KEY;
    values["jairouter:access"] = JSON.stringify(access);
  }
  return { ...config, values, secretKeys: [...secretKeys].sort() };
}
