/**
 * The real validators on what the offline synth renders for the committed stacks: the files checked
 * here are byte for byte those the stack places on the monitoring host.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { HAPROXY_IDEMPOTENT_BACKEND } from "../../render/haproxy";
import { ALERT_NAMES, type LbEngine } from "../../render/monitoring-types";
import { run, toolsAvailable } from "../support/tools";
import { renderPromtoolTests } from "./fixtures/monitoring/promtool-tests";

const ROOT = resolve(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const PROMETHEUS_YML = "/data/monitoring/config/prometheus/prometheus.yml";
const ALERTMANAGER_YML = "/data/monitoring/config/alertmanager/alertmanager.yml";

/** Files the synth wrote for one stack, keyed by their absolute path on the host. */
type HostFiles = Map<string, string>;

interface Synth {
  dir: string;
  files: HostFiles;
}

function synth(stack: string): Synth {
  const dir = mkdtempSync(join(tmpdir(), `monitoring-synth-${stack}-`));
  copyFileSync(join(ROOT, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  const r = spawnSync(TSX, [join(ROOT, "scripts/synth.ts"), stack], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`synth ${stack} failed: ${r.stderr}`);
  const base = join(dir, "out", stack, "files");
  const files: HostFiles = new Map();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        // <resource name>/<absolute path>: drop the resource name
        const [, ...rest] = relative(base, path).split("/");
        files.set(`/${rest.join("/")}`, readFileSync(path, "utf8"));
      }
    }
  };
  walk(base);
  return { dir, files };
}

function file(files: HostFiles, path: string): string {
  const text = files.get(path);
  if (text === undefined) throw new Error(`the synth placed no ${path}`);
  return text;
}

/**
 * prometheus.yml and its rule files in a fresh directory, laid out as prometheus.yml references
 * them: relative paths as they are, absolute ones rewritten into the directory.
 */
function prometheusTree(files: HostFiles, work: string): { config: string; rules: string[] } {
  const config = parse(file(files, PROMETHEUS_YML)) as Record<string, unknown> & { rule_files: string[] };
  const configDir = posix.dirname(PROMETHEUS_YML);
  const rules = config.rule_files.map((ref, i) => {
    const onHost = posix.isAbsolute(ref) ? ref : posix.join(configDir, ref);
    const local = posix.isAbsolute(ref) ? `rules-${i}.yml` : ref;
    mkdirSync(dirname(join(work, local)), { recursive: true });
    writeFileSync(join(work, local), file(files, onHost));
    return local;
  });
  const rewritten = rules.every((r, i) => r === config.rule_files[i])
    ? file(files, PROMETHEUS_YML)
    : stringify({ ...config, rule_files: rules }, { lineWidth: 0 });
  writeFileSync(join(work, "prometheus.yml"), rewritten);
  return { config: join(work, "prometheus.yml"), rules: rules.map((r) => join(work, r)) };
}

interface AlertRuleYaml {
  alert: string;
  annotations: { runbook_url: string };
}

/** The alerting rules of a rule file (recording rules have no `alert`). */
function alertRules(rulesText: string): AlertRuleYaml[] {
  const doc = parse(rulesText) as { groups: { rules: Partial<AlertRuleYaml>[] }[] };
  return doc.groups.flatMap((g) => g.rules).filter((r): r is AlertRuleYaml => r.alert !== undefined);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function githubAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  const anchors: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.push(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const STACKS: { stack: string; engine: LbEngine; email: boolean }[] = [
  { stack: "prod", engine: "haproxy", email: true },
  { stack: "staging", engine: "nginx", email: false },
];

describe("GitHub anchors", () => {
  it("follow GitHub's rules, so the runbook check below can fail", () => {
    expect(githubAnchors("# A b\n```\n# not a heading\n```\n### HostDiskPressure\n## A b\n")).toEqual([
      "a-b",
      "hostdiskpressure",
      "a-b-1",
    ]);
  });
});

describe.each(STACKS)("synth output of $stack", ({ stack, engine, email }) => {
  let synthed: Synth;
  beforeAll(() => {
    synthed = synth(stack);
  }, 120_000);
  afterAll(() => rmSync(synthed.dir, { recursive: true, force: true }));

  const rulesText = () => {
    const config = parse(file(synthed.files, PROMETHEUS_YML)) as { rule_files: string[] };
    return config.rule_files
      .map((r) => file(synthed.files, posix.join(posix.dirname(PROMETHEUS_YML), r)))
      .join("\n");
  };

  it("links every alert to its runbook heading in docs/runbook.md", () => {
    const rules = alertRules(rulesText());
    expect(new Set(rules.map((r) => r.alert))).toEqual(new Set(ALERT_NAMES));
    const doc = readFileSync(join(ROOT, "docs/runbook.md"), "utf8");
    const runbook = doc.slice(doc.indexOf("\n## Alerts\n"));
    expect(runbook.length).toBeGreaterThan(100);
    const anchors = new Set(githubAnchors(doc));
    const runbookAnchors = new Set(githubAnchors(runbook));
    for (const rule of rules) {
      const [page, fragment] = rule.annotations.runbook_url.split("#");
      // relative to the repository, or an absolute URL of the same file
      expect(page === "docs/runbook.md" || page!.endsWith("/docs/runbook.md"), `${rule.alert}: ${page}`).toBe(
        true,
      );
      expect(fragment).toBe(rule.alert.toLowerCase());
      expect(anchors.has(fragment!), `docs/runbook.md has no heading for #${fragment}`).toBe(true);
      expect(runbookAnchors.has(fragment!), `#${fragment} is not under ## Alerts`).toBe(true);
      // one `### <AlertName>` heading, spelled as the alert
      expect(runbook).toContain(`\n### ${rule.alert}\n`);
    }
  });

  describe.skipIf(!toolsAvailable("promtool"))("promtool", () => {
    it("check config accepts prometheus.yml with the rule files it references", () => {
      const work = mkdtempSync(join(tmpdir(), "promtool-"));
      try {
        const tree = prometheusTree(synthed.files, work);
        const r = run("promtool", ["check", "config", tree.config]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toContain(`SUCCESS: ${tree.rules.length} rule files found`);
        const rules = run("promtool", ["check", "rules", ...tree.rules]);
        expect(rules.status, rules.stdout + rules.stderr).toBe(0);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it("test rules: the generated scenarios fire every alert on the deployed rule file", () => {
      const runbookBaseUrl = alertRules(rulesText())[0]!.annotations.runbook_url.split("#")[0]!;
      const work = mkdtempSync(join(tmpdir(), "promtool-test-"));
      try {
        writeFileSync(join(work, "rules.yml"), rulesText());
        writeFileSync(
          join(work, "tests.yml"),
          renderPromtoolTests("rules.yml", {
            lbEngine: engine,
            haproxyAppBackend: HAPROXY_IDEMPOTENT_BACKEND,
            runbookBaseUrl,
          }),
        );
        const r = run("promtool", ["test", "rules", join(work, "tests.yml")]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toContain("SUCCESS");
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });

  describe.skipIf(!toolsAvailable("amtool"))("amtool", () => {
    it("check-config accepts alertmanager.yml", () => {
      const text = file(synthed.files, ALERTMANAGER_YML);
      expect(text.includes("email_configs")).toBe(email);
      const work = mkdtempSync(join(tmpdir(), "amtool-"));
      try {
        writeFileSync(join(work, "alertmanager.yml"), text);
        const r = run("amtool", ["check-config", join(work, "alertmanager.yml")]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toContain("2 receivers");
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
});
