/**
 * policy/pack as the Pulumi CLI runs it for `pulumi preview --policy-pack policy/pack`: the files the
 * CLI and @pulumi/policy read, then the pack itself started through the SDK's run-policy-pack
 * harness from the pack's directory (ts-node with type checking, as the CLI does) and asked over
 * the analyzer's gRPC interface which policies it holds and what it reports.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzerResourceOptions,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { POLICY_RULES } from "../../policy/rules";

const PACK = resolve("policy/pack");
const rootPackage = JSON.parse(readFileSync("package.json", "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const packPackage = JSON.parse(readFileSync(join(PACK, "package.json"), "utf8")) as {
  version?: string;
  main?: string;
  dependencies?: Record<string, string>;
};

describe("policy/pack: what the CLI needs", () => {
  it("has PulumiPolicy.yaml with the nodejs runtime", () => {
    const project = parse(readFileSync(join(PACK, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
    expect(project.runtime).toBe("nodejs");
    expect(String(project.description)).toMatch(/\w{8,}/);
  });

  it("has a package.json with the version @pulumi/policy requires and an existing main", () => {
    expect(packPackage.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(join(PACK, packPackage.main ?? "index.js"))).toBe(true);
  });

  it("depends on the same @pulumi/policy and @pulumi/pulumi as the project", () => {
    for (const name of ["@pulumi/policy", "@pulumi/pulumi"]) {
      const root = rootPackage.dependencies[name] ?? rootPackage.devDependencies[name];
      expect(packPackage.dependencies?.[name], name).toBe(root);
    }
  });

  it("has a lock file in step with its package.json, so `npm ci --prefix policy/pack` installs it", () => {
    const lock = JSON.parse(readFileSync(join(PACK, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    expect(lock.packages[""]?.dependencies).toEqual(packPackage.dependencies);
    for (const [name, version] of Object.entries(packPackage.dependencies ?? {}))
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
  });

  it("resolves the SDK's policy-pack harness from its own directory", () => {
    expect(() => require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK] })).not.toThrow();
  });
});

describe("policy/pack: served as the CLI serves it", () => {
  let pack: ChildProcess;
  let client: AnalyzerClient;
  let stderr = "";

  beforeAll(async () => {
    const harness = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK] });
    // The engine address is only dialled for logging; the harness prints the port it serves on.
    pack = spawn(process.execPath, [harness, "127.0.0.1:1", "."], { cwd: PACK, stdio: "pipe" });
    pack.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((ok, fail) => {
      let out = "";
      pack.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) ok(Number(m[1]));
      });
      pack.on("exit", (code) => fail(new Error(`the pack exited (${code}): ${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 120_000);

  afterAll(() => {
    client?.close();
    pack?.kill();
  });

  it("offers every rule of policy/rules.ts, mandatory, under the pack's version", async () => {
    const info = await new Promise<AnalyzerInfo>((ok, fail) =>
      client.getAnalyzerInfo(new Empty(), (err, res) => (err ? fail(err) : ok(res))),
    );
    expect(info.getName()).toBe("jairouter");
    expect(info.getVersion()).toBe(packPackage.version);
    const policies = info.getPoliciesList();
    expect(policies.map((p) => p.getName()).sort()).toEqual(POLICY_RULES.map((r) => r.name).sort());
  });

  it("reports a rule's violation on a resource", async () => {
    const request = new AnalyzeRequest();
    request.setType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    request.setName("ssh-from-anywhere");
    request.setUrn(
      "urn:pulumi:prod::jairouter::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::ssh",
    );
    request.setOptions(new AnalyzerResourceOptions()); // as the engine sends them
    request.setProperties(
      Struct.fromJavaScript({
        cidrIpv4: "0.0.0.0/0",
        fromPort: 22,
        toPort: 22,
        ipProtocol: "tcp",
        description: "ssh from anywhere",
      }),
    );
    const response = await new Promise<AnalyzeResponse>((ok, fail) =>
      client.analyze(request, (err, res) => (err ? fail(err) : ok(res))),
    );
    const diagnostics = response.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`);
    expect(diagnostics.join("\n")).toMatch(
      /no-world-open-admin-ports: [\s\S]*port 22-22 is open to the whole internet/,
    );
  });
});
