// What a second `pulumi up` does to a live stack, finding by finding: each test names the failure
// it prevents (a replaced host without containers, a volume that cannot move, a key rotation that
// rebuilds the fleet...). The change matrix (change-matrix.test.ts) covers whole changes end to end.
import { beforeAll, describe, expect, it } from "vitest";
import { HOST_INSTANCE_LABEL } from "../../components/host-service";
import { redact } from "../../scripts/lib/mock-cloud";
import { readStackFile, SYNTH_SSH_PUBLIC_KEY } from "../../scripts/lib/stack-file";
import { plainInputs, resourcesOf, synthStack, type RecordedResource, type SynthResult } from "./helpers";

const INSTANCE = "aws:ec2/instance:Instance";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";
const VOLUME = "aws:ebs/volume:Volume";
const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const COMMAND = "command:local:Command";

type Options = {
  deleteBeforeReplace?: boolean;
  retainOnDelete?: boolean;
  protect?: boolean;
  ignoreChanges?: string[];
  additionalSecretOutputs?: string[];
  dependsOn?: string[];
};
const optionsOf = (r: RecordedResource) => ((r as unknown as { options?: Options }).options ?? {}) as Options;
const byName = (result: SynthResult, type: string, name: string) => {
  const found = resourcesOf(result, type).find((r) => r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
};
const hostOfUrn = (urn: string) => /::(jr-[a-z]+-(?:app|lb)-\d+|jr-[a-z]+-monitoring)\b/.exec(urn)?.[1];

/** Each host's instance id as the rest of the graph sees it (its volume attachment's input). */
function instanceIds(result: SynthResult): Map<string, string> {
  return new Map(
    resourcesOf(result, ATTACHMENT).map((a) => [a.name.replace(/-data$/, ""), plainInputs(a).instanceId]),
  );
}

describe("day 2 on prod", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("moves a data volume by detaching it first, and replaces an instance only after its services are gone", () => {
    for (const attachment of resourcesOf(prod, ATTACHMENT)) {
      expect(optionsOf(attachment).deleteBeforeReplace, attachment.name).toBe(true);
    }
    for (const instance of resourcesOf(prod, INSTANCE)) {
      expect(optionsOf(instance).deleteBeforeReplace, instance.name).toBe(true);
    }
  });

  it("ties every container, image and placed file to its host's instance, so a new host gets them all", () => {
    const ids = instanceIds(prod);
    expect(ids.size).toBe(6);
    const containers = resourcesOf(prod, CONTAINER);
    expect(containers.length).toBeGreaterThanOrEqual(6 + 8);
    for (const c of containers) {
      const host = hostOfUrn(c.urn) ?? c.name.replace(/-[a-z-]+$/, "");
      const labels = plainInputs(c).labels as { label: string; value: string }[];
      const tie = labels.find((l) => l.label === HOST_INSTANCE_LABEL);
      expect(tie?.value, c.name).toBe(ids.get(host));
    }
    for (const image of resourcesOf(prod, IMAGE)) {
      const host = [...ids.keys()].find((h) => image.name.startsWith(`${h}-`));
      expect(plainInputs(image).triggers?.hostInstance, image.name).toBe(ids.get(host!));
    }
    const fileCommands = resourcesOf(prod, COMMAND).filter((c) => plainInputs(c).environment);
    expect(fileCommands.length).toBeGreaterThan(20);
    for (const f of fileCommands) {
      const host = [...ids.keys()].find((h) => f.name.startsWith(`${h}-`));
      expect(plainInputs(f).triggers, f.name).toContain(ids.get(host!));
    }
  });

  it("replaces nothing on other hosts with a host: no host's resources take inputs from another's instance", () => {
    // A delete-first replacement removes, before anything else, every resource whose inputs come
    // from the old instance: if the proxies' config took the app hosts' addresses from their
    // instances, replacing one app host would take both proxies down. Fixed addresses prevent it.
    const hosts = [...instanceIds(prod).keys()];
    const hostOf = (name: string) => hosts.find((h) => name === h || name.startsWith(`${h}-`));
    const hardware = new Map(
      resourcesOf(prod, INSTANCE)
        .concat(resourcesOf(prod, ATTACHMENT))
        .map((r) => [r.urn, hostOf(r.name)!] as const),
    );
    const crossings: string[] = [];
    for (const r of prod.resources) {
      const own = hostOf(r.name);
      if (!own) continue;
      const chained = new Set(optionsOf(r).dependsOn ?? []);
      for (const dep of r.dependencies) {
        const other = hardware.get(dep);
        if (other && other !== own && !chained.has(dep)) crossings.push(`${r.name} <- ${other}`);
      }
    }
    expect(crossings).toEqual([]);
    const proxyConfig = byName(prod, COMMAND, "jr-prod-lb-0-config");
    for (const address of resourcesOf(prod, INSTANCE)
      .filter((i) => /-app-\d$/.test(i.name))
      .map((i) => plainInputs(i).privateIp as string)) {
      expect(plainInputs(proxyConfig).stdin).toContain(`${address}:8080`);
    }
  });

  it("runs node-exporter as a container on every host, so a new image replaces no instance", () => {
    const exporters = resourcesOf(prod, CONTAINER).filter((c) => c.name.endsWith("-node-exporter"));
    expect(exporters).toHaveLength(6);
    for (const instance of resourcesOf(prod, INSTANCE)) {
      expect(plainInputs(instance).userData).not.toMatch(/node-exporter:v|prom\/node-exporter/);
    }
  });

  it("keeps the key pair's name fixed, so rotating the key replaces no instance", () => {
    const keyPair = resourcesOf(prod, "aws:ec2/keyPair:KeyPair")[0]!;
    expect(plainInputs(keyPair).keyName).toBe("jr-prod-deployer");
    expect(optionsOf(keyPair).deleteBeforeReplace).toBe(true);
    for (const instance of resourcesOf(prod, INSTANCE)) {
      expect(plainInputs(instance).keyName).toBe("jr-prod-deployer");
    }
    const authorized = resourcesOf(prod, COMMAND).filter((c) => c.name.endsWith("-authorized-keys"));
    expect(authorized).toHaveLength(6);
    for (const a of authorized) expect(plainInputs(a).stdin).toMatch(/^ssh-ed25519 /);
  });

  it("changes the hosts of a role one at a time, each after the previous one serves again", () => {
    // app hosts: after the previous host is back in the proxies' rotation; proxies: after the
    // previous proxy runs and has activated its configuration
    for (const [role, gates] of [
      ["app", ["rotation"]],
      ["lb", ["activate", "serving"]],
    ] as const) {
      const hosts = resourcesOf(prod, INSTANCE)
        .filter((i) => new RegExp(`-${role}-\\d+$`).test(i.name))
        .sort((a, b) => a.name.localeCompare(b.name));
      hosts.forEach((instance, i) => {
        const deps = optionsOf(instance).dependsOn ?? instance.dependencies;
        const gateDeps = deps
          .map((d) => d.split("::").pop()!)
          .filter((d) => /-(healthy|serving|rotation|activate)$/.test(d))
          .sort();
        const expected = i === 0 ? [] : gates.map((g) => `${hosts[i - 1]!.name}-${g}`).sort();
        expect(gateDeps, instance.name).toEqual(expected);
      });
    }
  });

  it("uses no Elastic IP for the proxies behind the NLB: they live in private subnets", () => {
    const eips = resourcesOf(prod, "aws:ec2/eip:Eip");
    expect(eips.map((e) => e.name).every((n) => /-nat-/.test(n) || n.includes("nat"))).toBe(true);
    const privateSubnets = resourcesOf(prod, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"))
      .map((s) => s.name);
    expect(privateSubnets.length).toBeGreaterThan(0);
    for (const lb of resourcesOf(prod, INSTANCE).filter((i) => /-lb-\d$/.test(i.name))) {
      expect(plainInputs(lb).associatePublicIpAddress).toBe(false);
      expect(
        lb.dependencies.some((d) => /private-\d$/.test(d)),
        lb.name,
      ).toBe(true);
    }
  });

  it("launches every host only once its subnet's route out exists (cloud-init and SSM need it)", () => {
    const associations = resourcesOf(prod, "aws:ec2/routeTableAssociation:RouteTableAssociation");
    for (const instance of resourcesOf(prod, INSTANCE)) {
      const subnetUrn = instance.dependencies.find((d) => d.includes("aws:ec2/subnet:Subnet"))!;
      const subnetName = subnetUrn.split("::").pop()!;
      const association = associations.find((a) => a.name === subnetName)!;
      expect(instance.dependencies, instance.name).toContain(association.urn);
    }
  });

  it("tags root and data volumes each on their owner only (volumeTags would fight the data volume's)", () => {
    for (const instance of resourcesOf(prod, INSTANCE)) {
      const inputs = plainInputs(instance);
      expect(inputs.volumeTags, instance.name).toBeUndefined();
      expect(inputs.rootBlockDevice.tags.Name).toBe(`${instance.name}-root`);
    }
  });

  it("keeps production data volumes in the account on scale-in instead of blocking it", () => {
    for (const volume of resourcesOf(prod, VOLUME)) {
      expect(optionsOf(volume).retainOnDelete, volume.name).toBe(true);
      expect(volume.protect, volume.name).toBe(false);
    }
  });

  it("boots every host from one pinned Canonical build, and never ignores an AMI change", () => {
    for (const instance of resourcesOf(prod, INSTANCE)) {
      expect(optionsOf(instance).ignoreChanges ?? []).not.toContain("ami");
    }
    const amis = new Set(resourcesOf(prod, INSTANCE).map((i) => plainInputs(i).ami));
    expect(amis.size).toBe(1);
  });

  it("reruns the readiness gate (which grows the filesystem) when a host is resized", () => {
    const gate = byName(prod, COMMAND, "jr-prod-app-0-ready");
    const inputs = plainInputs(gate);
    expect(inputs.create).toMatch(/^bash -s -- ssh /);
    expect(inputs.stdin).toMatch(/jairouter-mount-data/);
    const generation = String(inputs.triggers[0]);
    expect(generation).toContain("c6i.2xlarge");
    expect(generation).toMatch(/\/\d+$/);
  });

  it("puts no fixed name on the target groups (create-before-delete works) and deletes the NLB first", () => {
    const nlb = resourcesOf(prod, "aws:lb/loadBalancer:LoadBalancer")[0]!;
    expect(optionsOf(nlb).deleteBeforeReplace).toBe(true);
    const groups = resourcesOf(prod, "aws:lb/targetGroup:TargetGroup").map((g) => plainInputs(g).name);
    expect(groups).toHaveLength(2);
    for (const name of groups) expect(name).toMatch(/^jr-prod-tcp-(80|443)-[0-9a-f]{6}$/);
  });

  it("names the stack's region in every SSM tunnel", () => {
    const provider = resourcesOf(prod, "pulumi:providers:docker")[0]!;
    const opts = plainInputs(provider).sshOpts as string;
    expect(JSON.stringify(opts)).toContain("--region eu-west-1");
  });

  it("keeps model-sync output out of logs and plain state", () => {
    const syncs = resourcesOf(prod, COMMAND).filter((c) => c.name.endsWith("-model-sync"));
    expect(syncs).toHaveLength(3);
    for (const s of syncs) {
      expect(plainInputs(s).logging).toBe("none");
      expect(optionsOf(s).additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
    }
  });

  it("writes container settings in the form the Docker provider reads back", () => {
    for (const c of resourcesOf(prod, CONTAINER)) {
      const inputs = plainInputs(c);
      if (inputs.memory !== undefined) expect(inputs.memorySwap, c.name).toBe(inputs.memory);
      const health = inputs.healthcheck as Record<string, string> | undefined;
      for (const key of ["interval", "timeout", "startPeriod"]) {
        if (health?.[key]) expect(health[key], `${c.name} ${key}`).toMatch(/^(\d+h)?(\d+m)?\d+s$/);
      }
      expect(inputs.destroyGraceSeconds, c.name).toBeGreaterThan(0);
    }
    const app = byName(prod, CONTAINER, "jr-prod-app-0-jairouter");
    expect(plainInputs(app).healthcheck.startPeriod).toBe("3m0s");
  });
});

describe("day 2 on other configurations", () => {
  it("gives proxies behind DNS failover a public address from launch, then an Elastic IP", async () => {
    const dns = await synthStack("prod", {
      "jairouter:loadBalancer": { engine: "haproxy", frontDoor: "dns" },
      "jairouter:domain": { name: "api.jairouter.example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ" },
    });
    const lbs = resourcesOf(dns, INSTANCE).filter((i) => /-lb-\d$/.test(i.name));
    for (const lb of lbs) expect(plainInputs(lb).associatePublicIpAddress).toBe(true);
    expect(resourcesOf(dns, "aws:ec2/eip:Eip").filter((e) => /-lb-\d-eip$/.test(e.name))).toHaveLength(2);
  });

  it("logs in as any sshUser: the bootstrap creates it, Docker reaches it", async () => {
    const custom = await synthStack("staging", {
      "jairouter:access": { transport: "ssm", sshUser: "deploy" },
    });
    for (const provider of resourcesOf(custom, "pulumi:providers:docker")) {
      expect(plainInputs(provider).host).toMatch(/^ssh:\/\/deploy@i-/);
    }
    for (const instance of resourcesOf(custom, INSTANCE)) {
      expect(plainInputs(instance).userData).toContain("DEPLOY_USER='deploy'");
    }
  });

  it("pulls with Docker Hub credentials when a user is configured, and the token stays secret", async () => {
    const authed = await synthStack("staging", {
      "jairouter:registry": { dockerHubUser: "jairouter-deploy" },
      "jairouter:dockerHubToken": { secure: "v1:cipher" },
    });
    const provider = resourcesOf(authed, "pulumi:providers:docker")[0]!;
    // provider configuration arrives JSON-encoded, secret as a whole
    const auth = JSON.parse(plainInputs(provider).registryAuth) as { address: string; username: string }[];
    expect(auth.map((a) => a.address)).toContain("registry-1.docker.io");
    expect(auth[0]!.username).toBe("jairouter-deploy");
    expect(redact(provider.inputs)).toMatchObject({ registryAuth: "[secret]" });
    const anonymous = resourcesOf(await synthStack("staging"), "pulumi:providers:docker")[0]!;
    expect(plainInputs(anonymous).registryAuth).toBeUndefined();
  });

  it("refuses a Docker Hub user without its token, naming the key and the command", async () => {
    const { loadConfig } = await import("../../config/load");
    const config = readStackFile("staging", process.cwd(), {
      "jairouter:registry": { dockerHubUser: "jairouter-deploy" },
      "jairouter:access": { sshPublicKey: SYNTH_SSH_PUBLIC_KEY },
    });
    expect(() => loadConfig(config.values)).toThrow(
      /jairouter:dockerHubToken: is a required secret.*pulumi config set --secret jairouter:dockerHubToken/,
    );
  });
});
