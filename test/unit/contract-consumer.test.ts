import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ContractError, parseJairouterContract } from "../../consumer";
import { completeContract } from "../../contract/build";
import { CONTRACT_VERSION } from "../../contract/schema";

/** A valid contract of version 1.2.0 (a later minor than this code: consumers must accept it). */
function producerContract(): Record<string, any> {
  return {
    schemaVersion: "1.2.0",
    stack: "prod",
    network: {
      vpcId: "vpc-12c272dfb57074cdd",
      vpcCidr: "10.0.0.0/16",
      zones: ["eu-west-1a", "eu-west-1b"],
      publicSubnetIds: ["subnet-c4e58c810f538ef4a", "subnet-59ae942415257fc81"],
      privateSubnetIds: ["subnet-d76f2dc94fb6998dc", "subnet-05fadd3637b626bb6"],
    },
    edge: {
      endpoint: "https://api.jairouter.example.com",
      publicDnsName: "api.jairouter.example.com",
      frontDoor: "nlb",
      nlb: { name: "jr-prod-nlb", dnsName: "jr-prod-nlb-8d1d0a6b.elb.eu-west-1.amazonaws.com" },
      proxyPrivateIps: ["10.0.128.33", "10.0.144.33"],
    },
    app: { securityGroupId: "sg-7bb32ca5b32a8294c", privateIps: ["10.0.128.34"], port: 8080 },
    monitoring: {
      securityGroupId: "sg-284fafb5e580eaa80",
      privateIp: "10.0.128.32",
      prometheusUrl: "http://10.0.128.32:9090",
      alertmanagerUrl: "http://10.0.128.32:9093",
      grafanaUrl: "http://10.0.128.32:3000",
      tunnelCommands: { prometheus: "aws ssm ...", alertmanager: "aws ssm ...", grafana: "aws ssm ..." },
    },
    backups: {
      bucketName: "jr-prod-backups",
      bucketArn: "arn:aws:s3:::jr-prod-backups",
      region: "eu-west-1",
    },
    secrets: {
      parameterPrefix: "/jairouter/prod",
      parameterPaths: { "jwt-secret": "/jairouter/prod/app/jwt-secret" },
    },
  };
}

function failure(value: unknown): string {
  try {
    parseJairouterContract(value, "acme/jairouter/prod");
  } catch (err) {
    expect(err).toBeInstanceOf(ContractError);
    return (err as Error).message;
  }
  throw new Error("expected the contract to be rejected");
}

describe("parseJairouterContract (consumer side)", () => {
  it("accepts a later minor version and keeps the fields it added", () => {
    const value = { ...producerContract(), dns: { zoneId: "Z1" } };
    const contract = parseJairouterContract(value, "acme/jairouter/prod");
    expect(contract.app.port).toBe(8080);
    expect((contract as Record<string, unknown>).dns).toEqual({ zoneId: "Z1" });
  });

  it("rejects a missing field, naming it, the producer's version and the major it expects", () => {
    const value = producerContract();
    delete value.app.securityGroupId;
    const message = failure(value);
    expect(message).toContain('stack "acme/jairouter/prod"');
    expect(message).toContain("producer schemaVersion 1.2.0");
    expect(message).toContain("expects schemaVersion 1.x");
    expect(message).toContain("`app.securityGroupId`: missing (string)");
  });

  it("points at the likely new name of a renamed field", () => {
    const value = producerContract();
    value.monitoring.prometheusBaseUrl = value.monitoring.prometheusUrl;
    delete value.monitoring.prometheusUrl;
    expect(failure(value)).toContain(
      "`monitoring.prometheusUrl`: missing (string); beside it is `monitoring.prometheusBaseUrl`, which the contract does not know: renamed?",
    );
  });

  it("rejects a mistyped field and an invalid element, showing what was there", () => {
    const value = producerContract();
    value.app.port = "8080";
    value.network.privateSubnetIds[1] = "10.0.1.0/24";
    const message = failure(value);
    expect(message).toContain('`app.port`: Invalid input: expected number, received string; got "8080"');
    expect(message).toContain('`network.privateSubnetIds[1]`: a subnet id (subnet-...); got "10.0.1.0/24"');
  });

  it("rejects another major version before looking at fields", () => {
    const value = { ...producerContract(), schemaVersion: "2.0.0", app: undefined };
    expect(failure(value)).toBe(
      'stack "acme/jairouter/prod" publishes contract schemaVersion 2.0.0, but this consumer expects schemaVersion 1.x: upgrade the consumer (another major renames or removes fields)',
    );
  });

  it("rejects a stack without the contract output, and a contract without a version", () => {
    expect(failure(undefined)).toContain('has no "contract" output');
    const value = producerContract();
    delete value.schemaVersion;
    const message = failure(value);
    expect(message).toContain("producer schemaVersion missing");
    expect(message).toContain("`schemaVersion`: missing (string)");
  });
});

describe("completeContract (producer side)", () => {
  it("adds this code's schemaVersion to a valid contract", () => {
    const sources = producerContract();
    delete sources.schemaVersion;
    expect(completeContract(sources).schemaVersion).toBe(CONTRACT_VERSION);
  });

  it("refuses to export a contract its consumers would reject, naming the field", () => {
    const sources = producerContract();
    delete sources.schemaVersion;
    sources.edge.endpoint = "api.jairouter.example.com";
    delete sources.backups.region;
    expect(() => completeContract(sources)).toThrow(
      /does not match its own schema:\n {2}- `edge.endpoint`: Invalid URL; got "api.jairouter.example.com"\n {2}- `backups.region`: missing \(string\)/,
    );
  });
});

describe("producers of an earlier minor version", () => {
  // The prod contract as release 0.2.0 (contract 1.0.0, before `edge.dnsTarget`) published it.
  const v100 = JSON.parse(readFileSync("test/fixtures/contract/prod-1.0.0.json", "utf8")) as Record<
    string,
    any
  >;

  it("still satisfy this consumer (an added field is optional for them)", () => {
    expect(v100.schemaVersion).toBe("1.0.0");
    expect(v100.edge.dnsTarget).toBeUndefined();
    const contract = parseJairouterContract(v100, "acme/jairouter/prod");
    expect(contract.edge.endpoint).toBe("https://api.jairouter.example.com");
    expect(contract.edge.dnsTarget).toBeUndefined();
  });

  it("of 1.1.0 publish dnsTarget, checked like every other field", () => {
    const v110 = structuredClone(v100);
    v110.schemaVersion = "1.1.0";
    v110.edge.dnsTarget = { recordType: "CNAME", values: [v110.edge.nlb.dnsName], managedByStack: false };
    expect(parseJairouterContract(v110, "acme/jairouter/prod").edge.dnsTarget?.values).toEqual([
      "jr-prod-nlb-8d1d0a6b.elb.eu-west-1.amazonaws.com",
    ]);
    v110.edge.dnsTarget.recordType = "AAAA";
    expect(failure(v110)).toContain("`edge.dnsTarget.recordType`");
  });
});
