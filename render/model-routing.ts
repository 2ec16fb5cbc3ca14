// Model routing: one declaration of the upstream model backends, applied identically to every
// JAiRouter replica.
//
// Why this is needed: JAiRouter seeds `model.services` from its YAML only into an EMPTY H2
// database (/app/data), and each replica keeps its own database. After the first boot, a changed
// YAML is ignored. So the stack delivers the declaration twice, from this one module:
//   1. `modelServicesYaml()` seeds a fresh database (new host, replaced volume) with exactly the
//      declared state (application-yml.ts puts it under `model.services`);
//   2. `renderModelSyncScript()` converges a RUNNING replica to the same state through the app's
//      admin REST API. The app component runs it against each instance once that instance is
//      healthy, with `modelRoutingHash()` among its triggers, so a changed declaration reaches
//      every replica on the next `pulumi up` without a manual step, and an unchanged one costs
//      nothing (the script is idempotent: a second run makes no call that changes anything).
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { MODEL_SYNC_SCRIPT_TEMPLATE } from "./scripts/model-sync";

/** Service types JAiRouter routes (`model.services.<type>`). */
export const MODEL_SERVICE_TYPES = [
  "chat",
  "embedding",
  "rerank",
  "tts",
  "stt",
  "imgGen",
  "imgEdit",
] as const;
export type ModelServiceType = (typeof MODEL_SERVICE_TYPES)[number];

/** Load-balancing strategies of JAiRouter (`load-balance.type`). */
export const LOAD_BALANCE_TYPES = ["random", "round-robin", "least-connections", "ip-hash"] as const;
export type LoadBalanceType = (typeof LOAD_BALANCE_TYPES)[number];

/** Backend protocol adapters of JAiRouter (`adapter`). */
export const MODEL_ADAPTERS = [
  "normal",
  "gpustack",
  "ollama",
  "vllm",
  "xinference",
  "localai",
  "openai",
] as const;
export type ModelAdapter = (typeof MODEL_ADAPTERS)[number];

/** One upstream backend instance of a model service. */
export interface ModelInstanceDecl {
  /** Model name as the backend knows it (sent upstream as `model`), e.g. `qwen2.5:7b`. */
  name: string;
  /** Backend base URL, `http(s)://host[:port][/prefix]`, without credentials, query or fragment. */
  baseUrl: string;
  /** Request path on the backend, starting with `/`, e.g. `/v1/chat/completions`. */
  path: string;
  /** Load-balancing weight, an integer from 1 to 100. */
  weight: number;
  /**
   * Name of a provider API key (an entry of the secret `jairouter:providerApiKeys`). Only the NAME
   * appears here; the value reaches the app and the sync script as the environment variable
   * `providerKeyEnvName(apiKeyRef)` and is sent upstream as `Authorization: Bearer <value>`.
   */
  apiKeyRef?: string;
}

/** One model service (`model.services.<type>`). */
export interface ModelServiceDecl {
  /** How the app spreads requests over the instances. */
  loadBalance: LoadBalanceType;
  /** Protocol adapter used to talk to the instances. */
  adapter: ModelAdapter;
  /** The backends; (name, baseUrl) identifies an instance and must be unique within the service. */
  instances: readonly ModelInstanceDecl[];
}

/** The declared model routing, handed identically to every JAiRouter instance. */
export interface ModelRoutingDecl {
  /** Declared services by type; a type left out has no instances on any replica. */
  services: Partial<Record<ModelServiceType, ModelServiceDecl>>;
}

/** Environment variables a provider key must never shadow (they carry the app's own secrets). */
const RESERVED_ENV_PREFIXES = ["JWT_", "PROD_", "JAIROUTER_ADMIN", "INITIAL_ADMIN", "REDIS_", "SPRING_"];

