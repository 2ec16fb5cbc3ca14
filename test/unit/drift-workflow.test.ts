import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  environment?: string;
  steps: Step[];
}

const text = readFileSync(".github/workflows/drift.yml", "utf8");
const workflow = parse(text) as { permissions: Record<string, string>; jobs: Record<string, Job> };
const drift = workflow.jobs.drift!;
const fix = workflow.jobs.fix!;
const index = (job: Job, match: (s: Step) => boolean) => job.steps.findIndex(match);

describe("drift.yml", () => {
  it("runs npm run drift with the previous report, after the tools the report needs", () => {
    const run = index(drift, (s) =>
      /npm run --silent drift -- "\$STACK" .*--previous "\$PREVIOUS"/.test(s.run ?? ""),
    );
    const previous = index(drift, (s) => s.id === "previous");
    expect(previous).toBeGreaterThan(0);
    expect(drift.steps[previous]!.run).toMatch(/gh run download "\$run_id" --name "drift-report-\$STACK"/);
    expect(run).toBeGreaterThan(previous);
    for (const tool of ["pulumi/actions", "webfactory/ssh-agent", "aws-actions/configure-aws-credentials"]) {
      expect(
        index(drift, (s) => s.uses?.startsWith(tool) ?? false),
        tool,
      ).toBeLessThan(run);
    }
  });

  it("keeps the JSON report as the artifact the next run downloads", () => {
    const upload = drift.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
    expect(upload.if).toBe("${{ always() }}");
    expect(upload.with?.name).toBe("drift-report-${{ matrix.stack }}");
    expect(String(upload.with?.path)).toContain("drift-report.json");
  });

  it("notifies only when the report holds new findings", () => {
    const notify = drift.steps.find((s) => s.name?.startsWith("Notify"))!;
    expect(notify.if).toBe("${{ steps.drift.outputs.new > 0 }}");
  });

  it("names no region and takes Node.js from .node-version", () => {
    expect(text).not.toMatch(/\b[a-z]{2}-(north|south|east|west|central|northeast|southeast)-\d\b/);
    for (const job of [drift, fix]) {
      const creds = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
      expect(creds?.with?.["aws-region"]).toBe("${{ steps.stack.outputs.region }}");
      expect(job.steps.find((s) => s.id === "stack")?.run).toContain("npm run --silent stack:region");
      const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node"));
      expect(node?.with?.["node-version-file"]).toBe(".node-version");
    }
  });

  it("checks with a read-only role; only the manual fix job takes the deploy role, behind an environment", () => {
    const role = (job: Job) =>
      job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"))?.with?.[
        "role-to-assume"
      ];
    expect(role(drift)).toBe("${{ vars.AWS_DRIFT_ROLE_ARN }}");
    expect(drift.steps.some((s) => s.run?.includes("--fix"))).toBe(false);
    expect(role(fix)).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    expect(fix.if).toBe("${{ inputs.fix }}");
    expect(fix.environment).toMatch(/production/);
    // the GitHub token writes nothing either: id-token is the OIDC login
    const writes = Object.entries(workflow.permissions).filter(([, v]) => v === "write");
    expect(writes.map(([k]) => k)).toEqual(["id-token"]);
  });
});
