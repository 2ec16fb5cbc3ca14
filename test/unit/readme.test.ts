import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README", () => {
  const readme = readFileSync("README.md", "utf8");

  it("opens with the two commands that work on a fresh machine", () => {
    const firstBlock = readme.split("```")[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm run synth -- prod");
    expect(firstBlock).toContain("npm test");
  });
});
