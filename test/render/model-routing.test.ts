import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  canonicalModelRouting,
  modelRoutingHash,
  modelRoutingProblems,
  modelServicesYaml,
  providerKeyEnvName,
  renderModelSyncScript,
  type ModelRoutingDecl,
} from "../../render/model-routing";
import { run, toolsAvailable } from "../support/tools";
import { runScript } from "./support/run-script";
import { StubJairouterAdmin, type StubOptions } from "./support/stub-jairouter-admin";

const PROVIDER_SECRET = "sk-test-provider-0123456789abcdef";
const ADMIN_PASSWORD = "admin-pass-9f8e7d6c5b4a";

function declaration(chatWeight = 1): ModelRoutingDecl {
  return {
    services: {
      chat: {
        adapter: "ollama",
        loadBalance: "least-connections",
        instances: [
          {
            name: "qwen2.5:7b",
            baseUrl: "http://10.0.1.10:11434",
            path: "/v1/chat/completions",
            weight: chatWeight,
          },
          // a name with shell and JSON metacharacters must survive the embedding
          {
            name: `o'brien "$(x)"`,
            baseUrl: "http://10.0.1.11:11434",
            path: "/v1/chat/completions",
            weight: 2,
          },
          {
            name: "gpt-4o-mini",
            baseUrl: "https://api.openai.com",
            path: "/v1/chat/completions",
            weight: 1,
            apiKeyRef: "openai",
          },
        ],
      },
      embedding: {
        adapter: "gpustack",
        loadBalance: "round-robin",
        instances: [{ name: "bge-m3", baseUrl: "http://10.0.1.20:9090", path: "/v1/embeddings", weight: 1 }],
      },
    },
  };
}

