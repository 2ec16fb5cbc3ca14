import { HOST_FILE_PATH_ENV } from "../../components/host-file";
import { MockCloud, redact, unwrapSecrets, type RecordedResource } from "./mock-cloud";

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
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getProvider(): string;
  getProtect(): boolean;
  getObject(): unknown;
}
type RegisterCallback = (err: unknown, resp?: { getUrn(): string }) => void;

/**
 * Runs the program under Pulumi's mock runtime. Pulumi is imported here, after nothing else has
 * loaded it, and the program only after setMocks: a program imported earlier would wait forever
 * for an engine that does not exist.
 */
export async function synthesize(input: SynthInput): Promise<SynthResult> {
  const pulumi = await import("@pulumi/pulumi");
  const cloud = new MockCloud(input.region);
  await pulumi.runtime.setMocks(cloud, "jairouter", input.stack, false);
  pulumi.runtime.setAllConfig(input.values, input.secretKeys);
  captureRegistrations(pulumi, cloud);

  const { loadStackConfig } = await import("../../config");
  const { buildStack } = await import("../../stack");
  const outputs = buildStack(loadStackConfig());
  const resolved = await resolveOutputs(pulumi, outputs);
  await settle(pulumi);

  const resources = [...cloud.records].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { resources, outputs: resolved, files: extractFiles(resources) };
}

function captureRegistrations(pulumi: typeof import("@pulumi/pulumi"), cloud: MockCloud) {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: RegisterCallback): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, resp) => {
      if (resp) {
        cloud.records.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          custom: req.getCustom(),
          provider: req.getProvider(),
          protect: req.getProtect(),
          dependencies: [...req.getDependenciesList()].sort(),
          inputs: pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<string, unknown>,
        });
      }
      cb(err, resp);
    });
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
