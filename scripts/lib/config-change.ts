import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parsePropertyPath, setAtPath, type PathSegment } from "./property-path";

const DEFAULT_NAMESPACE = "jairouter";

/** A malformed `--explain-change` argument (the CLI prints its message alone). */
export class ChangeArgumentError extends Error {
  override name = "ChangeArgumentError";
}

/** One `--explain-change key=value`: a value for a path inside one top-level configuration key. */
export interface ConfigChange {
  /** The top-level key with its namespace, e.g. `jairouter:images` or `aws:region`. */
  key: string;
  /** Where inside that key's value (empty: the whole value). */
  path: PathSegment[];
  /** The new value, parsed as YAML; null removes the path, as `pulumi config rm --path` does. */
  value: unknown;
  /** The argument as given, for messages. */
  text: string;
}

/**
 * Parses `images.jairouter=sodlinken/jairouter:3.2.0`, `appServers.count=4` or
 * `aws:region=eu-central-1`: the value is YAML.
 */
export function parseConfigChange(text: string): ConfigChange {
  const eq = text.indexOf("=");
  if (eq <= 0)
    throw new ChangeArgumentError(
      `--explain-change ${text}: write it as <key>=<value>, e.g. appServers.count=4`,
    );
  return configChange(text.slice(0, eq), parse(text.slice(eq + 1)), text);
}

/** A change of `keyPath` (a key without a namespace is in `jairouter:`) to a value given as is. */
export function configChange(keyPath: string, value: unknown, text = keyPath): ConfigChange {
  const colon = keyPath.indexOf(":");
  const namespace = colon >= 0 ? keyPath.slice(0, colon) : DEFAULT_NAMESPACE;
  let segments: PathSegment[];
  try {
    segments = parsePropertyPath(colon >= 0 ? keyPath.slice(colon + 1) : keyPath);
  } catch (err) {
    throw new ChangeArgumentError(`--explain-change ${text}: ${(err as Error).message}`);
  }
  const [top, ...path] = segments;
  if (typeof top !== "string" || top === "*" || !namespace)
    throw new ChangeArgumentError(
      `--explain-change ${text}: the key must start with a configuration key name`,
    );
  return { key: `${namespace}:${top}`, path, value, text };
}

/**
 * The top-level values to override in a stack file's `config:` mapping so that it carries the
 * changes; the mapping itself is left as it is. Keys keep the spelling the stack file uses.
 */
export function configOverrides(
  stackConfig: Readonly<Record<string, unknown>>,
  changes: readonly ConfigChange[],
): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const change of changes) {
    const bare = change.key.startsWith(`${DEFAULT_NAMESPACE}:`) ? change.key.split(":")[1]! : undefined;
    const spelling =
      bare !== undefined && !(change.key in stackConfig) && bare in stackConfig ? bare : change.key;
    const current = spelling in overrides ? overrides[spelling] : stackConfig[spelling];
    const value = change.value === null ? undefined : change.value;
    try {
      overrides[spelling] = setAtPath(current, change.path, value);
    } catch (err) {
      throw new ChangeArgumentError(`--explain-change ${change.text}: ${(err as Error).message}`);
    }
  }
  return overrides;
}

/** The `config:` mapping of `Pulumi.<stack>.yaml` as written (secure values still encrypted). */
export function readStackConfigMapping(stack: string, dir = process.cwd()): Record<string, unknown> {
  const doc = parse(readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  return doc?.config ?? {};
}