/** Environment variable that carries the provider key `apiKeyRef` (to the app and to the sync script). */
export function providerKeyEnvName(apiKeyRef: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(apiKeyRef)) {
    throw new Error(
      `apiKeyRef "${apiKeyRef}" must be a letter followed by letters, digits or _ (at most 64)`,
    );
  }
  return `JAIROUTER_PROVIDER_KEY_${apiKeyRef.toUpperCase()}`;
}

/** Returns every problem of a declaration (empty when valid); paths are relative to `models`. */
export function modelRoutingProblems(models: ModelRoutingDecl): string[] {
  const problems: string[] = [];
  const envOwners = new Map<string, string>();
  for (const [type, service] of Object.entries(models.services)) {
    const at = `services.${type}`;
    if (!(MODEL_SERVICE_TYPES as readonly string[]).includes(type))
      problems.push(`${at}: unknown service type`);
    if (!service) continue;
    if (!(LOAD_BALANCE_TYPES as readonly string[]).includes(service.loadBalance)) {
      problems.push(
        `${at}.loadBalance: "${service.loadBalance}" is not one of ${LOAD_BALANCE_TYPES.join(", ")}`,
      );
    }
    if (!(MODEL_ADAPTERS as readonly string[]).includes(service.adapter)) {
      problems.push(`${at}.adapter: "${service.adapter}" is not one of ${MODEL_ADAPTERS.join(", ")}`);
    }
    const seen = new Set<string>();
    service.instances.forEach((instance, i) => {
      problems.push(...instanceProblems(instance, `${at}.instances[${i}]`));
      const key = `${instance.name}\n${instance.baseUrl}`;
      if (seen.has(key))
        problems.push(
          `${at}.instances[${i}]: duplicate (name, baseUrl) ${instance.name} ${instance.baseUrl}`,
        );
      seen.add(key);
      if (instance.apiKeyRef && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(instance.apiKeyRef)) {
        const env = providerKeyEnvName(instance.apiKeyRef);
        const owner = envOwners.get(env);
        if (owner !== undefined && owner !== instance.apiKeyRef) {
          problems.push(
            `${at}.instances[${i}].apiKeyRef: "${instance.apiKeyRef}" and "${owner}" differ only in case`,
          );
        }
        envOwners.set(env, instance.apiKeyRef);
      }
    });
  }
  return problems;
}

function instanceProblems(instance: ModelInstanceDecl, at: string): string[] {
  const problems: string[] = [];
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (!/^[^\u0000-\u001f\u007f]{1,200}$/.test(instance.name))
    problems.push(`${at}.name: 1-200 printable characters`);
  problems.push(...baseUrlProblems(instance.baseUrl).map((p) => `${at}.baseUrl: ${p}`));
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(instance.path))
    problems.push(`${at}.path: must start with / (URL path characters only)`);
  if (!Number.isInteger(instance.weight) || instance.weight < 1 || instance.weight > 100) {
    problems.push(`${at}.weight: an integer from 1 to 100`);
  }
  if (instance.apiKeyRef !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(instance.apiKeyRef)) {
      problems.push(`${at}.apiKeyRef: a letter followed by letters, digits or _ (at most 64)`);
    } else if (RESERVED_ENV_PREFIXES.some((p) => instance.apiKeyRef!.toUpperCase().startsWith(p))) {
      problems.push(`${at}.apiKeyRef: "${instance.apiKeyRef}" looks like one of the app's own secrets`);
    }
  }
  return problems;
}

/**
 * The app stores base URLs normalised (lower-case scheme, no trailing slash: UrlSecurityValidator
 * in Lincoln-cn/JAiRouter src/main/java/org/unreal/modelrouter/common/util/) and identifies an
 * instance by name@baseUrl. A declared URL in another spelling would never match what the app
 * stores, so the sync would re-create it on every run: only the normalised spelling is accepted.
 */
