import { requiredSecrets, setCommandFor } from "../../../config/secret-keys";
import type { StackSettings } from "../../../config/schema";
import { fail, pass, type CheckResult } from "./checks";

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

function lookup(config: Record<string, unknown>, key: string): unknown {
  return config[`jairouter:${key}`] ?? config[key];
}

/**
 * The secrets this configuration cannot deploy without (config/secret-keys.ts), each present as a
 * `secure:` value in the stack file. Only presence is checked: the values are never decrypted.
 */
export function checkSecrets(
  stack: string,
  settings: StackSettings,
  config: Record<string, unknown>,
): CheckResult[] {
  const results: CheckResult[] = [];
  for (const secret of requiredSecrets(settings)) {
    const value = lookup(config, secret.key);
    const entry = secret.entry
      ? value && typeof value === "object"
        ? (value as Record<string, unknown>)[secret.entry]
        : undefined
      : value;
    const name = secret.entry ? `${secret.key}.${secret.entry}` : secret.key;
    if (isSecure(entry)) results.push(pass("secrets", name, `set (secure), needed because ${secret.reason}`));
    else if (entry !== undefined)
      results.push(
        fail(
          "secrets",
          name,
          `is in Pulumi.${stack}.yaml as plain text, not secure`,
          `${setCommandFor(secret)} (with --stack ${stack})`,
        ),
      );
    else
      results.push(
        fail(
          "secrets",
          name,
          `not set; needed because ${secret.reason}`,
          `${setCommandFor(secret)} (with --stack ${stack})`,
        ),
      );
  }
  if (!settings.access.sshPublicKey)
    results.push(
      fail(
        "secrets",
        "access.sshPublicKey",
        "not set: the hosts would accept no deploy key",
        `pulumi config set --stack ${stack} --path 'jairouter:access.sshPublicKey' "$(cat ~/.ssh/<deploy key>.pub)"`,
      ),
    );
  if (results.length === 0)
    results.push(pass("secrets", "secure keys", "this configuration needs no secret"));
  return results;
}
