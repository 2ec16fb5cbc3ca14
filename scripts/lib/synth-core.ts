import { HOST_FILE_PATH_ENV } from "../../components/host-file";
import { MockCloud, redact, unwrapSecrets, type RecordedOptions, type RecordedResource } from "./mock-cloud";
import { aliasUrns, createUrn, type AliasRequest } from "./urn-snapshot";

export interface SynthResult {
  /** Every registered resource, sorted by URN, secrets still wrapped. */
  resources: RecordedResource[];
  /** Stack outputs with secret values replaced by "[secret]". */
  outputs: unknown;
  /** Files the stack places on hosts or into containers: "<resource name>/<absolute path>" → text. */
  files: Map<string, string>;
}

export interface SynthInput {
  stack: string;
  region: string;
  /** Raw configuration, `namespace:key` → string (JSON for structured values). */
  values: Record<string, string>;
  secretKeys: string[];
  /** Outputs of other stacks the program reads through a StackReference, by stack name. */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

/** The program to synthesize: registers resources, returns the stack outputs. */
export type SynthProgram = () => unknown;

/**
 * Runs a program under Pulumi's mock runtime: by default the stack program (config/ and stack.ts),
 * or the given one. Pulumi is imported here, after nothing else has loaded it, and the program only
 * after setMocks: a program imported earlier would wait forever for an engine that does not exist.
 */
export async function synthesize(input: SynthInput, program?: SynthProgram): Promise<SynthResult> {
  const pulumi = await import("@pulumi/pulumi");
  const cloud = new MockCloud(input.region, input.stackOutputs);
  await pulumi.runtime.setMocks(cloud, "jairouter", input.stack, false);
  pulumi.runtime.setAllConfig(input.values, input.secretKeys);
  captureRegistrations(pulumi, cloud);

  const outputs = await (program ?? (await stackProgram()))();
  const resolved = await resolveOutputs(pulumi, outputs);
  await settle(pulumi);

  const resources = [...cloud.records].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { resources, outputs: resolved, files: extractFiles(resources) };
}

async function stackProgram(): Promise<SynthProgram> {
  const { loadStackConfig } = await import("../../config");
  const { buildStack } = await import("../../stack");
  return () => buildStack(loadStackConfig());
}

/**
 * Records every registration with its options, and gives resources the URNs the engine would: the
 * mock monitor of this SDK version puts only the parent's own type before a child's type, the
 * engine the parent's whole type chain.
 */
function captureRegistrations(pulumi: typeof import("@pulumi/pulumi"), cloud: MockCloud) {
  const project = pulumi.runtime.getProject();
  const stack = pulumi.runtime.getStack();
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  monitor.newUrn = (parent, type, name) => createUrn({ name, type, parent: parent ?? "", project, stack });

  const aliasesByUrn = new Map<string, string[]>();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, resp) => {
      if (resp) {
        const urn = resp.getUrn();
        const inputs = pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<
          string,
          unknown
        >;
        const aliases = aliasUrns(aliasRequests(req), {
          name: req.getName(),
          type: req.getType(),
          parent: req.getParent(),
          project,
          stack,
          aliasesOf: (u) => aliasesByUrn.get(u) ?? [],
        });
        aliasesByUrn.set(urn, aliases);
        cloud.records.push({
          urn,
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          custom: req.getCustom(),
          provider: req.getProvider(),
          protect: req.getProtect(),
          dependencies: [...req.getDependenciesList()].sort(),
          options: recordedOptions(req, aliases),
          inputs,
        });
      }
      cb(err, resp);
    });
}

// The parts of a RegisterResourceRequest (proto/resource_pb) the synth reads.
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getProvider(): string;
  getProtect(): boolean;
  getObject(): unknown;
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getIgnorechangesList(): string[];
  getRetainondelete(): boolean;
  getCustomtimeouts():
    { getCreate(): string; getUpdate(): string; getDelete(): string; getRead(): string } | undefined;
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): {
    getUrn(): string;
    getSpec():
      | {
          getName(): string;
          getType(): string;
          getStack(): string;
          getProject(): string;
          getParenturn(): string;
          getNoparent(): boolean;
        }
      | undefined;
  }[];
  getAliasurnsList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }) => void): void };
  getDeletedwith(): string;
  getReplaceWithList(): string[];
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getHidediffsList(): string[];
  getHooks(): HooksBinding | undefined;
}
interface HooksBinding {
  getBeforeCreateList(): string[];
  getAfterCreateList(): string[];
  getBeforeUpdateList(): string[];
  getAfterUpdateList(): string[];
  getBeforeDeleteList(): string[];
  getAfterDeleteList(): string[];
  getOnErrorList(): string[];
}
type RegisterCallback = (err: unknown, resp?: { getUrn(): string }) => void;

/** The mock monitor of @pulumi/pulumi's runtime/mocks, as far as the synth patches it. */
interface MockMonitor {
  newUrn(parent: string | undefined, type: string, name: string): string;
  registerResource(req: RegisterRequest, cb: RegisterCallback): void;
}

