import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appDrift } from "../../scripts/lib/drift/app-drift";
import { parseAppProbe, type AppAnswer } from "../../scripts/lib/drift/app-probe";
import { expectedHosts } from "../../scripts/lib/drift/expected";
import { hostDrift } from "../../scripts/lib/drift/host-drift";
import { parseHostProbe } from "../../scripts/lib/drift/host-probe";
import { secretHash, sha256Hex } from "../../scripts/lib/drift/mask";
import { fromStackExport } from "../../scripts/lib/drift/resources";

const FIXTURES = join(__dirname, "..", "fixtures", "drift");
const read = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const state = fromStackExport(JSON.parse(read("state-export.json")));
const [app0, app1] = expectedHosts(state, sha256Hex);

describe("expected values from the stack's state", () => {
  it("finds each host's SSH path, placed files, containers and routing", () => {
    expect(app0!.name).toBe("jr-prod-app-0");
    expect(app0!.sshHost).toMatch(/^ssh:\/\/ubuntu@i-[0-9a-f]+$/);
    expect(app0!.sshOpts).toContain("BatchMode=yes");
    expect(app0!.files.map((f) => f.path)).toContain("/data/jairouter/config/application.yml");
    const yml = app0!.files.find((f) => f.path.endsWith("application.yml"))!;
    expect([yml.mode, yml.owner]).toEqual(["0640", "10010:10010"]);
    expect(app0!.containers.map((c) => c.name).sort()).toEqual(["jairouter", "node-exporter"]);
    expect(app0!.app!.url).toBe("http://127.0.0.1:8080");
    expect(JSON.parse(app0!.app!.routing).services.chat.loadBalance).toBe("least-connections");
  });

  it("unwraps the export's secrets and remembers them for masking", () => {
    const env = app0!.containers.find((c) => c.name === "jairouter")!.env;
    expect(state.secrets.has(env.JWT_SECRET!)).toBe(true);
    expect(state.secrets.has(app0!.app!.adminPassword)).toBe(true);
    expect(state.encrypted).toBe(0);
  });

  it("refuses an export with encrypted secrets only when asked for values, and a document that is no export", () => {
    const enc = fromStackExport({
      deployment: {
        resources: [
          {
            urn: "urn:pulumi:prod::jairouter::random:index/randomPassword:RandomPassword::x",
            type: "random:index/randomPassword:RandomPassword",
            inputs: {
              result: {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                ciphertext: "AAAA",
              },
            },
          },
        ],
      },
    });
    expect(enc.encrypted).toBe(1);
    expect(() => fromStackExport({ version: 3 })).toThrow(/pulumi stack export --show-secrets/);
  });
});

describe("host drift from a recorded host listing", () => {
  const listing = parseHostProbe(read("host-listing-app-0.jsonl"));
  const findings = hostDrift(app0!, listing, state.secrets);
  const by = (subject: string, key: string) => findings.find((f) => f.subject === subject && f.key === key);

  it("reports edited, removed and re-moded files by host and path", () => {
    const yml = app0!.files.find((f) => f.path.endsWith("application.yml"))!;
    expect(by("jr-prod-app-0:/data/jairouter/config/application.yml", "content")).toMatchObject({
      expected: `sha256:${yml.sha256}`,
      actual: "sha256:2f0f4ee833e5be8bacb3a8cd408b80e8a6ef5a3a152ed92fc6b5e923c6268347",
    });
    expect(by("jr-prod-app-0:/data/jairouter/config/logback-spring.xml", "content")?.actual).toBe(
      "(missing)",
    );
    expect(by("jr-prod-app-0:/data/jairouter/config/model-seed.yml", "mode")).toMatchObject({
      expected: "0640",
      actual: "644",
    });
  });

  it("reports the container's image, label and a secret env value (hashed), and a missing container", () => {
    expect(by("jr-prod-app-0/jairouter", "image")).toMatchObject({
      expected: "sodlinken/jairouter:3.1.2",
      actual: "sodlinken/jairouter:3.1.1",
    });
    expect(by("jr-prod-app-0/jairouter", "label.jairouter.config-sha256")?.actual).toBe("0000");
    const declared = app0!.containers.find((c) => c.name === "jairouter")!.env.REDIS_PASSWORD!;
    expect(by("jr-prod-app-0/jairouter", "env.REDIS_PASSWORD")).toMatchObject({
      expected: secretHash(declared),
      actual: secretHash("typed-in-by-hand-redis-password"),
    });
    expect(by("jr-prod-app-0/node-exporter", "container")?.actual).toBe("(missing)");
  });

  it("finds nothing else: unchanged files and image-set variables are not drift", () => {
    expect(findings).toHaveLength(7);
  });

  it("rejects a probe output that stopped early or is not JSON", () => {
    expect(() => parseHostProbe('{"kind":"file","path":"/x","sha256":null}\n')).toThrow(/end marker/);
    expect(() => parseHostProbe("sudo: a password is required\n")).toThrow(/not JSON/);
  });
});

describe("app drift from a replica's admin API answers", () => {
  const answer = JSON.parse(read("admin-answers-app-1.json")) as AppAnswer;
  const findings = appDrift("jr-prod-app-1", app1!.app!, answer);
  const keys = findings.map((f) => `${f.subject} ${f.key}`);

  it("names the replica and each routing difference with both values", () => {
    const gp1 = "instances[qwen2.5-72b @ http://gpustack-1.models.internal:80]";
    const gp2 = "instances[qwen2.5-72b @ http://gpustack-2.models.internal:80]";
    expect(findings.find((f) => f.key === gp2)).toMatchObject({
      subject: "jr-prod-app-1/chat",
      actual: "(missing)",
    });
    expect(findings.find((f) => f.key === `${gp1}.headers.Authorization`)).toMatchObject({
      expected: "(absent)",
      actual: secretHash("Bearer sk-pasted-in-the-admin-console"),
    });
    expect(findings.find((f) => f.key === gp1 && f.note === "duplicate instance")).toBeDefined();
    expect(
      findings.find((f) => f.subject === "jr-prod-app-1/embedding" && f.key === "loadBalance"),
    ).toMatchObject({
      expected: "round-robin",
      actual: "random",
    });
    expect(keys).toContain(
      "jr-prod-app-1/embedding instances[nomic-embed-text @ http://ollama-1.models.internal:11434].status",
    );
  });

  it("reads the app's spellings as the sync does (GPUStack, least_connections) and flags nothing undeclared", () => {
    expect(keys.filter((k) => k.startsWith("jr-prod-app-1/chat ") && /adapter|loadBalance/.test(k))).toEqual(
      [],
    );
    expect(keys.some((k) => k.includes("/rerank"))).toBe(false);
    expect(findings).toHaveLength(5);
  });

  it("never prints a header value in clear", () => {
    expect(JSON.stringify(findings)).not.toContain("sk-pasted");
  });

  it("reads the probe's JSON line, or says it did not get one", () => {
    expect(parseAppProbe(`noise\n${JSON.stringify(answer)}\n`).login).toBe(true);
    expect(() => parseAppProbe("curl: (7) Failed to connect")).toThrow(/did not answer/);
  });
});
