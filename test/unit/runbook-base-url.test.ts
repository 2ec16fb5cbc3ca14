import { describe, expect, it } from "vitest";
import { ConfigError } from "../../config/errors";
import { loadConfig } from "../../config/load";
import { readStackFile, withSynthSecrets } from "../../scripts/lib/stack-file";

async function prodMonitoring(patch: Record<string, unknown>, drop?: string) {
  const values = (await withSynthSecrets(readStackFile("prod", process.cwd()))).values;
  const monitoring = { ...JSON.parse(values["jairouter:monitoring"]!), ...patch };
  if (drop) delete monitoring[drop];
  return { ...values, "jairouter:monitoring": JSON.stringify(monitoring) };
}

function problem(values: Record<string, string>): string {
  try {
    loadConfig(values);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error("configuration was accepted");
}

describe("monitoring.runbookBaseUrl", () => {
  it("is set in both committed stacks to the runbook's absolute URL", async () => {
    for (const stack of ["prod", "staging"]) {
      const values = (await withSynthSecrets(readStackFile(stack, process.cwd()))).values;
      const url = loadConfig(values).settings.monitoring.runbookBaseUrl;
      expect(url, stack).toMatch(/^https:\/\/[^#?]+\/docs\/runbook\.md$/);
    }
  });

  it.each([
    ["a relative path", "docs/runbook.md", "is not an absolute https:// URL"],
    ["plain http", "http://wiki.example.com/runbook", "is not an absolute https:// URL"],
    ["a fragment", "https://wiki.example.com/runbook#alerts", "carries a query or fragment"],
    ["a query", "https://wiki.example.com/runbook?plain=1", "carries a query or fragment"],
  ])("rejects %s, naming the key", async (_, url, message) => {
    const text = problem(await prodMonitoring({ runbookBaseUrl: url }));
    expect(text).toContain("jairouter:monitoring.runbookBaseUrl:");
    expect(text).toContain(message);
  });

  it("may be left out (alerts then link the repository path, not clickable from an e-mail)", async () => {
    const config = loadConfig(await prodMonitoring({}, "runbookBaseUrl"));
    expect(config.settings.monitoring.runbookBaseUrl).toBeUndefined();
  });
});