function baseUrlProblems(value: string): string[] {
  const m = /^(https?):\/\/([a-z0-9.-]+)(:\d{1,5})?(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/.exec(value);
  if (!m) {
    if (/^[a-z]+:\/\/[^/]*@/i.test(value)) return ["must not carry credentials (use apiKeyRef)"];
    if (!/^https?:\/\//.test(value)) return ["must be http or https (lower case)"];
    return ["must be http(s)://host[:port][/path] with a lower-case host, no query or fragment"];
  }
  const problems: string[] = [];
  if (value.endsWith("/")) problems.push("must not end with / (the app strips it)");
  const host = m[2]!;
  // the app refuses link-local and cloud metadata targets
  if (
    /^169\.254\./.test(host) ||
    ["metadata", "metadata.google.internal", "instance-data", "0.0.0.0"].includes(host)
  ) {
    problems.push("points at a metadata or link-local address");
  }
  return problems;
}

function assertValid(models: ModelRoutingDecl): void {
  const problems = modelRoutingProblems(models);
  if (problems.length > 0) throw new Error(`invalid model routing:\n  ${problems.join("\n  ")}`);
}

/** Declared services in a fixed order (the app's order of types). */
function declaredServices(models: ModelRoutingDecl): Array<[ModelServiceType, ModelServiceDecl]> {
  return MODEL_SERVICE_TYPES.flatMap((type) => {
    const service = models.services[type];
    return service ? [[type, service] as [ModelServiceType, ModelServiceDecl]] : [];
  });
}

function sortedInstances(instances: readonly ModelInstanceDecl[]): ModelInstanceDecl[] {
  const key = (i: ModelInstanceDecl) => [i.name, i.baseUrl, i.path];
  return [...instances].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) {
      if (ka[i]! !== kb[i]!) return ka[i]! < kb[i]! ? -1 : 1;
    }
    return 0;
  });
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with object keys sorted at every level, no whitespace: one text per meaning. */
function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The desired `model.services` state as a canonical JSON document: only declared types, instances
 * sorted by (name, baseUrl, path), object keys sorted, no whitespace. Carries provider key NAMES
 * (apiKeyRef), never their values.
 */
export function canonicalModelRouting(models: ModelRoutingDecl): string {
  assertValid(models);
  const services: { [key: string]: Json } = {};
  for (const [type, service] of declaredServices(models)) {
    services[type] = {
      adapter: service.adapter,
      loadBalance: service.loadBalance,
      instances: sortedInstances(service.instances).map((i) => ({
        name: i.name,
        baseUrl: i.baseUrl,
        path: i.path,
        weight: i.weight,
        apiKeyRef: i.apiKeyRef ?? null,
      })),
    };
  }
  return canonicalJson({ services });
}

/** sha256 (hex) of `canonicalModelRouting`: changes exactly when the declared routing changes. */
export function modelRoutingHash(models: ModelRoutingDecl): string {
  return createHash("sha256").update(canonicalModelRouting(models)).digest("hex");
}

/** Provider key NAMES the declaration references, sorted and unique. */
export function referencedProviderKeys(models: ModelRoutingDecl): string[] {
  const refs = new Set<string>();
  for (const [, service] of declaredServices(models)) {
    for (const instance of service.instances) if (instance.apiKeyRef) refs.add(instance.apiKeyRef);
  }
  return [...refs].sort();
}

