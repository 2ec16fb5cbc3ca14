// The pull-request preview workflow: what it holds (no host access), where its region comes from,
// that it runs the policy pack, and that it posts the review as one edited comment per stack.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commentMarker } from "../../scripts/lib/review/report";

const text = readFileSync(".github/workflows/preview.yml", "utf8");
const workflow = parse(text) as { jobs: Record<string, { steps: Record<string, any>[] }> };
const steps = Object.values(workflow.jobs)[0]!.steps;
const runs = steps.map((s) => String(s.run ?? "")).join("\n");

describe("preview workflow", () => {
  it("holds no SSH key and no Session Manager plugin", () => {
    expect(text).not.toMatch(/ssh-agent|ssh-private-key|DEPLOY_SSH_KEY|session-manager/i);
  });

  it("reads the region from the stack file, not a literal", () => {
    const aws = steps.find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"))!;
    expect(aws.with["aws-region"]).toBe("${{ steps.stack.outputs.region }}");
    expect(runs).toContain('npm run --silent stack:region -- "$STACK"');
    expect(aws.with["role-to-assume"]).toContain("AWS_PREVIEW_ROLE_ARN");
  });

  it("keeps the Node version in .node-version", () => {
    const node = steps.find((s) => String(s.uses).startsWith("actions/setup-node"))!;
    expect(node.with["node-version-file"]).toBe(".node-version");
  });

  it("previews with the policy pack installed, as JSON, without --refresh", () => {
    expect(runs).toContain("npm ci --prefix policy/pack");
    expect(runs).toMatch(/pulumi preview --stack "\$STACK" --json --policy-pack policy\/pack/);
    expect(runs).not.toContain("--refresh");
  });

  it("reviews the preview against the base branch and edits one comment per stack, found by its marker", () => {
    expect(runs).toContain('npm run --silent review -- "$STACK" --preview preview.json --base "$BASE_REF"');
    const post = steps.find((s) => String(s.uses).startsWith("actions/github-script"))!;
    const script = String(post.with.script);
    expect(commentMarker("prod")).toBe("<!-- jairouter-review:prod -->");
    expect(script).toContain("const marker = `<!-- jairouter-review:${stack} -->`");
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
  });
});
