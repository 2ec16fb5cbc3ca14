/**
 * Every relative link in the documentation resolves: the file exists, and an `#anchor` matches a
 * heading of the target page by GitHub's slug rules. External links (`https:`, `mailto:`) are not
 * fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { githubSlug, headingAnchors, markdownLinks } from "../support/markdown";

function markdownUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return markdownUnder(path);
    return e.name.endsWith(".md") ? [path] : [];
  });
}

const PAGES = ["README.md", ...markdownUnder("docs"), "bootstrap/README.md"].filter((p) => existsSync(p));

const anchorsOf = new Map<string, Set<string>>();
function anchors(page: string): Set<string> {
  let set = anchorsOf.get(page);
  if (!set) {
    set = new Set(headingAnchors(readFileSync(page, "utf8")));
    anchorsOf.set(page, set);
  }
  return set;
}

/** Problems with one link of `page`, or none. */
function brokenLink(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return undefined; // external
  const [pathPart, fragment] = target.split("#", 2) as [string, string | undefined];
  const path = decodeURIComponent(pathPart.split("?")[0]!);
  const file = path === "" ? page : normalize(join(dirname(page), path));
  if (relative(".", file).startsWith("..")) return `${target}: leaves the repository`;
  if (!existsSync(file)) return `${target}: ${file} does not exist`;
  if (fragment === undefined || fragment === "") return undefined;
  if (statSync(file).isDirectory() || !file.endsWith(".md"))
    return `${target}: #anchor on a non-Markdown target`;
  const anchor = decodeURIComponent(fragment);
  return anchors(file).has(anchor) ? undefined : `${target}: ${file} has no heading for #${anchor}`;
}

describe("documentation links", () => {
  it("checks the README, docs/ and bootstrap/README.md", () => {
    expect(PAGES).toContain("README.md");
    expect(PAGES.filter((p) => p.startsWith("docs/")).length).toBeGreaterThanOrEqual(8);
  });

  it.each(PAGES)("%s: every relative link and #anchor resolves", (page) => {
    const problems = markdownLinks(readFileSync(page, "utf8"))
      .map((link) => ({ link, problem: brokenLink(page, link.target) }))
      .filter((p) => p.problem !== undefined)
      .map(({ link, problem }) => `${page}:${link.line}: ${problem}`);
    expect(problems).toEqual([]);
  });

  it("links from the README to every page of docs/", () => {
    const readme = readFileSync("README.md", "utf8");
    const linked = new Set(markdownLinks(readme).map((l) => normalize(l.target.split("#")[0]!)));
    for (const page of PAGES.filter((p) => p.startsWith("docs/"))) expect(linked, page).toContain(page);
  });
});

describe("the link checker itself", () => {
  it("slugs headings as GitHub does", () => {
    expect(githubSlug("What a change does to a running stack")).toBe("what-a-change-does-to-a-running-stack");
    expect(githubSlug("Reaching the hosts: SSH key and transport")).toBe(
      "reaching-the-hosts-ssh-key-and-transport",
    );
    expect(githubSlug("`pulumi up` in CI/CD")).toBe("pulumi-up-in-cicd");
    expect(githubSlug("First deploy, in order")).toBe("first-deploy-in-order");
    expect(githubSlug("Zero-downtime changes")).toBe("zero-downtime-changes");
    expect(githubSlug("TlsCertificateExpiresSoon")).toBe("tlscertificateexpiressoon");
    expect(githubSlug("[docs](x.md) and more")).toBe("docs-and-more");
    expect(headingAnchors("# A b\n```\n# not a heading\n```\n## A b\n### C\n")).toEqual([
      "a-b",
      "a-b-1",
      "c",
    ]);
  });

  it("finds inline links outside code, and reports what does not resolve", () => {
    const links = markdownLinks(
      "see [a](docs/x.md#y) and `[b](no.md)`\n```\n[c](no.md)\n```\n[d]: ../e.md\n",
    );
    expect(links.map((l) => l.target)).toEqual(["docs/x.md#y", "../e.md"]);
    expect(brokenLink("README.md", "docs/nope.md")).toMatch(/does not exist/);
    expect(brokenLink("README.md", "#no-such-heading")).toMatch(/no heading for #no-such-heading/);
    expect(brokenLink("README.md", "#contents")).toBeUndefined();
    expect(brokenLink("docs/runbook.md", "../README.md#contents")).toBeUndefined();
    expect(brokenLink("README.md", "https://example.com/x#y")).toBeUndefined();
    expect(brokenLink("README.md", "../outside.md")).toMatch(/leaves the repository/);
  });
});
