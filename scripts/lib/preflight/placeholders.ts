import { SECRET_KEYS } from "../../../config/secret-keys";
import { fail, pass, type CheckResult } from "./checks";

/** Sample values of the committed stack files that must be replaced before a real deploy. */
export const PLACEHOLDER_PATTERNS: { pattern: RegExp; what: string }[] = [
  { pattern: /(^|[.@/])example\.(com|org|net)(\b|$)/i, what: "an example domain (RFC 2606)" },
  { pattern: /\.example(\b|$)/i, what: "the reserved .example domain" },
  { pattern: /example-org/i, what: "the sample organisation name" },
  { pattern: /\b(gpustack|ollama)-\d+\.models\.internal\b/i, what: "a sample model host of the guide" },
];

export interface Placeholder {
  /** `namespace:key.path[index]`, as `pulumi config set --path` takes it. */
  key: string;
  value: string;
  what: string;
}

/** Every string in the stack file's config that still holds a sample value, with its config key. */
export function findPlaceholders(config: Record<string, unknown>): Placeholder[] {
  const found: Placeholder[] = [];
  const visit = (value: unknown, key: string) => {
    if (typeof value === "string") {
      const hit = PLACEHOLDER_PATTERNS.find((p) => p.pattern.test(value));
      if (hit) found.push({ key, value, what: hit.what });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${key}[${i}]`));
    } else if (value && typeof value === "object" && !("secure" in value)) {
      for (const [k, v] of Object.entries(value)) visit(v, `${key}.${k}`);
    }
  };
  for (const [rawKey, value] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `jairouter:${rawKey}`;
    // secret keys are the secrets check's business: their values are never read here, nor printed
    if (key.slice("jairouter:".length) in SECRET_KEYS) continue;
    visit(value, key);
  }
  return found;
}

/** One failing line per placeholder, naming its key and the command that replaces it. */
export function checkPlaceholders(stack: string, config: Record<string, unknown>): CheckResult[] {
  const found = findPlaceholders(config);
  if (found.length === 0)
    return [pass("placeholders", "stack file", `no sample value left in Pulumi.${stack}.yaml`)];
  return found.map((p) =>
    fail(
      "placeholders",
      p.key,
      `"${p.value}" is ${p.what}`,
      `pulumi config set --stack ${stack} --path '${p.key}' <your value>`,
    ),
  );
}