describe("canonicalModelRouting / modelRoutingHash", () => {
  it("does not depend on the order of keys or instances", () => {
    const a = declaration();
    const chat = a.services.chat!;
    const b: ModelRoutingDecl = {
      services: {
        embedding: a.services.embedding!,
        chat: {
          instances: [...chat.instances].reverse(),
          adapter: chat.adapter,
          loadBalance: chat.loadBalance,
        },
      },
    };
    expect(canonicalModelRouting(b)).toBe(canonicalModelRouting(a));
    expect(modelRoutingHash(b)).toBe(modelRoutingHash(a));
    expect(modelRoutingHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with any routing change", () => {
    const base = modelRoutingHash(declaration());
    expect(modelRoutingHash(declaration(3))).not.toBe(base);
    const other = declaration();
    other.services.embedding = { ...other.services.embedding!, loadBalance: "random" };
    expect(modelRoutingHash(other)).not.toBe(base);
  });

  it("is key-sorted JSON carrying key names, never key values", () => {
    const text = canonicalModelRouting(declaration());
    const parsed = JSON.parse(text) as {
      services: Record<string, { instances: Array<Record<string, unknown>> }>;
    };
    expect(Object.keys(parsed.services)).toEqual(["chat", "embedding"]);
    expect(Object.keys(parsed.services.chat!.instances[0]!)).toEqual([
      "apiKeyRef",
      "baseUrl",
      "name",
      "path",
      "weight",
    ]);
    expect(text).toContain('"apiKeyRef":"openai"');
    expect(text).toBe(JSON.stringify(parsed)); // no whitespace outside strings
  });

  it("rejects declarations the app or the script could not apply safely", () => {
    const bad: ModelRoutingDecl = {
      services: {
        chat: {
          adapter: "ollama",
          loadBalance: "round-robin",
          instances: [
            { name: "a", baseUrl: "http://user:pw@10.0.0.1", path: "/v1", weight: 1 },
            { name: "b", baseUrl: "ftp://10.0.0.1", path: "v1", weight: 0 },
            { name: "c", baseUrl: "http://10.0.0.2", path: "/v1", weight: 1, apiKeyRef: "JWT_SECRET" },
            { name: "c", baseUrl: "http://10.0.0.2", path: "/v2", weight: 1 },
            { name: "d", baseUrl: "http://10.0.0.3", path: "/v1", weight: 1, apiKeyRef: "OpenAI" },
            { name: "e", baseUrl: "http://10.0.0.4", path: "/v1", weight: 1, apiKeyRef: "openai" },
            { name: "f", baseUrl: "http://10.0.0.5/", path: "/v1", weight: 1 },
            { name: "g", baseUrl: "http://169.254.169.254", path: "/v1", weight: 1 },
          ],
        },
      },
    };
    const problems = modelRoutingProblems(bad).join("\n");
    expect(problems).toContain("instances[0].baseUrl: must not carry credentials");
    expect(problems).toContain("instances[1].baseUrl: must be http or https");
    expect(problems).toContain("instances[1].path");
    expect(problems).toContain("instances[1].weight");
    expect(problems).toContain("instances[2].apiKeyRef");
    expect(problems).toContain("instances[3]: duplicate (name, baseUrl)");
    expect(problems).toContain("differ only in case");
    expect(problems).toContain("instances[6].baseUrl: must not end with /");
    expect(problems).toContain("instances[7].baseUrl: points at a metadata or link-local address");
    expect(() => canonicalModelRouting(bad)).toThrow(/invalid model routing/);
  });
});

describe("modelServicesYaml", () => {
  it("seeds every known type, in the app's key names, with key placeholders only", () => {
    const tree = modelServicesYaml(declaration()) as Record<
      string,
      { instances: Array<Record<string, unknown>> }
    >;
    expect(Object.keys(tree)).toEqual(["chat", "embedding", "rerank", "tts", "stt", "imgGen", "imgEdit"]);
    expect(tree.tts!.instances).toEqual([]);
    const openai = tree.chat!.instances.find((i) => i.name === "gpt-4o-mini")!;
    expect(openai["base-url"]).toBe("https://api.openai.com");
    expect(openai.headers).toEqual({ Authorization: `Bearer \${${providerKeyEnvName("openai")}}` });
    expect(openai["instance-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe.runIf(toolsAvailable("bash", "curl", "jq", "shellcheck"))(
  "renderModelSyncScript against a stub admin API",
  () => {
    let dir: string;
    let stub: StubJairouterAdmin;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "model-sync-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => {
      stub = new StubJairouterAdmin({ adminPassword: ADMIN_PASSWORD });
      await stub.start("127.0.0.1");
    });
    afterEach(async () => stub.stop());

    async function restart(options: StubOptions): Promise<void> {
      await stub.stop();
      stub = new StubJairouterAdmin(options);
      await stub.start("127.0.0.1");
    }

    function writeScript(models: ModelRoutingDecl, name: string): string {
      const path = join(dir, name);
      writeFileSync(path, renderModelSyncScript(models, { healthTimeoutSeconds: 10 }));
      return path;
    }

    function env(extra: Record<string, string> = {}): Record<string, string> {
      return {
        HOME: dir,
        JAIROUTER_URL: stub.url,
        JAIROUTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        [providerKeyEnvName("openai")]: PROVIDER_SECRET,
        ...extra,
      };
    }

    it("is shellcheck-clean", () => {
      const result = run("shellcheck", ["-s", "bash", writeScript(declaration(), "lint.sh")]);
      expect(result.stdout + result.stderr).toBe("");
      expect(result.status).toBe(0);
    });

    it("creates everything on an empty instance, then changes nothing on a second run", async () => {
      const script = writeScript(declaration(), "sync.sh");
      const first = await runScript(script, env());
      expect(first.stderr).toContain("changes=6");
      expect(first.status).toBe(0);
      expect(stub.services.get("chat")).toMatchObject({
        adapter: "ollama",
        loadBalance: { type: "least-connections" },
      });
      expect(stub.services.get("embedding")).toMatchObject({
        adapter: "gpustack",
        loadBalance: { type: "round-robin" },
      });
      const chat = stub.instances.get("chat")!;
      expect(chat.map((i) => i.name).sort()).toEqual([`o'brien "$(x)"`, "gpt-4o-mini", "qwen2.5:7b"].sort());
      expect(chat.find((i) => i.name === "gpt-4o-mini")!.headers).toEqual({
        Authorization: `Bearer ${PROVIDER_SECRET}`,
      });
      expect(chat.find((i) => i.name === "qwen2.5:7b")!.headers).toEqual({});
      expect(stub.instances.get("embedding")).toHaveLength(1);

      const before = stub.calls.length;
      const second = await runScript(script, env());
      expect(second.status).toBe(0);
      expect(second.stderr).toContain("changes=0");
      expect(
        stub.calls.slice(before).filter((c) => c.method !== "GET" && c.path !== "/api/auth/jwt/login"),
      ).toEqual([]);
      // the secrets travel in request bodies only, never to the script's output
      for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) {
        expect(out).not.toContain(PROVIDER_SECRET);
        expect(out).not.toContain(ADMIN_PASSWORD);
      }
    });

    it("updates only the changed instance when the declaration changes", async () => {
      expect((await runScript(writeScript(declaration(1), "v1.sh"), env())).status).toBe(0);
      const target = stub.instances.get("chat")!.find((i) => i.name === "qwen2.5:7b")!;
      const before = stub.calls.length;
      const result = await runScript(writeScript(declaration(5), "v2.sh"), env());
      expect(result.status).toBe(0);
      const changes = stub.calls
        .slice(before)
        .filter((c) => c.method !== "GET" && c.path !== "/api/auth/jwt/login");
      expect(changes.map((c) => `${c.method} ${c.path}`)).toEqual([
        `PUT /api/config/instance/chat/${target.instanceId}`,
      ]);
      expect(stub.instances.get("chat")!.find((i) => i.instanceId === target.instanceId)!.weight).toBe(5);
    });

    it("deletes undeclared and duplicate instances and fixes a drifted service, keeping unmanaged settings", async () => {
      stub.services.set("chat", {
        adapter: "vllm",
        loadBalance: { type: "random" },
        rateLimit: { enabled: true, capacity: 7 },
      });
      const stray = stub.seed("tts", {
        name: "old",
        baseUrl: "http://10.9.9.9",
        path: "/v1/audio/speech",
        weight: 1,
        status: "active",
        headers: null,
      });
      const kept = stub.seed("embedding", {
        name: "bge-m3",
        baseUrl: "http://10.0.1.20:9090",
        path: "/v1/embeddings",
        weight: 1,
        status: "ACTIVE",
        headers: null,
      });
      const dup = stub.seed("embedding", { ...kept, path: "/v1/embeddings" });
      const result = await runScript(writeScript(declaration(), "drift.sh"), env());
      expect(result.status).toBe(0);
      const changes = stub.mutatingCalls().map((c) => `${c.method} ${c.path}`);
      expect(changes).toContain(`DELETE /api/config/instance/tts/${stray.instanceId}`);
      expect(changes).toContain(`DELETE /api/config/instance/embedding/${dup.instanceId}`);
      expect(changes).not.toContain(`DELETE /api/config/instance/embedding/${kept.instanceId}`);
      expect(changes).toContain("PUT /api/config/type/services/chat");
      expect(stub.services.get("chat")).toMatchObject({
        adapter: "ollama",
        rateLimit: { enabled: true, capacity: 7 },
      });
    });

    it("treats round_robin stored by the app as equal to round-robin", async () => {
      await restart({ adminPassword: ADMIN_PASSWORD, underscoreLoadBalance: true });
      const script = writeScript(declaration(), "underscore.sh");
      expect((await runScript(script, env())).status).toBe(0);
      const before = stub.calls.length;
      expect((await runScript(script, env())).status).toBe(0);
      expect(stub.calls.slice(before).filter((c) => c.method === "PUT")).toEqual([]);
    });

    it("gives ip-hash services the hash algorithm the app requires, and stays idempotent", async () => {
      const models: ModelRoutingDecl = {
        services: {
          rerank: {
            adapter: "vllm",
            loadBalance: "ip-hash",
            instances: [
              { name: "bge-reranker", baseUrl: "http://10.0.1.30:8000", path: "/v1/rerank", weight: 1 },
            ],
          },
        },
      };
      const script = writeScript(models, "iphash.sh");
      expect((await runScript(script, env())).status).toBe(0);
      expect(stub.services.get("rerank")!.loadBalance).toEqual({ type: "ip-hash", hashAlgorithm: "sha256" });
      const before = stub.calls.length;
      expect((await runScript(script, env())).status).toBe(0);
      expect(
        stub.calls.slice(before).filter((c) => c.method !== "GET" && c.path !== "/api/auth/jwt/login"),
      ).toEqual([]);
    });

    it("fails loudly on a rejected login, without changing anything", async () => {
      const result = await runScript(
        writeScript(declaration(), "badlogin.sh"),
        env({ JAIROUTER_ADMIN_PASSWORD: "wrong" }),
      );
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("POST /api/auth/jwt/login rejected: login failed");
      expect(stub.mutatingCalls()).toEqual([]);
    });

    it("refuses to start when a referenced provider key is missing from the environment", async () => {
      const result = await runScript(
        writeScript(declaration(), "nokey.sh"),
        env({ [providerKeyEnvName("openai")]: "" }),
      );
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(
        `provider key 'openai' is referenced: set ${providerKeyEnvName("openai")}`,
      );
      expect(stub.calls).toEqual([]);
    });

    it("fails loudly when the app answers an error to a change", async () => {
      await restart({ adminPassword: ADMIN_PASSWORD, failMutation: { method: "POST", status: 500 } });
      // the first POST after login is the service creation
      const result = await runScript(writeScript(declaration(), "fail.sh"), env());
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/POST \/api\/config\/type\/services\/chat failed/);
    });

    it("does not mistake a rejected instance list for an empty one", async () => {
      await restart({ adminPassword: ADMIN_PASSWORD, rejectInstanceList: true });
      const result = await runScript(writeScript(declaration(), "rejected-list.sh"), env());
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("answered no instance list");
      expect(stub.mutatingCalls().filter((c) => c.path.startsWith("/api/config/instance/"))).toEqual([]);
    });

    it("reads the admin password from a file", async () => {
      const file = join(dir, "admin-password");
      writeFileSync(file, ADMIN_PASSWORD, { mode: 0o600 });
      const result = await runScript(
        writeScript(declaration(), "pwfile.sh"),
        env({ JAIROUTER_ADMIN_PASSWORD: "", JAIROUTER_ADMIN_PASSWORD_FILE: file }),
      );
      expect(result.status).toBe(0);
    });
  },
);
