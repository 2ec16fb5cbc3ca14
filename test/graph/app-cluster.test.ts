import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MockCloud, redact } from "../../scripts/lib/mock-cloud";
import { run, toolsAvailable } from "../support/tools";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

const CONTAINER = "docker:index/container:Container";
const INSTANCE = "aws:ec2/instance:Instance";
const SECRET_ENV = [
  "JWT_SECRET",
  "PROD_JWT_SECRET",
  "INITIAL_ADMIN_PASSWORD",
  "JAIROUTER_ADMIN_API_KEY",
  "JAIROUTER_SERVICE_API_KEY",
  "JAIROUTER_READONLY_API_KEY",
  "REDIS_PASSWORD",
];

function appContainers(result: SynthResult) {
  return resourcesOf(result, CONTAINER).filter((c) => c.name.endsWith("-jairouter"));
}

function envOf(container: ReturnType<typeof appContainers>[number]): Record<string, string> {
  const list = plainInputs(container).envs as string[];
  return Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

/** Inputs by URN, for comparing two synths. */
function inputsByUrn(result: SynthResult): Map<string, string> {
  return new Map(result.resources.map((r) => [r.urn, JSON.stringify(plainInputs(r))]));
}

function changedUrns(a: SynthResult, b: SynthResult): string[] {
  const left = inputsByUrn(a);
  const right = inputsByUrn(b);
  const urns = new Set([...left.keys(), ...right.keys()]);
  return [...urns].filter((u) => left.get(u) !== right.get(u)).sort();
}

/** Seconds of a Go duration such as "3m0s". */
function goDurationSeconds(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)!;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const typeOf = (urn: string) => urn.split("::")[2]!.split("$").pop()!;

describe("AppCluster (prod)", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("runs 3 app hosts of the tier's instance type in 3 zones", () => {
    const apps = resourcesOf(prod, INSTANCE).filter((r) => /-app-\d+$/.test(r.name));
    expect(apps).toHaveLength(3);
    expect(apps.map((a) => plainInputs(a).instanceType)).toEqual([
      "c6i.2xlarge",
      "c6i.2xlarge",
      "c6i.2xlarge",
    ]);
    const subnets = new Map(resourcesOf(prod, "aws:ec2/subnet:Subnet").map((s) => [MockCloud.idOf(s), s]));
    const placed = apps.map((a) => subnets.get(plainInputs(a).subnetId)!);
    expect(placed.every((s) => s.name.includes("-private-"))).toBe(true);
    expect(new Set(placed.map((s) => plainInputs(s).availabilityZone)).size).toBe(3);
    const volumes = resourcesOf(prod, "aws:ebs/volume:Volume").filter((v) => /-app-\d+-data$/.test(v.name));
    expect(new Set(volumes.map((v) => plainInputs(v).availabilityZone)).size).toBe(3);
  });

  it("hardens every host: IMDSv2, encrypted root and data volumes, no public address", () => {
    for (const instance of resourcesOf(prod, INSTANCE).map(plainInputs)) {
      expect(instance.metadataOptions.httpTokens).toBe("required");
      expect(instance.rootBlockDevice).toMatchObject({ encrypted: true, volumeType: "gp3" });
      expect(instance.associatePublicIpAddress).toBe(false);
    }
    for (const volume of resourcesOf(prod, "aws:ebs/volume:Volume").map(plainInputs)) {
      expect(volume).toMatchObject({ encrypted: true, type: "gp3" });
    }
  });

  it("runs one pinned JAiRouter container per host, each on its own Docker provider", () => {
    const containers = appContainers(prod);
    expect(containers).toHaveLength(3);
    expect(new Set(containers.map((c) => c.provider)).size).toBe(3);
    for (const c of containers) {
      expect(c.provider).toMatch(/pulumi:providers:docker::jr-prod-app-\d-docker::/);
      expect(plainInputs(c).image).toBe("sodlinken/jairouter:3.1.2");
    }
  });

  it("hardens the container as R4.2 asks", () => {
    for (const c of appContainers(prod).map((r) => redact(r.inputs) as Record<string, any>)) {
      expect(c.user).toBe("10010:10010");
      expect(c.readOnly).toBe(true);
      expect(c.capabilities.drops).toEqual(["ALL"]);
      expect(c.securityOpts).toContain("no-new-privileges:true");
      expect(c.tmpfs["/tmp"]).toMatch(/noexec/);
      expect(c.ulimits).toEqual([
        { name: "nofile", soft: 65536, hard: 65536 },
        { name: "nproc", soft: 32768, hard: 32768 },
      ]);
      expect(c.memory).toBeGreaterThan(8000);
      expect(Number(c.cpus)).toBeGreaterThan(1);
      expect(c.logOpts).toEqual({ "max-size": "100m", "max-file": "3" });
      expect(c.healthcheck.tests.join(" ")).toContain("http://localhost:8080/actuator/health");
      expect(goDurationSeconds(c.healthcheck.startPeriod)).toBeGreaterThanOrEqual(120);
      expect(c.restart).toBe("unless-stopped");
      expect(c.wait).toBe(true);
      expect(c.envs).toBe("[secret]");
      expect(c.volumes).toContainEqual({
        hostPath: "/data/jairouter/config",
        containerPath: "/app/config",
        readOnly: true,
      });
    }
  });

  it("gives the app the environment from jairouter-facts.md", () => {
    const env = envOf(appContainers(prod)[0]!);
    expect(env.SPRING_PROFILES_ACTIVE).toBe("prod");
    expect(env.JWT_SECRET!.length).toBeGreaterThanOrEqual(32);
    expect(env.PROD_JWT_SECRET).toBe(env.JWT_SECRET);
    expect(env.INITIAL_ADMIN_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(env.INSTANCE_ID).toBe("jr-prod-app-0");
    expect(env.JAVA_OPTS).toMatch(/-Xmx\d+m/);
    expect(env.JAVA_OPTS).toContain("-XX:+UseG1GC");
    expect(env.JAVA_OPTS).toContain("-XX:MaxGCPauseMillis=200");
    expect(env.JAVA_OPTS).toContain("-XX:+HeapDumpOnOutOfMemoryError");
    expect(env.JAVA_OPTS).toContain("-XX:HeapDumpPath=/app/logs");
    expect(env.JAVA_OPTS).toContain("-XX:+UseStringDeduplication");
    expect(env.REDIS_HOST).toMatch(/cache\.amazonaws\.com$/);
    expect(env.SPRING_DATA_REDIS_SSL_ENABLED).toBe("true");
    const heap = Number(/-Xmx(\d+)m/.exec(env.JAVA_OPTS!)![1]);
    const memory = plainInputs(appContainers(prod)[0]!).memory as number;
    expect(heap / memory).toBeCloseTo(0.7, 2);
  });

  it("rolls containers one host at a time, each after the previous app is back in rotation", () => {
    const containers = appContainers(prod).sort((a, b) => a.name.localeCompare(b.name));
    const commands = resourcesOf(prod, "command:local:Command");
    const named = (n: string) => commands.find((c) => c.name === n)!;
    expect(containers[0]!.dependencies.some((d) => /-(healthy|rotation)$/.test(d))).toBe(false);
    for (let i = 1; i < containers.length; i++) {
      const previousHost = containers[i - 1]!.name.replace(/-jairouter$/, "");
      const healthy = named(`${previousHost}-healthy`);
      const rotation = named(`${previousHost}-rotation`);
      expect(healthy.dependencies).toContain(containers[i - 1]!.urn);
      expect(rotation.dependencies).toContain(healthy.urn);
      expect(containers[i]!.dependencies).toContain(rotation.urn);
    }
  });

  it("keeps every generated secret out of user data and out of every non-secret input", () => {
    const secretValues = appContainers(prod).flatMap((c) => {
      const env = envOf(c);
      return SECRET_ENV.map((k) => env[k]).filter((v): v is string => !!v);
    });
    expect(secretValues.length).toBeGreaterThanOrEqual(SECRET_ENV.length);
    const userData = resourcesOf(prod, INSTANCE).map((i) => plainInputs(i).userData as string);
    const visible = JSON.stringify(prod.resources.map((r) => redact(r.inputs)));
    for (const secret of secretValues) {
      for (const data of userData) expect(data).not.toContain(secret);
      expect(visible).not.toContain(secret);
    }
  });

  it.skipIf(!toolsAvailable("cloud-init"))("renders user data that cloud-init's schema accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "userdata-"));
    for (const instance of resourcesOf(prod, INSTANCE)) {
      const file = join(dir, `${instance.name}.yaml`);
      writeFileSync(file, plainInputs(instance).userData);
      const r = run("cloud-init", ["schema", "--config-file", file]);
      expect(r.status, `${instance.name}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it("places application.yml with the app's real keys", () => {
    const [path, text] = [...prod.files.entries()].find(([p]) => p.endsWith("/application.yml"))!;
    expect(path).toMatch(/^jr-prod-app-0-application-yml\/data\/jairouter\/config\/application.yml$/);
    const doc = parse(text, { version: "1.1" });
    expect(doc.jairouter.security.enabled).toBe(true);
    expect(doc.management.metrics.distribution["percentiles-histogram"]["[http.server.requests]"]).toBe(true);
    expect(doc.spring.data.redis.host).toBe("${REDIS_HOST}");
  });

  it("lets each app host read only its own SSM parameters", () => {
    const policies = resourcesOf(prod, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
      /-app-\d+-own$/.test(p.name),
    );
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      const doc = JSON.parse(plainInputs(p).policy);
      expect(doc.Statement).toEqual([
        expect.objectContaining({ Resource: "arn:aws:ssm:*:*:parameter/jairouter/prod/app/*" }),
      ]);
    }
  });
});

describe("AppCluster changes", () => {
  it("replaces only containers (never an EC2 instance) when only images.jairouter changes", async () => {
    const before = await synthStack("prod");
    const images = { ...(await imagesOf()), jairouter: "sodlinken/jairouter:3.2.0" };
    const after = await synthStack("prod", { "jairouter:images": images });
    const changed = changedUrns(before, after);
    const types = new Set(changed.map(typeOf));
    expect(changed.filter((u) => typeOf(u) === CONTAINER)).toHaveLength(3);
    // The health gates and model-sync steps run again: they are triggered by the new container ids.
    const commands = changed.filter((u) => typeOf(u) === "command:local:Command");
    expect(
      commands
        .map((u) =>
          u
            .split("::")
            .pop()!
            .replace(/^jr-prod-app-\d-/, ""),
        )
        .sort(),
    ).toEqual([
      ...["healthy", "healthy", "healthy"],
      ...["model-sync", "model-sync", "model-sync"],
      ...["rotation", "rotation", "rotation"],
    ]);
    expect(types).toEqual(
      new Set([CONTAINER, "docker:index/remoteImage:RemoteImage", "command:local:Command"]),
    );
    expect(changed.some((u) => typeOf(u) === INSTANCE)).toBe(false);
  });

  it("brings a changed model declaration to every host, and changes nothing else", async () => {
    const before = await synthStack("prod");
    const models = structuredClone(parse(await readStackYaml())["config"]["jairouter:models"]);
    models.services.chat.instances[0].weight = 5;
    const after = await synthStack("prod", { "jairouter:models": models });
    const changed = changedUrns(before, after).map((u) => u.split("::").pop()!);
    expect(changed.sort()).toEqual(
      [0, 1, 2].flatMap((i) => [`jr-prod-app-${i}-model-seed`, `jr-prod-app-${i}-model-sync`]).sort(),
    );
  });

  it("runs without Redis in staging and keeps health green without it", async () => {
    const staging = await synthStack("staging");
    expect(staging.resources.filter((r) => r.type.startsWith("aws:elasticache"))).toEqual([]);
    for (const c of appContainers(staging)) {
      const env = envOf(c);
      expect(env.REDIS_ENABLED).toBe("false");
      expect(env.MANAGEMENT_HEALTH_REDIS_ENABLED).toBe("false");
      expect(env.REDIS_HOST).toBeUndefined();
    }
    const yml = [...staging.files.entries()].find(([p]) => p.endsWith("/application.yml"))![1];
    expect(parse(yml, { version: "1.1" }).management.health.redis.enabled).toBe(false);
  });
});

async function readStackYaml(): Promise<string> {
  const { readFileSync } = await import("node:fs");
  return readFileSync("Pulumi.prod.yaml", "utf8");
}

async function imagesOf(): Promise<Record<string, string>> {
  return parse(await readStackYaml()).config["jairouter:images"];
}
