import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SECRET_KEYS } from "../../../config/secret-keys";
import { stackConfigSchema, type StackSettings } from "../../../config/schema";

/** A stack file as the preflight reads it: raw config (secure values untouched) and its settings. */
export interface StackSource {
  stack: string;
  region: string;
  /** `config:` of Pulumi.<stack>.yaml as written, `secure:` values left as objects. */
  config: Record<string, unknown>;
  /** The validated settings, or the schema's complaint when the file does not validate. */
  settings?: StackSettings;
  settingsError?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Reads Pulumi.<stack>.yaml from `dir`; a missing file or region is a usage error naming the fix. */
export function readStackSource(stack: string, dir = process.cwd()): StackSource {
  const file = `Pulumi.${stack}.yaml`;
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (parse(readFileSync(join(dir, file), "utf8")) ?? {}) as typeof doc;
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as Error).message.split("\n")[0]} (run from the project root, stack name as in Pulumi.<stack>.yaml)`,
    );
  }
  const config = doc.config ?? {};
  const region = config["aws:region"];
  if (typeof region !== "string" || !region)
    throw new UsageError(
      `${file} sets no aws:region; add one: pulumi config set --stack ${stack} aws:region eu-west-1`,
    );
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const name = key.startsWith("jairouter:")
      ? key.slice("jairouter:".length)
      : key.includes(":")
        ? undefined
        : key;
    if (name !== undefined && !(name in SECRET_KEYS)) plain[name] = value;
  }
  const parsed = stackConfigSchema.safeParse(plain);
  if (parsed.success) return { stack, region, config, settings: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  return { stack, region, config, settingsError: issues.join("; ") };
}
