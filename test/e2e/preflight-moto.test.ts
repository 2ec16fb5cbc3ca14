/**
 * `npm run preflight` against a real moto_server on 127.0.0.1. moto answers sts, EC2/ELB/ElastiCache
 * describe calls (usage), availability zones and the `vpc` Service Quotas; it does not implement the
 * ec2/elasticloadbalancing/elasticache quotas nor iam simulate-principal-policy, so those quota
 * values come from test/fixtures/preflight/quotas-below-need.json and the permission lines read
 * "could not check". The tools group is skipped: it checks this machine, not the account.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsAvailable } from "../support/tools";
import { freePort, startS3 } from "./support/backup-host";
import type { Daemon } from "./support/daemon";

const FIXTURE = "test/fixtures/preflight/quotas-below-need.json";
const REGION = "eu-west-1";

interface Line {
  group: string;
  title: string;
  status: string;
  detail: string;
  have?: number;
  need?: number;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with only the AWS settings given (no operator profile leaks in). */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!toolsAvailable("moto_server", "aws"))("preflight against moto_server", () => {
  let home = "";
  let moto: Daemon | undefined;
  let endpoint = "";
  const awsEnv = (overrides: Record<string, string> = {}) => ({
    HOME: home,
    AWS_CONFIG_FILE: join(home, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "aws-credentials"),
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_MAX_ATTEMPTS: "1",
    AWS_ENDPOINT_URL: endpoint,
    ...overrides,
  });
  const preflight = (args: string[], env = awsEnv()) =>
    run("npm", ["run", "-s", "preflight", "--", ...args], env);

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "preflight-moto-"));
    writeFileSync(join(home, "aws-config"), "");
    writeFileSync(join(home, "aws-credentials"), "");
    ({ daemon: moto, endpoint } = await startS3());
    // one Elastic IP held by something else in the account: usage the quota line must subtract
    const allocated = await run(
      "aws",
      ["ec2", "allocate-address", "--domain", "vpc", "--region", REGION],
      awsEnv(),
    );
    expect(allocated.code, allocated.stderr).toBe(0);
  });

  afterAll(async () => {
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("blocks prod (exit 1) on the EIP and vCPU lines with both numbers, and names every placeholder", async () => {
    const result = await preflight(["prod", "--skip", "tools", "--quotas-file", FIXTURE, "--json"]);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { exitCode: number; account: string; results: Line[] };
    const line = (group: string, prefix: string) =>
      report.results.find((r) => r.group === group && r.title.startsWith(prefix));
    expect(report.exitCode).toBe(1);
    expect(line("quotas", "Elastic IPs")).toMatchObject({
      status: "fail",
      have: 1,
      need: 3,
      detail: "have 1 (quota 2 [fixture] − 1 in use), need 3 for prod",
    });
    expect(line("quotas", "vCPUs: On-Demand Standard")).toMatchObject({
      status: "fail",
      have: 32,
      need: 36,
      detail: "have 32 (quota 32 [fixture] − 0 in use), need 36 for prod",
    });
    // moto's own answers: the caller, the zones, the VPC quota and its usage
    expect(report.account).toBe("123456789012");
    expect(line("identity", "region eu-west-1")?.status).toBe("pass");
    expect(line("quotas", "VPCs")?.detail).toMatch(/^have \d+ \(quota 5 − \d+ in use\), need 1 for prod$/);
    expect(line("permissions", "StackRead")).toMatchObject({ status: "unknown" });
    expect(line("permissions", "StackRead")?.detail).toContain("does not implement this call");
    const placeholders = report.results.filter((r) => r.group === "placeholders" && r.status === "fail");
    for (const key of [
      "jairouter:domain.name",
      "jairouter:monitoring.alerts.email.smarthost",
      "jairouter:monitoring.alerts.webhooks[0].url",
      "jairouter:models.services.chat.instances[0].baseUrl",
    ])
      expect(placeholders.map((p) => p.title)).toContain(key);
  });

  it("could not check (exit 3) when the API is unreachable, with the line that says so", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await preflight(
      ["prod", "--skip", "tools,placeholders,secrets"],
      awsEnv({ AWS_ENDPOINT_URL: closed }),
    );
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/\?\?\?\? {2}identity\/AWS identity +AWS API unreachable/);
    expect(result.stdout).toContain("exit 3: could not check");
  });
});
