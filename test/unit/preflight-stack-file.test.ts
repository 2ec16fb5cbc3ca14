import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkPlaceholders, findPlaceholders } from "../../scripts/lib/preflight/placeholders";
import { checkSecrets } from "../../scripts/lib/preflight/secrets";
import { readStackSource, UsageError } from "../../scripts/lib/preflight/stack-source";

const dir = mkdtempSync(join(tmpdir(), "preflight-stack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("placeholders", () => {
  it("names every sample value of the committed prod file with its config key", () => {
    const { config } = readStackSource("prod");
    const keys = findPlaceholders(config).map((p) => `${p.key} = ${p.value}`);
    for (const expected of [
      "jairouter:domain.name = api.jairouter.example.com",
      "jairouter:monitoring.alerts.email.smarthost = smtp.example.com:587",
      "jairouter:monitoring.alerts.webhooks[0].url = https://hooks.example.com/alertmanager",
      "jairouter:models.services.chat.instances[0].baseUrl = http://gpustack-1.models.internal:80",
      "jairouter:monitoring.alerts.email.to[0] = oncall@example.com",
    ])
      expect(keys).toContain(expected);
  });

  it("gives each its own failing line with the command that replaces it", () => {
    const lines = checkPlaceholders("prod", {
      "jairouter:domain": { name: "api.example.org" },
      "aws:region": "eu-west-1",
    });
    expect(lines).toEqual([
      {
        group: "placeholders",
        title: "jairouter:domain.name",
        status: "fail",
        detail: '"api.example.org" is an example domain (RFC 2606)',
        fix: "pulumi config set --stack prod --path 'jairouter:domain.name' <your value>",
      },
    ]);
  });

  it("passes real values and never looks inside secure values", () => {
    const config = {
      "jairouter:domain": { name: "api.acme.io" },
      "jairouter:runbook": "https://github.com/acme/jairouter-infra",
      "jairouter:smtpPassword": { secure: "v1:example.com" },
      "jairouter:dockerHubToken": "plain-secret-at-example.com",
    };
    expect(checkPlaceholders("prod", config).map((l) => l.status)).toEqual(["pass"]);
  });
});

describe("stack file reading", () => {
  it("is a usage error naming the file when the stack does not exist", () => {
    expect(() => readStackSource("nosuch", dir)).toThrow(UsageError);
    expect(() => readStackSource("nosuch", dir)).toThrow(/Pulumi\.nosuch\.yaml/);
  });

  it("is a usage error naming aws:region when the file has none", () => {
    writeFileSync(join(dir, "Pulumi.noregion.yaml"), "config:\n  jairouter:environment: staging\n");
    expect(() => readStackSource("noregion", dir)).toThrow(/aws:region/);
  });
});

describe("secrets", () => {
  const prod = readStackSource("prod");

  it("fails on the prod file as committed: the SMTP password and the deploy key are not set", () => {
    const lines = checkSecrets("prod", prod.settings!, prod.config);
    expect(lines.map((l) => `${l.status} ${l.title}`)).toEqual([
      "fail smtpPassword",
      "fail access.sshPublicKey",
    ]);
    expect(lines[0]!.fix).toBe(
      "pulumi config set --secret jairouter:smtpPassword <password> (with --stack prod)",
    );
  });

  it("passes secure values and rejects a secret written as plain text, without printing it", () => {
    const config = {
      ...prod.config,
      "jairouter:smtpPassword": "hunter2-plain",
      "jairouter:access": {
        ...(prod.config["jairouter:access"] as object),
        sshPublicKey: "ssh-ed25519 AAAA op",
      },
    };
    const settings = {
      ...prod.settings!,
      access: { ...prod.settings!.access, sshPublicKey: "ssh-ed25519 AAAA op" },
    };
    const plain = checkSecrets("prod", settings, config);
    expect(plain.map((l) => l.status)).toEqual(["fail"]);
    expect(JSON.stringify(plain)).not.toContain("hunter2");
    const secure = checkSecrets("prod", settings, {
      ...config,
      "jairouter:smtpPassword": { secure: "v1:abc" },
    });
    expect(secure.map((l) => l.status)).toEqual(["pass"]);
  });

  it("asks staging for the provider key its models reference", () => {
    const staging = readStackSource("staging");
    const lines = checkSecrets("staging", staging.settings!, staging.config);
    expect(lines[0]).toMatchObject({ title: "providerApiKeys.openai", status: "fail" });
    expect(lines[0]!.fix).toContain("jairouter:providerApiKeys.openai");
  });
});