/** A stable UUID-shaped id per (type, name, baseUrl), so every replica's seed names an instance alike. */
function seedInstanceId(type: string, instance: ModelInstanceDecl): string {
  const h = createHash("sha256").update(`${type}\n${instance.name}\n${instance.baseUrl}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The `model.services` tree for application.yml, in the app's own key names (kebab-case, see
 * src/main/resources/config/router/services.yml in Lincoln-cn/JAiRouter). Every known type is
 * present: an undeclared one gets `instances: []`, which replaces (lists are not merged by Spring)
 * the example backends the image ships in its bundled YAML. Provider keys appear as `${ENV}`
 * placeholders that Spring resolves from the container environment, never as values.
 */
export function modelServicesYaml(models: ModelRoutingDecl): Record<string, unknown> {
  assertValid(models);
  const tree: Record<string, unknown> = {};
  for (const type of MODEL_SERVICE_TYPES) {
    const service = models.services[type];
    if (!service) {
      tree[type] = { instances: [] };
      continue;
    }
    tree[type] = {
      "load-balance": loadBalanceYaml(service.loadBalance),
      adapter: service.adapter,
      instances: sortedInstances(service.instances).map((i) => ({
        name: i.name,
        "instance-id": seedInstanceId(type, i),
        "base-url": i.baseUrl,
        path: i.path,
        weight: i.weight,
        headers: i.apiKeyRef ? { Authorization: `Bearer \${${providerKeyEnvName(i.apiKeyRef)}}` } : {},
      })),
    };
  }
  return tree;
}

/** The app refuses ip-hash without a hash algorithm (ConfigurationValidator): always sha256. */
export const IP_HASH_ALGORITHM = "sha256";

function loadBalanceYaml(type: LoadBalanceType): Record<string, string> {
  return type === "ip-hash" ? { type, "hash-algorithm": IP_HASH_ALGORITHM } : { type };
}

/** Where the container sees the seed file; application.yml imports it. */
export const MODEL_SEED_PATH = "/app/config/model-seed.yml";

/**
 * The seed of `model.services`, in a file of its own that application.yml imports: the app reads
 * it only into an empty database, so a changed declaration rewrites this file (for hosts built
 * later) and runs the sync step, but does not restart any running app.
 */
export function renderModelSeedYml(models: ModelRoutingDecl): string {
  const header = [
    "# Seeds model.services into an EMPTY database only (rendered by the jairouter stack).",
    "# Running instances are kept in line by the model sync step (render/model-routing.ts).",
  ].join("\n");
  return `${header}\n${stringify({ model: { services: modelServicesYaml(models) } }, { lineWidth: 0, version: "1.1" })}`;
}

/** Options of the sync script that are not part of the declaration. */
export interface ModelSyncOptions {
  /** Seconds to wait for `/actuator/health` to answer 200 before giving up (start-up is slow). */
  healthTimeoutSeconds: number;
}

/**
 * A bash script that converges ONE running JAiRouter instance to the declared routing through the
 * app's admin REST API (see scripts/model-sync.ts for the endpoints). Idempotent; fails loudly.
 *
 * Environment (secrets only from here, never from arguments):
 * - `JAIROUTER_URL` (default `http://127.0.0.1:8080`): the instance;
 * - `JAIROUTER_ADMIN_USERNAME` (default `admin`) and `JAIROUTER_ADMIN_PASSWORD` or
 *   `JAIROUTER_ADMIN_PASSWORD_FILE`: the JWT login;
 * - `providerKeyEnvName(ref)` for every referenced provider key.
 */
export function renderModelSyncScript(models: ModelRoutingDecl, options: ModelSyncOptions): string {
  const desired = canonicalModelRouting(models);
  if (!Number.isInteger(options.healthTimeoutSeconds) || options.healthTimeoutSeconds < 1) {
    throw new Error("healthTimeoutSeconds must be a positive integer");
  }
  const keyEnv = referencedProviderKeys(models).map((ref) => `${ref}=${providerKeyEnvName(ref)}`);
  return MODEL_SYNC_SCRIPT_TEMPLATE.replace("@@DESIRED_JSON@@", () => desired)
    .replace("@@DESIRED_HASH@@", () => modelRoutingHash(models))
    .replace("@@KNOWN_TYPES@@", () => MODEL_SERVICE_TYPES.join(" "))
    .replace("@@KEY_ENV@@", () => keyEnv.join(" "))
    .replace("@@HEALTH_TIMEOUT@@", () => String(options.healthTimeoutSeconds))
    .replace("@@IP_HASH_ALGORITHM@@", () => IP_HASH_ALGORITHM);
}
