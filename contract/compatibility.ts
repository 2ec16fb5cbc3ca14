import { contractFields, type ContractField } from "./fields";
import { schemaVersionOf, type JsonSchema } from "./json-schema";

/** What changed between two versions of the contract, and what that change requires. */
export interface CompatibilityReport {
  previousVersion: string;
  currentVersion: string;
  /** Changes that can break a consumer: they need a MAJOR bump. */
  breaking: string[];
  /** Fields added or made always present: they need at least a MINOR bump. */
  additive: string[];
  /** Why the current version may not ship; empty when it may. */
  problems: string[];
}

interface Semver {
  major: number;
  minor: number;
  patch: number;
}

export function parseSemver(version: string): Semver {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`schemaVersion "${version}" is not MAJOR.MINOR.PATCH`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The field a path lies in: `a[].b` and `a.<key>.b` lie in `a`. */
function parentOf(path: string): string {
  const cut = path.lastIndexOf(".");
  return cut === -1 ? "" : path.slice(0, cut).replace(/(\[\]|\.<key>)+$/, "");
}

/** Field changes, each naming its field; a removed field beside a new one of its type reads as a rename. */
function fieldChanges(previous: ContractField[], current: ContractField[]) {
  const now = new Map(current.map((f) => [f.path, f]));
  const before = new Map(previous.map((f) => [f.path, f]));
  const added = current.filter((f) => !before.has(f.path));
  const breaking: string[] = [];
  const additive: string[] = [];
  for (const old of previous) {
    const field = now.get(old.path);
    if (!field) {
      // a removed parent already names its children's fate
      if (before.has(parentOf(old.path)) && !now.has(parentOf(old.path))) continue;
      const twin = added.find((f) => parentOf(f.path) === parentOf(old.path) && f.type === old.type);
      breaking.push(
        twin
          ? `renamed \`${old.path}\` (${old.type}) to \`${twin.path}\`? \`${old.path}\` is gone`
          : `removed \`${old.path}\` (${old.type})`,
      );
    } else if (field.type !== old.type) {
      breaking.push(`retyped \`${old.path}\`: ${old.type} → ${field.type}`);
    } else if (old.required && !field.required) {
      breaking.push(`\`${old.path}\` is no longer always present`);
    } else if (!old.required && field.required) {
      additive.push(`\`${old.path}\` is now always present`);
    }
  }
  for (const field of added) {
    // a new parent already says its children are new
    if (now.has(parentOf(field.path)) && !before.has(parentOf(field.path))) continue;
    additive.push(`added \`${field.path}\` (${field.type}${field.required ? "" : ", optional"})`);
  }
  return { breaking, additive };
}

/**
 * Compares the committed JSON Schema (the previous contract) with the current one: field paths and
 * types, and whether `schemaVersion` moved as far as the changes require.
 */
export function checkCompatibility(previous: JsonSchema, current: JsonSchema): CompatibilityReport {
  const previousVersion = schemaVersionOf(previous);
  const currentVersion = schemaVersionOf(current);
  const before = parseSemver(previousVersion);
  const now = parseSemver(currentVersion);
  const { breaking, additive } = fieldChanges(contractFields(previous), contractFields(current));
  const problems: string[] = [];
  const bump = `${previousVersion} → ${currentVersion}`;
  if (compareSemver(now, before) < 0) problems.push(`schemaVersion went backwards: ${bump}`);
  if (breaking.length > 0 && now.major <= before.major) {
    problems.push(
      ...breaking.map((change) => `${change}: a breaking change needs a MAJOR schemaVersion bump (${bump})`),
    );
  } else if (additive.length > 0 && now.major === before.major && now.minor <= before.minor) {
    problems.push(
      ...additive.map((change) => `${change}: needs at least a MINOR schemaVersion bump (${bump})`),
    );
  }
  return { previousVersion, currentVersion, breaking, additive, problems };
}
