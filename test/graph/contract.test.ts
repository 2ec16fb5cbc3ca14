import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { readJairouterStack } from "../../consumer";
import { buildContract } from "../../contract/build";
import { contractSchema, type JairouterContract } from "../../contract/schema";
import { isWrappedSecret, MockCloud } from "../../scripts/lib/mock-cloud";
import { readStackFile, withSynthSecrets } from "../../scripts/lib/stack-file";
import { synthesize } from "../../scripts/lib/synth-core";
import { plainInputs, resourcesOf, type SynthResult } from "./helpers";

interface Synthesized {
  result: SynthResult;
  /** What buildStack returned, Outputs intact. */
  exported: Record<string, unknown>;
}

async function synthWithExports(stack: string): Promise<Synthesized> {
  const config = await withSynthSecrets(readStackFile(stack, process.cwd()));
  let exported: Record<string, unknown> = {};
  const result = await synthesize({ stack, ...config }, async () => {
    const { loadStackConfig } = await import("../../config");
    const { buildStack } = await import("../../stack");
    exported = buildStack(loadStackConfig());
    return exported;
  });
  return { result, exported };
}

/**
 * The secrets the stack generates or is given: every SSM SecureString's value (generated passwords,
 * tokens, API keys), private keys and the synth's placeholders for configured secrets. (Not every
 * string inside a secret-wrapped input: one secret element makes a whole environment list secret.)
 */
function generatedSecrets(result: SynthResult): string[] {
  const found = resourcesOf(result, "aws:ssm/parameter:Parameter").map((r) => String(plainInputs(r).value));
  const walk = (value: unknown, inSecret: boolean) => {
    if (isWrappedSecret(value)) return walk(value.value, true);
    if (typeof value === "string" && inSecret && /PRIVATE KEY|synth-placeholder/.test(value))
      found.push(value);
    if (Array.isArray(value)) value.forEach((v) => walk(v, inSecret));
    else if (value && typeof value === "object") Object.values(value).forEach((v) => walk(v, inSecret));
  };
  for (const r of result.resources) walk(r.inputs, false);
  return found;
}

const outputsOf = (s: Synthesized) => s.result.outputs as Record<string, any>;

