import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runbookAnchor } from "../../render/alert-rules";
import { ALERT_NAMES } from "../../render/monitoring-types";
import { githubSlug, headingAnchors } from "../support/markdown";

describe("docs/runbook.md", () => {
  const runbook = readFileSync("docs/runbook.md", "utf8");
  const alerts = runbook.slice(runbook.indexOf("\n## Alerts\n"));
  const entries = [...alerts.matchAll(/^### (.+)$/gm)].map((m) => m[1]!.trim());

  it("has an Alerts section", () => {
    expect(alerts.length).toBeGreaterThan(100);
  });

  it("has one `### <AlertName>` entry per alert, under Alerts, at the anchor the rules link to", () => {
    const anchors = new Set(headingAnchors(runbook));
    for (const alert of ALERT_NAMES) {
      expect(entries, `no "### ${alert}" under ## Alerts`).toContain(alert);
      expect(githubSlug(alert)).toBe(runbookAnchor(alert));
      expect(anchors.has(runbookAnchor(alert)), `#${runbookAnchor(alert)}`).toBe(true);
    }
  });

  it("has no entry for an alert the rules do not define", () => {
    const known = new Set<string>(ALERT_NAMES);
    for (const entry of entries) expect(known.has(entry), entry).toBe(true);
  });
});
