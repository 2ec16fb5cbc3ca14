import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { run } from "./tools";

/** Sections of a systemd unit file: `{ Unit: { After: [...] }, ... }`; throws on a line it cannot read. */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const entry = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!entry || !current) throw new Error(`not a unit file line: ${line}`);
    (current[entry[1]!] ??= []).push(entry[2]!);
  }
  return sections;
}

/** A file to place under the verify root: absolute path on the host, body, octal mode. */
export interface PlacedUnitFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * `systemd-analyze verify` of `units` in a throwaway root holding the system's own units (the
 * targets the placed units refer to) plus `files`; returns "<status>\n<output>" ("0\n" when clean).
 */
export function verifyUnitsInRoot(files: readonly PlacedUnitFile[], units: readonly string[]): string {
  const systemUnits = ["/usr/lib/systemd/system", "/lib/systemd/system"].find(
    (d) => existsSync(join(d, "timers.target")) && existsSync(join(d, "multi-user.target")),
  );
  if (!systemUnits) throw new Error("no system unit directory with timers.target and multi-user.target");
  const root = mkdtempSync(join(tmpdir(), "systemd-verify-"));
  try {
    cpSync(systemUnits, join(root, "usr/lib/systemd/system"), { recursive: true, dereference: false });
    for (const file of files) {
      mkdirSync(join(root, dirname(file.path)), { recursive: true });
      writeFileSync(join(root, file.path), file.content);
      chmodSync(join(root, file.path), file.mode);
    }
    const result = run("systemd-analyze", ["verify", "--man=no", `--root=${root}`, ...units]);
    return `${result.status}\n${result.stdout}${result.stderr}`;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