describe("stack contract output", () => {
  const stacks: Record<string, Synthesized> = {};
  beforeAll(async () => {
    stacks.prod = await synthWithExports("prod");
    stacks.staging = await synthWithExports("staging");
  });

  it.each(["prod", "staging"])("%s: the synthesized contract validates against the schema", (stack) => {
    const parsed = contractSchema.safeParse(outputsOf(stacks[stack]!).contract);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.each(["prod", "staging"])("%s: carries the same values as the deprecated loose outputs", (stack) => {
    const out = outputsOf(stacks[stack]!);
    const contract = out.contract as JairouterContract;
    expect(contract.stack).toBe(stack);
    expect(contract.network.vpcId).toBe(out.vpcId);
    expect(contract.network.privateSubnetIds).toEqual(out.privateSubnetIds);
    expect(contract.edge.endpoint).toBe(out.endpoint);
    expect(contract.edge.nlb).toEqual({ name: out.nlbName, dnsName: out.nlbDnsName });
    expect(contract.edge.proxyPrivateIps).toEqual(out.loadBalancerPrivateIps);
    expect(contract.edge.caCertificatePem).toBe(out.caCertificatePem);
    expect(contract.app).toMatchObject({
      securityGroupId: out.securityGroupIds.app,
      privateIps: out.appPrivateIps,
      port: 8080,
    });
    expect(contract.monitoring.securityGroupId).toBe(out.securityGroupIds.monitoring);
    expect(contract.monitoring.prometheusUrl).toBe(out.prometheusUrl);
    expect(contract.backups).toEqual({
      bucketName: out.backupBucketName,
      bucketArn: out.backupBucketArn,
      region: "eu-west-1",
    });
    expect(contract.secrets.parameterPaths).toEqual(out.secretParameters);
  });

  it.each(["prod", "staging"])(
    "%s: dnsTarget names the NLB's DNS name, as output and in the contract",
    (stack) => {
      const out = outputsOf(stacks[stack]!);
      expect(out.dnsTarget).toEqual({ recordType: "CNAME", values: [out.nlbDnsName], managedByStack: false });
      expect(out.nlbDnsName).toMatch(/\.elb\.eu-west-1\.amazonaws\.com$/);
      expect((out.contract as JairouterContract).edge.dnsTarget).toEqual(out.dnsTarget);
    },
  );

  it("dnsTarget lists the proxies' public addresses with DNS failover, primary first", async () => {
    const config = await withSynthSecrets(readStackFile("staging", process.cwd()));
    const values = {
      ...config.values,
      "jairouter:loadBalancer": JSON.stringify({ engine: "nginx", tier: "minimum", frontDoor: "dns" }),
      "jairouter:domain": JSON.stringify({
        name: "staging.jairouter.example.com",
        route53ZoneId: "Z0123456789ABCDEFGHIJ",
      }),
    };
    const result = await synthesize({ stack: "staging", ...config, values }, async () => {
      const { loadStackConfig } = await import("../../config");
      const { buildStack } = await import("../../stack");
      return buildStack(loadStackConfig());
    });
    const out = result.outputs as Record<string, any>;
    expect(out.loadBalancerPublicIps).toHaveLength(2);
    expect(out.dnsTarget).toEqual({
      recordType: "A",
      values: out.loadBalancerPublicIps,
      managedByStack: true,
    });
    expect(contractSchema.safeParse(out.contract).success).toBe(true);
    expect(out.contract.edge.dnsTarget).toEqual(out.dnsTarget);
  });

  it("names Redis only where it is deployed", () => {
    expect(outputsOf(stacks.prod!).contract.app.redis).toEqual({
      endpoint: outputsOf(stacks.prod!).redisEndpoint,
      port: 6379,
    });
    expect(outputsOf(stacks.staging!).contract.app.redis).toBeUndefined();
    expect(JSON.stringify(outputsOf(stacks.staging!).contract.app)).not.toContain("redis");
  });

  it.each(["prod", "staging"])("%s: is not secret and holds no secret value", async (stack) => {
    const { result, exported } = stacks[stack]!;
    expect(pulumi.Output.isInstance(exported.contract)).toBe(true);
    expect(await pulumi.isSecret(exported.contract as pulumi.Output<unknown>)).toBe(false);
    const text = JSON.stringify(outputsOf(stacks[stack]!).contract);
    expect(text).not.toContain("[secret]");
    const secrets = generatedSecrets(result);
    expect(secrets.length).toBeGreaterThanOrEqual(9); // the stack's generated secrets at least
    expect(secrets.some((s) => s.includes("PRIVATE KEY"))).toBe(true);
    for (const secret of secrets) expect(text.includes(secret), "a secret value").toBe(false);
  });

  it("would turn secret as a whole if a secret reached it (the check above can fail)", async () => {
    const contract = outputsOf(stacks.staging!).contract as JairouterContract;
    const leaked = buildContract({ ...contract, stack: pulumi.secret(contract.stack) });
    expect(await pulumi.isSecret(leaked)).toBe(true);
  });
});

describe("example consumer (examples/consumer) under mocks", () => {
  const producer = "acme/jairouter/prod";
  let prod: JairouterContract;
  let consumer: SynthResult;
  beforeAll(async () => {
    const prodOutputs = (await synthWithExports("prod")).result.outputs as Record<string, unknown>;
    prod = prodOutputs.contract as JairouterContract;
    consumer = await synthesize(
      {
        stack: "example",
        region: "eu-west-1",
        values: { "consumer:jairouterStack": producer },
        secretKeys: [],
        stackOutputs: { [producer]: prodOutputs },
      },
      async () => ({ ...(await import("../../examples/consumer/index")) }),
    );
  });

  const rules = (type: string) =>
    resourcesOf(consumer, type).map((r) => ({ name: r.name, inputs: plainInputs(r) }));
  const groupId = (name: string) =>
    MockCloud.idOf(
      resourcesOf(consumer, "aws:ec2/securityGroup:SecurityGroup").find((r) => r.name === name)!,
    );

  it("places its groups in the producer's VPC", () => {
    const groups = resourcesOf(consumer, "aws:ec2/securityGroup:SecurityGroup").map(plainInputs);
    expect(groups.map((g) => g.vpcId)).toEqual([prod.network.vpcId, prod.network.vpcId]);
  });

  it("allows its own service into the app tier's security group on 8080", () => {
    const ingress = rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(ingress.find((r) => r.name === "jairouter-app-from-service")?.inputs).toMatchObject({
      securityGroupId: prod.app.securityGroupId,
      referencedSecurityGroupId: groupId("service"),
      ipProtocol: "tcp",
      fromPort: 8080,
      toPort: 8080,
    });
    const egress = rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
    expect(egress.find((r) => r.name === "service-to-jairouter-app")?.inputs).toMatchObject({
      securityGroupId: groupId("service"),
      referencedSecurityGroupId: prod.app.securityGroupId,
      fromPort: 8080,
    });
  });

  it("lets its Prometheus into the monitoring group and federates from the contract's URL", () => {
    const ingress = rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(ingress.find((r) => r.name === "jairouter-monitoring-from-prometheus")?.inputs).toMatchObject({
      securityGroupId: prod.monitoring.securityGroupId,
      referencedSecurityGroupId: groupId("prometheus"),
      fromPort: 9090,
      toPort: 9090,
    });
    const outputs = consumer.outputs as Record<string, any>;
    const scrape = parse(outputs.federationScrapeConfig).scrape_configs[0];
    expect(scrape.metrics_path).toBe("/federate");
    expect(scrape.static_configs[0].targets).toEqual([new URL(prod.monitoring.prometheusUrl).host]);
    expect(outputs.jairouterEndpoint).toBe(prod.edge.endpoint);
    expect(outputs.jairouterContractVersion).toBe(prod.schemaVersion);
  });
});

describe("readJairouterStack on a stack reference under mocks", () => {
  /** The contract a mocked stack reference yields, or the error it fails with. */
  async function read(outputs: Record<string, unknown>): Promise<unknown> {
    const name = "acme/jairouter/broken";
    await pulumi.runtime.setMocks(new MockCloud("eu-west-1", { [name]: outputs }), "consumer", "test", false);
    const contract = readJairouterStack(new pulumi.StackReference(name));
    // The SDK's own (internal) view of an Output: a failed apply rejects each of these promises;
    // all are handled here so none surfaces as an unhandled rejection.
    const inner = contract as unknown as {
      promise(): Promise<unknown>;
      isKnown: Promise<boolean>;
      isSecret: Promise<boolean>;
      allResources(): Promise<unknown>;
    };
    const ignore = () => undefined;
    void inner.isKnown.catch(ignore);
    void inner.isSecret.catch(ignore);
    void inner.allResources().catch(ignore);
    return inner.promise().then(
      (value) => value,
      (err: Error) => err,
    );
  }

  it("rejects a reference whose contract lacks a field, naming it and the producer version", async () => {
    const outputs = (await synthWithExports("staging")).result.outputs as Record<string, any>;
    const contract = structuredClone(outputs.contract);
    delete contract.monitoring.prometheusUrl;
    const failure = await read({ ...outputs, contract });
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toMatch(
      /stack "acme\/jairouter\/broken" does not satisfy .*producer schemaVersion 1\.1\.0[\s\S]*`monitoring.prometheusUrl`: missing \(string\)/,
    );
    expect(await read(outputs)).toMatchObject({ stack: "staging" });
  });

  it("rejects a reference without a contract output (a producer from before the contract)", async () => {
    const failure = await read({ endpoint: "https://api.example.com" });
    expect(String((failure as Error).message)).toContain('has no "contract" output');
  });
});