/** The aliases of a request, as specs or whole URNs (older SDKs send only URNs). */
function aliasRequests(req: RegisterRequest): AliasRequest[] {
  const aliases: AliasRequest[] = req.getAliasesList().map((alias) => {
    const spec = alias.getSpec();
    if (alias.getUrn() || !spec) return { urn: alias.getUrn() };
    return {
      name: spec.getName(),
      type: spec.getType(),
      stack: spec.getStack(),
      project: spec.getProject(),
      parentUrn: spec.getParenturn(),
      noParent: spec.getNoparent(),
    };
  });
  return [...aliases, ...req.getAliasurnsList().map((urn) => ({ urn }))];
}

/** The lifecycle options of a request; false, empty and unset values left out, lists sorted. */
function recordedOptions(req: RegisterRequest, aliases: string[]): RecordedOptions {
  const sorted = (list: readonly string[]) => [...new Set(list)].filter((v) => v !== "").sort();
  const explained = new Set<string>();
  req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((u) => explained.add(u)));
  const timeouts = req.getCustomtimeouts();
  const customTimeouts = withoutEmpty({
    create: timeouts?.getCreate(),
    update: timeouts?.getUpdate(),
    delete: timeouts?.getDelete(),
    read: timeouts?.getRead(),
  });
  const binding = req.getHooks();
  const hooks = withoutEmpty({
    beforeCreate: sorted(binding?.getBeforeCreateList() ?? []),
    afterCreate: sorted(binding?.getAfterCreateList() ?? []),
    beforeUpdate: sorted(binding?.getBeforeUpdateList() ?? []),
    afterUpdate: sorted(binding?.getAfterUpdateList() ?? []),
    beforeDelete: sorted(binding?.getBeforeDeleteList() ?? []),
    afterDelete: sorted(binding?.getAfterDeleteList() ?? []),
    onError: sorted(binding?.getOnErrorList() ?? []),
  });
  const trigger = req.getReplacementTrigger()?.toJavaScript();
  const options: RecordedOptions = {
    deleteBeforeReplace: req.getDeletebeforereplace(),
    replaceOnChanges: sorted(req.getReplaceonchangesList()),
    ignoreChanges: sorted(req.getIgnorechangesList()),
    retainOnDelete: req.getRetainondelete(),
    protect: req.getProtect(),
    customTimeouts,
    additionalSecretOutputs: sorted(req.getAdditionalsecretoutputsList()),
    dependsOn: sorted(req.getDependenciesList().filter((u) => !explained.has(u))),
    aliases,
    deletedWith: req.getDeletedwith(),
    replaceWith: sorted(req.getReplaceWithList()),
    replacementTrigger: trigger ?? undefined,
    hideDiffs: sorted(req.getHidediffsList()),
    hooks,
  };
  return withoutEmpty(options);
}

/** Drops false, "", null, undefined, [] and {} members, so most resources record `options: {}`. */
function withoutEmpty<T extends object>(value: T): T {
  const isEmpty = (v: unknown) =>
    v === false ||
    v === "" ||
    v === null ||
    v === undefined ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);
  return Object.fromEntries(Object.entries(value).filter(([, v]) => !isEmpty(v))) as T;
}

/** Waits until resources registered inside apply callbacks have been registered too. */
async function settle(pulumi: typeof import("@pulumi/pulumi")) {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  let count = -1;
  for (let round = 0; round < 50; round++) {
    if (wait) await wait();
    await new Promise((r) => setTimeout(r, 20));
    const current = (pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> }).resources
      .size;
    if (current === count) return;
    count = current;
  }
}

export async function resolveOutputs(
  pulumi: typeof import("@pulumi/pulumi"),
  value: unknown,
): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as import("@pulumi/pulumi").Output<unknown>;
    const [inner, secret] = await Promise.all([
      new Promise<unknown>((resolve) => output.apply((v) => resolve(v))),
      pulumi.isSecret(output),
    ]);
    return secret ? "[secret]" : resolveOutputs(pulumi, inner);
  }
  if (pulumi.Resource.isInstance(value)) return "[resource]";
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveOutputs(pulumi, v)));
  if (value && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveOutputs(pulumi, v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

/** Where each resource type carries files, and the absolute path each lands at. */
function extractFiles(resources: RecordedResource[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of resources) {
    const inputs = unwrapSecrets(r.inputs) as Record<string, unknown>;
    if (r.type === "aws:ec2/instance:Instance" && typeof inputs.userData === "string") {
      files.set(`${r.name}/var/lib/cloud/instance/user-data.txt`, inputs.userData);
    }
    const env = inputs.environment as Record<string, string> | undefined;
    if (r.type === "command:local:Command" && env?.[HOST_FILE_PATH_ENV] && typeof inputs.stdin === "string") {
      files.set(`${r.name}${env[HOST_FILE_PATH_ENV]}`, inputs.stdin);
    }
    if (r.type === "docker:index/container:Container" && Array.isArray(inputs.uploads)) {
      for (const upload of inputs.uploads as { file?: string; content?: string }[]) {
        if (upload.file && typeof upload.content === "string")
          files.set(`${r.name}${upload.file}`, upload.content);
      }
    }
  }
  return files;
}

export { redact };
