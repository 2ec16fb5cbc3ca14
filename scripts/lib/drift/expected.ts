// What the program renders for each host, read from the stack's resources: the files placed by
// host-file commands, the containers on the host's Docker provider, and the model routing its
// sync step applies. The same reading serves the state (real stack) and the synth (offline).
import { HOST_FILE_PATH_ENV } from "../../../components/host-file";
import { NEXT_CONFIG_SUFFIX } from "../../../render/scripts/proxy-runtime";
import type { DeployedResource, ResourceSet } from "./resources";

export interface ExpectedFile {
  /** The command resource that places it (what --fix re-runs). */
  resource: string;
  /** Path the probe reads: the live file (a proxy config is placed as `.next`, then moved). */
  path: string;
  sha256: string;
  content: string;
  mode: string;
  owner: string;
  /** The recorded command line and stdin, re-run by --fix. */
  create: string;
}

export interface ExpectedContainer {
  resource: string;
  name: string;
  image: string;
  /** KEY → value (values may be secrets). */
  env: Record<string, string>;
  labels: Record<string, string>;
}

export interface ExpectedApp {
  /** Base URL of the replica's admin API, as seen from its host. */
  url: string;
  adminPassword: string;
  /** Canonical declared routing (render/model-routing.ts canonicalModelRouting). */
  routing: string;
  /** Provider key NAME → value, to compare the Authorization header the app stores. */
  providerKeys: Record<string, string>;
  /** The sync step's command line and stdin, re-run by --fix. */
  syncCreate: string;
  syncStdin: string;
}

export interface ExpectedHost {
  /** Host name (the Docker provider's name without `-docker`). */
  name: string;
  /** `ssh://user@target` of the host's Docker provider: the deploy's SSH path. */
  sshHost: string;
  sshOpts: string[];
  files: ExpectedFile[];
  containers: ExpectedContainer[];
  app?: ExpectedApp;
}

const DOCKER_PROVIDER = "pulumi:providers:docker";
const COMMAND = "command:local:Command";
const CONTAINER = "docker:index/container:Container";

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function sshOptsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" && value !== "") return JSON.parse(value) as string[];
  return [];
}

/** Whether a command line reaches `destination` (`user@target` as one shell word). */
function reaches(commandLine: string, destination: string): boolean {
  return commandLine.split(" ").includes(destination);
}

function shellWord(commandLine: string, pattern: RegExp): string {
  const m = pattern.exec(commandLine);
  return m ? m[1]!.replace(/^'|'$/g, "") : "";
}

function fileOf(r: DeployedResource, sha256: (text: string) => string): ExpectedFile {
  const placed = str((r.inputs.environment as Record<string, unknown> | undefined)?.[HOST_FILE_PATH_ENV]);
  const content = str(r.inputs.stdin);
  const create = str(r.inputs.create);
  return {
    resource: r.name,
    path: placed.endsWith(NEXT_CONFIG_SUFFIX) ? placed.slice(0, -NEXT_CONFIG_SUFFIX.length) : placed,
    sha256: sha256(content),
    content,
    mode: shellWord(create, /sudo chmod (\S+) /),
    owner: shellWord(create, /sudo chown (\S+) /),
    create,
  };
}

function containerOf(r: DeployedResource): ExpectedContainer {
  const env: Record<string, string> = {};
  for (const line of (r.inputs.envs as unknown[] | undefined) ?? []) {
    const text = String(line);
    const eq = text.indexOf("=");
    env[eq < 0 ? text : text.slice(0, eq)] = eq < 0 ? "" : text.slice(eq + 1);
  }
  const labels: Record<string, string> = {};
  for (const l of (r.inputs.labels as { label: string; value: unknown }[] | undefined) ?? []) {
    labels[l.label] = String(l.value);
  }
  return { resource: r.name, name: str(r.inputs.name), image: str(r.inputs.image), env, labels };
}

/** `export NAME='value'` lines of a sync step's stdin, unquoted. */
function exportsOf(stdin: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdin.matchAll(/^export ([A-Z0-9_]+)='((?:[^']|'"'"')*)'$/gm)) {
    out[m[1]!] = m[2]!.replace(/'"'"'/g, "'");
  }
  return out;
}

const PROVIDER_KEY_PREFIX = "JAIROUTER_PROVIDER_KEY_";

function appOf(r: DeployedResource): ExpectedApp | undefined {
  const stdin = str(r.inputs.stdin);
  const desired = /<<'JAIROUTER_DESIRED_STATE'\n([\s\S]*?)\nJAIROUTER_DESIRED_STATE\n/.exec(stdin);
  if (!desired) return undefined;
  const exports = exportsOf(stdin);
  const keyEnv = /^readonly KEY_ENV="([^"]*)"$/m.exec(stdin)?.[1] ?? "";
  const providerKeys: Record<string, string> = {};
  for (const pair of keyEnv.split(" ").filter(Boolean)) {
    const [ref, variable] = pair.split("=") as [string, string];
    if (variable.startsWith(PROVIDER_KEY_PREFIX)) providerKeys[ref] = exports[variable] ?? "";
  }
  return {
    url: exports.JAIROUTER_URL ?? "http://127.0.0.1:8080",
    adminPassword: exports.JAIROUTER_ADMIN_PASSWORD ?? "",
    routing: desired[1]!,
    providerKeys,
    syncCreate: str(r.inputs.create),
    syncStdin: stdin,
  };
}

/** Every host of the stack with what the program renders for it, in resource order. */
export function expectedHosts(set: ResourceSet, sha256: (text: string) => string): ExpectedHost[] {
  const hosts: ExpectedHost[] = [];
  for (const p of set.resources.filter((r) => r.type === DOCKER_PROVIDER)) {
    const sshHost = str(p.inputs.host);
    const destination = sshHost.replace(/^ssh:\/\//, "");
    const commands = set.resources.filter(
      (r) => r.type === COMMAND && reaches(str(r.inputs.create), destination),
    );
    hosts.push({
      name: p.name.replace(/-docker$/, ""),
      sshHost,
      sshOpts: sshOptsOf(p.inputs.sshOpts),
      files: commands
        .filter((r) => (r.inputs.environment as Record<string, unknown> | undefined)?.[HOST_FILE_PATH_ENV])
        .map((r) => fileOf(r, sha256)),
      containers: set.resources
        .filter((r) => r.type === CONTAINER && r.provider.startsWith(`${p.urn}::`))
        .map(containerOf),
      app: commands
        .filter((r) => r.name.endsWith("-model-sync"))
        .map(appOf)
        .find(Boolean),
    });
  }
  return hosts;
}
