import { createHash } from "node:crypto";

/** Display form of a secret value: its sha256, so two reports can be compared without the value. */
export function secretHash(value: string): string {
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

export function sha256Hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Env keys whose values are secret by name (the state marks the whole env list secret). */
export const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL|AUTH)/i;

/**
 * What a report may print for `value`: the hash when the key names a secret or the value is one of
 * the stack's secret values, else the value itself. Absent values print as "(absent)".
 */
export function displayValue(key: string, value: string | undefined, secrets: ReadonlySet<string>): string {
  if (value === undefined) return "(absent)";
  if (SECRET_NAME.test(key) || secrets.has(value)) return secretHash(value);
  for (const s of secrets) if (s.length >= 8 && value.includes(s)) return secretHash(value);
  return value;
}
