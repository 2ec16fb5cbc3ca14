/**
 * Rules across fields. They read the raw input (defaults applied by hand) so that they still run
 * when the schema finds other problems: one error then lists everything that is wrong.
 */
export interface ConfigProblem {
  /** Path below the `jairouter` namespace, e.g. ["appServers", "count"]. */
  path: (string | number)[];
  message: string;
}

type Raw = Record<string, unknown>;

function obj(value: unknown): Raw {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Raw) : {};
}

function num(value: unknown, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  return typeof value === "number" ? value : undefined;
}

export function crossFieldProblems(raw: Raw): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const production = raw.environment === "production";
  const network = obj(raw.network);
  const zones = num(network.zones, 3);
  const count = num(obj(raw.appServers).count, 3);

  if (production && count !== undefined && count < 3) {
    problems.push({
      path: ["appServers", "count"],
      message: `production needs at least 3 app servers so that one can fail during a rolling update; got ${count}`,
    });
  }
  if (zones !== undefined && zones < 2) {
    problems.push({
      path: ["network", "zones"],
      message: `${production ? "production needs" : "the load-balancer and Redis pairs need"} at least 2 availability zones; got ${zones}`,
    });
  }
  const azs = network.availabilityZones;
  if (Array.isArray(azs) && zones !== undefined && azs.length !== zones) {
    problems.push({
      path: ["network", "availabilityZones"],
      message: `lists ${azs.length} zones but network.zones is ${zones}; give exactly one name per zone`,
    });
  }
  if (Array.isArray(azs) && new Set(azs).size !== azs.length) {
    problems.push({ path: ["network", "availabilityZones"], message: "names a zone twice" });
  }

  const access = obj(raw.access);
  if (access.transport === "bastion" && access.bastionHost === undefined) {
    problems.push({
      path: ["access", "bastionHost"],
      message: "is required when access.transport is bastion",
    });
  }

  const lb = obj(raw.loadBalancer);
  if (lb.frontDoor === "dns" && obj(raw.domain).route53ZoneId === undefined) {
    problems.push({
      path: ["domain", "route53ZoneId"],
      message: "is required when loadBalancer.frontDoor is dns (failover records live in that zone)",
    });
  }

  const tls = obj(raw.tls);
  if (tls.mode === "provided" && tls.certificate === undefined) {
    problems.push({ path: ["tls", "certificate"], message: "is required when tls.mode is provided" });
  }
  if (tls.mode === "acme") {
    problems.push({
      path: ["tls", "mode"],
      message:
        "acme is not supported yet: obtain the certificate with your ACME client and use mode provided (tls.certificate + secret jairouter:tlsPrivateKey)",
    });
  }

  for (const [type, service] of Object.entries(obj(obj(raw.models).services))) {
    const instances = obj(service).instances;
    if (!Array.isArray(instances)) continue;
    const seen = new Set<string>();
    instances.forEach((instance, i) => {
      // The app identifies an instance by model name and base URL together.
      const { name, baseUrl } = obj(instance);
      if (typeof name !== "string" || typeof baseUrl !== "string") return;
      const id = `${name}@${baseUrl}`;
      if (seen.has(id)) {
        problems.push({
          path: ["models", "services", type, "instances", i],
          message: `"${name}" at ${baseUrl} is declared twice in this service; each instance needs its own name or base URL`,
        });
      }
      seen.add(id);
    });
  }
  return problems;
}
