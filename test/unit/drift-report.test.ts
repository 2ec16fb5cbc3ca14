import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseDriftArgs } from "../../scripts/lib/drift/args";
import type { ExpectedHost } from "../../scripts/lib/drift/expected";
import { fixPlan } from "../../scripts/lib/drift/fix";
import {
  emptyReport,
  exitCode,
  findingKey,
  newFindingKeys,
  parsePreviousReport,
  renderMarkdown,
} from "../../scripts/lib/drift/report";
import { EXIT, type DriftFinding, type DriftReport } from "../../scripts/lib/drift/types";

const edited: DriftFinding = {
  section: "host",
  subject: "jr-prod-app-0:/data/jairouter/config/application.yml",
  key: "content",
  expected: "sha256:aaa",
  actual: "sha256:bbb",
};
const weight: DriftFinding = {
  section: "app",
  subject: "jr-prod-app-1/chat",
  key: "instances[m @ http://a:1].weight",
  expected: "2",
  actual: "5",
};

function report(over: Partial<DriftReport> = {}): DriftReport {
  return { ...emptyReport("prod", new Date("2026-11-30T05:17:00.000Z"), "state"), ...over };
}

describe("exit codes", () => {
  it("0 clean, 2 drift or a failed validation, 3 could not check", () => {
    expect(exitCode(report())).toBe(EXIT.clean);
    expect(
      exitCode(report({ benign: [{ subject: "x", key: "tagsAll.a", rule: "aws-tags-all-derived" }] })),
    ).toBe(EXIT.clean);
    expect(exitCode(report({ findings: [edited] }))).toBe(EXIT.drift);
    expect(
      exitCode(report({ validations: [{ check: "backup", subject: "a", status: "failed", detail: "" }] })),
    ).toBe(EXIT.drift);
    expect(
      exitCode(report({ validations: [{ check: "redis", subject: "a", status: "unknown", detail: "" }] })),
    ).toBe(EXIT.clean);
    const unreachable = { section: "host" as const, subject: "jr-prod-lb-0", reason: "exit 255" };
    expect(exitCode(report({ unchecked: [unreachable] }))).toBe(EXIT.couldNotCheck);
    expect(exitCode(report({ unchecked: [unreachable], findings: [edited] }))).toBe(EXIT.drift);
    expect(new Set(Object.values(EXIT)).size).toBe(4);
  });
});

describe("new drift against the previous report", () => {
  it("is only what the previous report did not hold", () => {
    expect(newFindingKeys([edited, weight], report({ findings: [edited] }))).toEqual([findingKey(weight)]);
    expect(newFindingKeys([edited, weight])).toHaveLength(2);
  });

  it("counts the same property drifted to another value as new", () => {
    expect(newFindingKeys([{ ...weight, actual: "7" }], report({ findings: [weight] }))).toHaveLength(1);
  });

  it("reads a previous report, or names the flag and what to pass", () => {
    expect(parsePreviousReport(JSON.stringify(report({ findings: [edited] }))).findings).toHaveLength(1);
    expect(() => parsePreviousReport("<html>")).toThrow(/--previous: the file is not JSON/);
    expect(() => parsePreviousReport('{"version": 2, "findings": []}')).toThrow(
      /--previous: not a drift report/,
    );
  });
});

describe("the Markdown summary", () => {
  it("marks new findings and lists what could not be checked", () => {
    const md = renderMarkdown(
      report({
        findings: [edited, weight],
        newFindings: [findingKey(weight)],
        unchecked: [{ section: "host", subject: "jr-prod-lb-0", reason: "exit 255" }],
        benign: [
          { subject: "a", key: "tagsAll.x", rule: "aws-tags-all-derived" },
          { subject: "b", key: "tagsAll.y", rule: "aws-tags-all-derived" },
        ],
      }),
    );
    expect(md).toContain("**drift** (exit 2)");
    expect(md).toContain("| 2 | 1 | 2 | 0 | 1 |");
    expect(md).toContain("| new | app | jr-prod-app-1/chat | instances[m @ http://a:1].weight | 2 | 5 |  |");
    expect(md).toContain(
      "|  | host | jr-prod-app-0:/data/jairouter/config/application.yml | content | sha256:aaa | sha256:bbb |  |",
    );
    expect(md).toContain("- host jr-prod-lb-0: exit 255");
    expect(md).toContain("- aws-tags-all-derived: 2");
  });
});

describe("--fix", () => {
  const host: ExpectedHost = {
    name: "jr-prod-app-1",
    sshHost: "ssh://ubuntu@i-0abc",
    sshOpts: [],
    files: [
      {
        resource: "r1",
        path: "/a.yml",
        sha256: "",
        content: "A",
        mode: "0640",
        owner: "0:0",
        create: "ssh host write-a",
      },
      {
        resource: "r2",
        path: "/b.yml",
        sha256: "",
        content: "B",
        mode: "0640",
        owner: "0:0",
        create: "ssh host write-b",
      },
    ],
    containers: [],
    app: {
      url: "",
      adminPassword: "",
      routing: "{}",
      providerKeys: {},
      syncCreate: "ssh host bash -s",
      syncStdin: "sync",
    },
  };

  it("re-applies only the drifted files and the drifted replica's routing", () => {
    const file: DriftFinding = { ...edited, subject: "jr-prod-app-1:/b.yml" };
    expect(fixPlan([file, weight], [host])).toEqual([
      { label: "jr-prod-app-1:/b.yml", commandLine: "ssh host write-b", stdin: "B" },
      { label: "jr-prod-app-1 model routing", commandLine: "ssh host bash -s", stdin: "sync" },
    ]);
    expect(fixPlan([{ ...edited, section: "cloud", subject: "jr-prod-app-1:/a.yml" }], [host])).toEqual([]);
  });
});

describe("command line", () => {
  it("takes one stack and the documented flags", () => {
    expect(parseDriftArgs(["prod", "--previous", "old.json", "--fix"])).toMatchObject({
      stack: "prod",
      previous: "old.json",
      fix: true,
      synth: false,
      out: "out/prod/drift",
    });
  });

  it("names the bad flag and the fix", () => {
    expect(() => parseDriftArgs([])).toThrow(/name exactly one stack/);
    expect(() => parseDriftArgs(["prod", "--previous"])).toThrow(/--previous needs a value/);
    expect(() => parseDriftArgs(["prod", "--verbose"])).toThrow(/unknown flag --verbose/);
    expect(() => parseDriftArgs(["prod", "--synth", "--fix"])).toThrow(/--fix .* cannot run with --synth/);
    expect(() => parseDriftArgs(["prod;rm"])).toThrow(/stack "prod;rm"/);
  });
});

describe("npm run drift (the command)", () => {
  it("exits 1 on a bad flag, naming it, before touching any stack", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/drift.ts", "prod", "--verbose"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain("drift: unknown flag --verbose");
  });
});
