import { describe, expect, it } from "vitest";
import { smokeInputsFrom } from "../../scripts/lib/smoke/inputs";
import { parseSmokeArgs } from "../../scripts/lib/smoke/options";

describe("npm run smoke: arguments", () => {
  it("reads the stack, the outputs file and the overrides", () => {
    const o = parseSmokeArgs([
      "prod",
      "--outputs",
      "out.json",
      "--resolve",
      "API.example.com:127.0.0.1,127.0.0.2",
      "--https-port",
      "8443",
      "--alertmanager-url",
      "http://127.0.0.1:9093",
    ]);
    expect(o).toMatchObject({ stack: "prod", outputsFile: "out.json", httpsPort: 8443, timeoutMs: 10_000 });
    expect(o.resolve.get("api.example.com")).toEqual(["127.0.0.1", "127.0.0.2"]);
  });

  it.each([
    [[], /name the stack/],
    [["prod", "--resolve", "api.example.com"], /--resolve: "api.example.com" is not <host>:<ipv4>/],
    [["prod", "--https-port", "0"], /--https-port: "0" is not a port/],
    [["prod", "--outputs"], /--outputs needs a value/],
    [["prod", "--frobnicate"], /unknown option --frobnicate/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseSmokeArgs(argv)).toThrow(message);
  });
});

describe("npm run smoke: what it needs of the outputs", () => {
  it("takes every input from the contract when the loose outputs are gone", () => {
    const inputs = smokeInputsFrom("prod", {
      contract: {
        edge: {
          endpoint: "https://api.jairouter.example.com",
          dnsTarget: {
            recordType: "CNAME",
            values: ["jr-prod-nlb.elb.eu-west-1.amazonaws.com"],
            managedByStack: false,
          },
          caCertificatePem: "-----BEGIN CERTIFICATE-----\n...",
        },
        secrets: { parameterPaths: { "api-key-service": "/jairouter/prod/app/api-key-service" } },
        backups: { region: "eu-west-1" },
        monitoring: {
          alertmanagerUrl: "http://10.0.128.32:9093",
          tunnelCommands: { alertmanager: "aws ssm ..." },
        },
      },
    });
    expect(inputs).toMatchObject({
      domain: "api.jairouter.example.com",
      httpsPort: 443,
      serviceKeyParameter: "/jairouter/prod/app/api-key-service",
      region: "eu-west-1",
      alertmanagerTunnel: "aws ssm ...",
    });
  });

  it("names every output it lacks (a stack from before dnsTarget)", () => {
    expect(smokeInputsFrom("prod", { endpoint: "https://api.jairouter.example.com" })).toEqual({
      problems: [
        "dnsTarget: missing (a stack deployed before it existed: run `pulumi up`)",
        "secretParameters.api-key-service: missing",
        "contract.backups.region: missing",
        "alertmanagerUrl: missing",
      ],
    });
  });
});
