import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
const steps = (file: string, job: string) =>
  (parse(readFileSync(`.github/workflows/${file}`, "utf8")) as { jobs: Record<string, { steps: Step[] }> })
    .jobs[job]!.steps;

describe("ci.yml on a hosted runner", () => {
  const ci = steps("ci.yml", "test");
  const runIndex = ci.findIndex((s) => s.run?.includes("bash .ci/run"));

  it("installs moto_server and the aws CLI before .ci/run, which exits without them", () => {
    const ciRun = readFileSync(".ci/run", "utf8");
    expect(ciRun).toMatch(/for tool in moto_server aws/);
    const install = ci.findIndex((s) => /pipx install "moto\[server\]==[\d.]+"/.test(s.run ?? ""));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(ci[install]!.run).toMatch(/awscli|aws\/install/);
    expect(install).toBeLessThan(runIndex);
  });

  it("runs .ci/run as root with CI=true and the runner's PATH", () => {
    expect(ci[runIndex]!.run).toMatch(/sudo .*PATH=\$PATH.* bash \.ci\/run/);
    expect((ci[runIndex] as { env?: Record<string, string> }).env?.CI).toBe("true");
  });

  it("takes Node.js from .node-version", () => {
    const node = ci.find((s) => s.uses?.startsWith("actions/setup-node"));
    expect(node?.with?.["node-version-file"]).toBe(".node-version");
  });
});

describe("deploy.yml", () => {
  const text = readFileSync(".github/workflows/deploy.yml", "utf8");
  const deploy = steps("deploy.yml", "up");

  it("names no region: it reads aws:region from the stack file", () => {
    expect(text).not.toMatch(/\b[a-z]{2}-(north|south|east|west|central|northeast|southeast)-\d\b/);
    const creds = deploy.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
    expect(creds?.with?.["aws-region"]).toBe("${{ steps.stack.outputs.region }}");
    // the default session (1 h) would end inside the 90-minute job
    expect(creds?.with?.["role-duration-seconds"]).toBeGreaterThanOrEqual(90 * 60);
    const region = deploy.find((s) => s.run?.includes("stack:region"));
    expect(region).toBeDefined();
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["stack:region"]).toBe("tsx scripts/stack-region.ts");
  });

  it("runs the preflight as the last step before pulumi up", () => {
    const up = deploy.findIndex((s) => s.uses?.startsWith("pulumi/actions") && s.with?.command === "up");
    expect(up).toBeGreaterThan(0);
    expect(deploy[up - 1]!.run).toBe('npm run preflight -- "$STACK"');
    // the preflight checks the Pulumi CLI, the agent's key and the Session Manager plugin: all set up before it
    const before = deploy.slice(0, up - 1);
    expect(before.some((s) => s.uses?.startsWith("pulumi/actions") && !s.with?.command)).toBe(true);
    expect(before.some((s) => s.uses?.startsWith("webfactory/ssh-agent"))).toBe(true);
    expect(before.some((s) => s.run?.includes("session-manager-plugin"))).toBe(true);
  });
});
