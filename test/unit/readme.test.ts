import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README", () => {
  const readme = readFileSync("README.md", "utf8");

  it("opens with the two commands that work on a fresh machine", () => {
    const firstBlock = readme.split("```")[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm run synth -- prod");
    expect(firstBlock).toContain("npm test");
  });

  it("stays an entry page: at most 200 lines, details in docs/", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
  });

  it("names the runtime the project pins", () => {
    const pinned = readFileSync(".node-version", "utf8").trim();
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
    expect(readme).toContain(pinned);
    expect(readme).toContain(`@pulumi/pulumi\` ${pkg.dependencies["@pulumi/pulumi"]}`);
  });

  it("lists the first deploy in order, with a duration per step", () => {
    const section = readme.slice(readme.indexOf("## First deploy"), readme.indexOf("## Day 2"));
    const steps = [...section.matchAll(/^\d+\. \*\*(.+?)\*\* \(([^)]*)\)/gm)];
    expect(steps.length).toBeGreaterThanOrEqual(9);
    for (const step of steps) expect(step[2], step[1]).toMatch(/\d+ (min|s)/);
    const order = [
      "bootstrap/",
      "--secrets-provider",
      "pulumi config set --secret",
      "npm run preflight -- prod",
      "pulumi preview",
      "pulumi up",
      "pulumi stack output dnsTarget",
      "caCertificatePem",
      "npm run smoke -- prod",
      "test alert",
    ];
    const positions = order.map((text) => section.indexOf(text));
    for (const [i, text] of order.entries()) expect(positions[i], text).toBeGreaterThan(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("says where secrets go: secure: ciphertext in the committed stack file", () => {
    expect(readme).toMatch(/`secure:` ciphertext/);
    expect(readme).not.toMatch(/secrets are not in this file/i);
  });
});
