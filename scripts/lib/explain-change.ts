// `npm run synth -- <stack> --explain-change key=value`: synthesises the stack as committed and
// with the changes applied to a copy of its configuration, and diffs the two. Writes no files.
import { diffSynths, type ChangeSet } from "./change-diff";
import { configOverrides, parseConfigChange, readStackConfigMapping } from "./config-change";
import { readStackFile, withSynthSecrets, type StackFileConfig } from "./stack-file";

/** The changed configuration, with changed secret keys marked secret as `--secret` would. */
async function changedConfig(stack: string, dir: string, changeArgs: readonly string[]) {
  const changes = changeArgs.map(parseConfigChange);
  const overrides = configOverrides(readStackConfigMapping(stack, dir), changes);
  const config = await withSynthSecrets(readStackFile(stack, dir, overrides));
  const { SECRET_KEYS } = await import("../../config/secret-keys");
  const secretKeys = new Set(config.secretKeys);
  for (const { key } of changes) {
    const [namespace, name] = key.split(":") as [string, string];
    if (namespace === "jairouter" && name in SECRET_KEYS) secretKeys.add(key);
  }
  return { ...config, secretKeys: [...secretKeys].sort() };
}

/**
 * Both synths, the changed one first so that a bad key fails before the longer work. Throws the
 * configuration loader's own error for a configuration it rejects.
 */
export async function explainChange(
  stack: string,
  changeArgs: readonly string[],
  dir = process.cwd(),
): Promise<ChangeSet> {
  const base: StackFileConfig = await withSynthSecrets(readStackFile(stack, dir));
  const changed = await changedConfig(stack, dir, changeArgs);
  const { synthesize } = await import("./synth-core");
  const after = await synthesize({ stack, ...changed });
  const before = await synthesize({ stack, ...base });
  return diffSynths(before.resources, after.resources);
}
