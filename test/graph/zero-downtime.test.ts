// How the graph orders a change so that no request is lost: app hosts drained on both proxies before
// their container goes and returned after the new one is healthy; proxy configurations reloaded in
// place, one proxy after the other. The scripts themselves are tested against real daemons
// (test/render/*-runtime.test.ts, test/e2e/rollout-*.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { PROXY_RUNTIME_PATHS } from "../../render/scripts/proxy-runtime";
import { MockCloud } from "../../scripts/lib/mock-cloud";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

const COMMAND = "command:local:Command";
const CONTAINER = "docker:index/container:Container";

describe.each([
  ["prod", "haproxy"],
  ["staging", "nginx"],
] as const)("zero-downtime wiring (%s, %s)", (stack, engine) => {
  let result: SynthResult;
  const named = (type: string, name: string) => {
    const found = resourcesOf(result, type).find((r) => r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
  };
  beforeAll(async () => {
    result = await synthStack(stack);
  });

  it("drains every app container on both proxies before it goes, and returns it once healthy", () => {
    const apps = resourcesOf(result, CONTAINER).filter((c) => c.name.endsWith("-jairouter"));
    expect(apps.length).toBeGreaterThanOrEqual(2);
    apps.forEach((container, i) => {
      const host = container.name.replace(/-jairouter$/, "");
      const rotation = named(COMMAND, `${host}-rotation`);
      const inputs = plainInputs(rotation);
      // replaced with the container: Pulumi deletes it (= drains) before the container goes
      expect(inputs.triggers).toContain(MockCloud.idOf(container));
      expect(rotation.dependencies).toContain(container.urn);
      for (const lb of [0, 1]) {
        expect(inputs.delete).toContain(`@jr-${stack}-lb-${lb}`);
        expect(inputs.create).toContain(`@jr-${stack}-lb-${lb}`);
      }
      expect(inputs.delete).toContain(`${PROXY_RUNTIME_PATHS.drain} app-${i} 300`);
      expect(inputs.create).toContain(`${PROXY_RUNTIME_PATHS.ret} app-${i}`);
      expect(inputs.delete).not.toContain(PROXY_RUNTIME_PATHS.ret);
      // back in rotation only once healthy
      expect(rotation.dependencies).toContain(named(COMMAND, `${host}-healthy`).urn);
    });
  });

  it("keeps the proxies' configuration and certificates out of their containers' identity", () => {
    for (const proxy of resourcesOf(result, CONTAINER).filter((c) => c.name.endsWith(`-${engine}`))) {
      const labels = plainInputs(proxy).labels as { label: string }[];
      expect(labels.map((l) => l.label)).not.toContain("jairouter.config-sha256");
    }
  });

  it("validates and reloads a new configuration in place, the standby after the primary", () => {
    const activates = [0, 1].map((i) => named(COMMAND, `jr-${stack}-lb-${i}-activate`));
    for (const a of activates)
      expect(plainInputs(a).create).toContain(`sudo ${PROXY_RUNTIME_PATHS.activate}`);
    expect(activates[1]!.dependencies).toContain(activates[0]!.urn);
    // behind the NLB, the standby also waits until the NLB's own health check has the primary in service
    const inService = named(COMMAND, `jr-${stack}-lb-0-in-service`);
    expect(plainInputs(inService).create).toMatch(
      /^aws elbv2 wait target-in-service --region eu-west-1 --target-group-arn \S+ --targets Id=i-\w+,Port=80 && .*Port=443$/,
    );
    expect(inService.dependencies).toContain(activates[0]!.urn);
    expect(activates[1]!.dependencies).toContain(inService.urn);
    expect(activates[0]!.dependencies).toContain(named(COMMAND, `jr-${stack}-lb-0-serving`).urn);
    // the file the stack writes is the candidate; activate swaps it in
    const config = named(COMMAND, `jr-${stack}-lb-0-config`);
    expect(plainInputs(config).environment.JAIROUTER_HOST_FILE).toMatch(/\.next$/);
  });

  it("makes the NLB keep a leaving proxy's connections as long as a drain", () => {
    for (const group of resourcesOf(result, "aws:lb/targetGroup:TargetGroup")) {
      expect(plainInputs(group).deregistrationDelay).toBe(300);
    }
  });
});
