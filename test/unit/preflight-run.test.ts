import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseArgs } from "../../scripts/lib/preflight/args";
import { AwsCallError, type AwsCall } from "../../scripts/lib/aws-cli";
import { EXIT, exitCodeOf, type CheckResult } from "../../scripts/lib/preflight/checks";
import { needsOf } from "../../scripts/lib/preflight/needs";
import { formatReport, reportJson } from "../../scripts/lib/preflight/report";
import { runPreflight, type PreflightDeps } from "../../scripts/lib/preflight/run";
import { UsageError } from "../../scripts/lib/preflight/stack-source";

const dir = mkdtempSync(join(tmpdir(), "preflight-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (status: CheckResult["status"]): CheckResult => ({
  group: "quotas",
  title: "x",
  status,
  detail: "",
});

describe("exit codes", () => {
  it("0 pass, 1 blocked (wins), 3 could not check; skipped lines do not count", () => {
    expect(exitCodeOf([line("pass"), line("skip")])).toBe(EXIT.pass);
    expect(exitCodeOf([line("pass"), line("unknown")])).toBe(EXIT.couldNotCheck);
    expect(exitCodeOf([line("unknown"), line("fail")])).toBe(EXIT.blocked);
    expect(new Set(Object.values(EXIT)).size).toBe(4);
  });
});

describe("arguments", () => {
  it("reads the stack, --with, --json, --skip and --quotas-file", () => {
    const file = join(dir, "quotas.json");
    writeFileSync(file, JSON.stringify({ "ec2/L-0263D0A3": 2 }));
    expect(
      parseArgs(["prod", "--with", "staging", "--json", "--skip", "tools,secrets", "--quotas-file", file]),
    ).toEqual({
      stack: "prod",
      withStacks: ["staging"],
      json: true,
      skip: ["tools", "secrets"],
      quotas: { "ec2/L-0263D0A3": 2 },
    });
  });

  it.each([
    [[], /name the stack/],
    [["prod", "--frobnicate"], /unknown flag --frobnicate/],
    [["prod", "--skip", "dns"], /--skip: unknown group "dns"/],
    [["prod", "--with"], /--with needs a value/],
    [["prod", "--principal-arn", "alice"], /--principal-arn: "alice" is not an IAM user or role ARN/],
  ])("rejects %j naming the flag", (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });

  it("rejects a quotas file with a bad key, naming the flag and the expected form", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ eips: 5 }));
    expect(() => parseArgs(["prod", "--quotas-file", file])).toThrow(
      /--quotas-file: key "eips" is not "<service code>\/<quota code>"/,
    );
  });
});

/** A copy of the prod stack file under another stack name, in a scratch directory. */
function cleanStack(): string {
  const prod = readFileSync("Pulumi.prod.yaml", "utf8");
  writeFileSync(join(dir, "Pulumi.clean.yaml"), prod);
  return "clean";
}

function deps(aws: AwsCall): PreflightDeps {
  return {
    dir,
    aws: () => aws,
    usage: () => async () => ({ eips: 0, "vcpu-standard": 0, nlbs: 0, "cache-nodes": 0, vpcs: 0 }),
    runTool: async () => ({ found: false, code: null, output: "" }),
    needs: async (stack) =>
      needsOf(stack, [
        { type: "aws:ec2/eip:Eip", name: "a", inputs: {} },
        { type: "aws:ec2/instance:Instance", name: "b", inputs: { instanceType: "c6i.2xlarge" } },
      ]),
  };
}

describe("the whole run", () => {
  const skip = ["tools", "placeholders", "secrets"] as const;

  it("is could-not-check without credentials, and asks nothing but the identity", async () => {
    const calls: string[] = [];
    const noCredentials: AwsCall = async (service, operation) => {
      calls.push(`${service} ${operation}`);
      throw new AwsCallError("credentials", `${service} ${operation}`, "Unable to locate credentials");
    };
    const report = await runPreflight({ ...parseArgs([cleanStack()]), skip: [...skip] }, deps(noCredentials));
    expect(exitCodeOf(report.results)).toBe(EXIT.couldNotCheck);
    expect(calls).toEqual(["sts get-caller-identity"]);
    expect(formatReport(report)).toContain("????  identity/AWS identity");
    expect(formatReport(report)).toContain("exit 3: could not check");
  });

  it("is blocked on a quota below need, with both numbers in the text and the JSON", async () => {
    const aws: AwsCall = async (service, operation) => {
      if (operation === "get-caller-identity")
        return { Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/op" };
      if (operation === "describe-availability-zones")
        return { AvailabilityZones: [{ ZoneName: "a" }, { ZoneName: "b" }, { ZoneName: "c" }] };
      if (service === "service-quotas") return { Quota: { Value: 4 } };
      throw new AwsCallError("unsupported", `${service} ${operation}`, "(500)");
    };
    const report = await runPreflight({ ...parseArgs([cleanStack()]), skip: [...skip] }, deps(aws));
    expect(exitCodeOf(report.results)).toBe(EXIT.blocked);
    const vcpu = report.results.find((r) => r.title.startsWith("vCPUs"))!;
    expect(vcpu).toMatchObject({ status: "fail", have: 4, need: 8 });
    expect(formatReport(report)).toContain("have 4 (quota 4 − 0 in use), need 8 for clean");
    expect(JSON.parse(reportJson(report))).toMatchObject({ exitCode: 1, account: "123456789012" });
  });

  it("refuses --with a stack of another region", async () => {
    writeFileSync(join(dir, "Pulumi.useast.yaml"), "config:\n  aws:region: us-east-1\n");
    await expect(
      runPreflight(
        parseArgs([cleanStack(), "--with", "useast"]),
        deps(async () => ({})),
      ),
    ).rejects.toThrow(/--with useast: its aws:region us-east-1 differs from eu-west-1/);
  });
});
