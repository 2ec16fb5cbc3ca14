// The change matrix (ARCHITECTURE.md, Day 2): synthesise prod, apply one configuration change to a
// copy of its configuration, synthesise again, diff, and hold the diff to the row's expectations and
// to the invariants every row shares (change-matrix-rules.ts).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diffSynths, type ChangeSet } from "../../scripts/lib/change-diff";
import { summarizeChanges } from "../../scripts/lib/change-report";
import { configChange, configOverrides, readStackConfigMapping } from "../../scripts/lib/config-change";
import { stableJson } from "../../scripts/lib/stable-json";
import { toolsAvailable } from "../support/tools";
import { checkRow, type MatrixRow } from "./change-matrix-rules";
import { matrixRows, type TlsFixture } from "./change-matrix-rows";
import { synthStack, type SynthResult } from "./helpers";

const PROD = readStackConfigMapping("prod");
const DOMAIN = "api.jairouter.example.com";

/** A key and two certificates for it (the second a renewal), made by openssl; nothing is kept. */
function tlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), "change-matrix-tls-"));
  try {
    const key = join(dir, "key.pem");
    const subject = ["-subj", `/CN=${DOMAIN}`, "-addext", `subjectAltName=DNS:${DOMAIN}`];
    const cert = (file: string, days: number, keyArgs: string[]) =>
      execFileSync(
        "openssl",
        ["req", "-x509", ...keyArgs, "-out", join(dir, file), "-days", String(days), ...subject],
        {
          stdio: "pipe",
        },
      );
    cert("cert.pem", 90, ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key]);
    cert("renewed.pem", 365, ["-key", key]);
    return {
      privateKeyPem: readFileSync(key, "utf8"),
      certificatePem: readFileSync(join(dir, "cert.pem"), "utf8"),
      renewedCertificatePem: readFileSync(join(dir, "renewed.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function overridesFor(...steps: (Readonly<Record<string, unknown>> | undefined)[]): Record<string, unknown> {
  const changes = steps.flatMap((s) =>
    Object.entries(s ?? {}).map(([key, value]) => configChange(key, value)),
  );
  return configOverrides(PROD, changes);
}

// One synth per distinct configuration: the committed prod config is synthesised once for the file,
// and a row whose side equals another's (4 → 3 ends where prod is) reuses it. Synths run one at a
// time: the mock runtime is global.
const synths = new Map<string, Promise<SynthResult>>();
function synthOf(overrides: Record<string, unknown>): Promise<SynthResult> {
  const key = stableJson({ ...PROD, ...overrides });
  if (!synths.has(key)) synths.set(key, synthStack("prod", overrides));
  return synths.get(key)!;
}

function shortType(type: string): string {
  return type.split(":").pop()!;
}

function matrixLine(row: MatrixRow, set: ChangeSet, problems: number): string[] {
  const { counts } = summarizeChanges(set);
  const touched = new Map<string, number>();
  for (const c of set.changes) {
    const label = `${shortType(c.type)} ${c.action}`;
    touched.set(label, (touched.get(label) ?? 0) + 1);
  }
  const types = [...touched].map(([label, n]) => `${n} ${label}`).join(", ");
  return [
    row.change,
    ...(["replace", "delete", "create", "update"] as const).map((a) => String(counts[a])),
    problems ? `${problems} broken` : "ok",
    types,
  ];
}

const lines: string[][] = [];
const rows = matrixRows(toolsAvailable("openssl") ? tlsFixture() : undefined);

describe("change matrix (prod)", () => {
  afterAll(() => {
    const header = ["change", "replace", "delete", "create", "update", "rules", "touched"];
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
    console.log([fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n"));
  });

  it.each(rows.map((row) => [row.change, row] as const))("%s", async (_, row) => {
    const before = await synthOf(overridesFor(row.base));
    const after = await synthOf(overridesFor(row.base, row.set));
    const set = diffSynths(before.resources, after.resources);
    const problems = checkRow(row, set, before.resources, after.resources);
    lines.push(matrixLine(row, set, problems.length));
    expect(problems, `${row.change}:\n  ${problems.join("\n  ")}`).toEqual([]);
  });
});
