import type { ConfigProblem } from "./rules";
import { docAt } from "./describe";

export const NAMESPACE = "jairouter";

/** `["access", "adminCidrs", 0]` → `jairouter:access.adminCidrs[0]` */
export function fullKey(path: (string | number)[]): string {
  let key = `${NAMESPACE}:`;
  path.forEach((segment, i) => {
    key += typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`;
  });
  return key;
}

/**
 * A configuration that cannot be deployed. The message lists every problem, one line each, with the
 * full key, what is wrong and an example of a valid value; it is thrown before any resource exists.
 */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  const byKey = new Map<string, { path: (string | number)[]; messages: string[] }>();
  for (const problem of problems) {
    const key = fullKey(problem.path);
    const entry = byKey.get(key) ?? { path: problem.path, messages: [] };
    if (!entry.messages.includes(problem.message)) entry.messages.push(problem.message);
    byKey.set(key, entry);
  }
  const lines = [...byKey.entries()].map(([key, { path, messages }]) => {
    const example = docAt(path)?.example;
    return `  - ${key}: ${messages.join("; ")}.${example ? ` Example: ${example}` : ""}`;
  });
  const count = byKey.size === 1 ? "1 problem" : `${byKey.size} problems`;
  return `invalid stack configuration (${count}); nothing was deployed:\n${lines.join("\n")}`;
}
