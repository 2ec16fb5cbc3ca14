import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTestCert, type TestCert } from "../e2e/support/certs";
import { runPiped } from "../e2e/support/pipe";
import { run, toolsAvailable } from "../support/tools";
import { MockCloud, redact } from "../../scripts/lib/mock-cloud";
import { plainInputs, resourcesOf, synthStack, type SynthResult } from "./helpers";

const INSTANCE = "aws:ec2/instance:Instance";

function fileEnding(result: SynthResult, suffix: string): [string, string] {
  const entry = [...result.files.entries()].find(([p]) => p.endsWith(suffix));
  if (!entry) throw new Error(`no synthesized file ends with ${suffix}`);
  return entry;
}

/** Points the container paths of a rendered config at a test certificate and a scratch dir. */
function localise(text: string, cert: TestCert, dir: string): string {
  return text
    .replaceAll("/etc/jairouter/tls/combined.pem", cert.combinedPemPath)
    .replaceAll("/etc/jairouter/tls/cert.pem", cert.certificatePath)
    .replaceAll("/etc/jairouter/tls/key.pem", cert.keyPath)
    .replaceAll("/var/lib/haproxy/admin.sock", join(dir, "admin.sock"))
    .replaceAll("/var/run/nginx.pid", join(dir, "nginx.pid"))
    .replaceAll("/var/cache/nginx", dir);
}

describe("LoadBalancerPair and FrontDoor (prod: HAProxy behind an NLB)", () => {
  let prod: SynthResult;
  beforeAll(async () => {
    prod = await synthStack("prod");
  });

  it("runs two proxy hosts of the LB tier in two zones' private subnets, without public addresses", () => {
    const lbs = resourcesOf(prod, INSTANCE).filter((r) => /-lb-\d$/.test(r.name));
    expect(lbs).toHaveLength(2);
    expect(lbs.map((l) => plainInputs(l).instanceType)).toEqual(["c6i.xlarge", "c6i.xlarge"]);
    const subnets = new Map(resourcesOf(prod, "aws:ec2/subnet:Subnet").map((s) => [MockCloud.idOf(s), s]));
    const placed = lbs.map((l) => subnets.get(plainInputs(l).subnetId)!);
    expect(placed.every((s) => s.name.includes("-private-"))).toBe(true);
    expect(new Set(placed.map((s) => plainInputs(s).availabilityZone)).size).toBe(2);
    // Behind the NLB the proxies need no Elastic IP (the region's default quota is 5).
    expect(resourcesOf(prod, "aws:ec2/eip:Eip").filter((e) => /-lb-\d-eip$/.test(e.name))).toHaveLength(0);
    for (const lb of lbs) expect(plainInputs(lb).associatePublicIpAddress).toBe(false);
  });

  it("runs the pinned HAProxy image unprivileged, the standby after the primary", () => {
    const proxies = resourcesOf(prod, "docker:index/container:Container")
      .filter((c) => c.name.endsWith("-haproxy"))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(proxies).toHaveLength(2);
    for (const p of proxies) {
      const c = plainInputs(p);
      expect(c.image).toBe("haproxy:2.8.14");
      expect(c.user).toBe("99:99");
      expect(c.readOnly).toBe(true);
      expect(c.capabilities.drops).toEqual(["ALL"]);
      expect(c.ports.map((x: { external: number }) => x.external).sort()).toEqual([443, 80, 8404].sort());
    }
    const primaryServing = resourcesOf(prod, "command:local:Command").find((c) =>
      c.name.endsWith("-lb-0-serving"),
    )!;
    expect(primaryServing.dependencies).toContain(proxies[0]!.urn);
    expect(proxies[1]!.dependencies).toContain(primaryServing.urn);
    expect(new Set(proxies.map((p) => p.provider)).size).toBe(2);
  });

  it("keeps the certificate key and stats password secret", () => {
    const keys = resourcesOf(prod, "command:local:Command").filter((c) =>
      /-lb-\d-(key|combined-pem|config)$/.test(c.name),
    );
    expect(keys).toHaveLength(6);
    for (const k of keys) expect((redact(k.inputs) as Record<string, unknown>).stdin).toBe("[secret]");
    const tlsKeys = resourcesOf(prod, "tls:index/privateKey:PrivateKey");
    expect(tlsKeys.map((k) => plainInputs(k).algorithm)).toEqual(["ECDSA", "ECDSA"]);
  });

  it("certifies the domain and the load balancers' names", () => {
    const request = plainInputs(resourcesOf(prod, "tls:index/certRequest:CertRequest")[0]!);
    expect(request.dnsNames).toEqual([
      "api.jairouter.example.com",
      "lb-0.api.jairouter.example.com",
      "lb-1.api.jairouter.example.com",
    ]);
  });

  it("puts an internet-facing, cross-zone NLB with TCP 80/443 and health checks in front of both", () => {
    const nlb = plainInputs(resourcesOf(prod, "aws:lb/loadBalancer:LoadBalancer")[0]!);
    expect(nlb).toMatchObject({
      loadBalancerType: "network",
      internal: false,
      enableCrossZoneLoadBalancing: true,
    });
    expect(nlb.name.length).toBeLessThanOrEqual(32);
    const groups = resourcesOf(prod, "aws:lb/targetGroup:TargetGroup").map(plainInputs);
    expect(groups.map((g) => g.port).sort()).toEqual([443, 80]);
    for (const g of groups) {
      expect(g.name.length).toBeLessThanOrEqual(32);
      expect(g.healthCheck).toMatchObject({ protocol: "HTTP", path: "/health", port: "80" });
    }
    expect(resourcesOf(prod, "aws:lb/targetGroupAttachment:TargetGroupAttachment")).toHaveLength(4);
    expect(
      resourcesOf(prod, "aws:lb/listener:Listener")
        .map((l) => plainInputs(l).port)
        .sort(),
    ).toEqual([443, 80]);
  });

  it("points every app server at the rendered HAProxy backend", () => {
    const [, cfg] = fileEnding(prod, "/haproxy/haproxy.cfg.next");
    const appIps = resourcesOf(prod, INSTANCE)
      .filter((r) => /-app-\d+$/.test(r.name))
      .map((r) => r.name);
    expect(appIps).toHaveLength(3);
    expect(cfg.match(/server app-\d+ 10\.0\.\d+\.\d+:8080/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it.skipIf(!toolsAvailable("haproxy", "openssl"))("renders a haproxy.cfg that haproxy -c accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-synth-"));
    const cert = generateTestCert(dir, "api.jairouter.example.com");
    // This machine caps open files far below production's maxconn; everything else is as synthesized.
    const text = localise(fileEnding(prod, "/haproxy/haproxy.cfg.next")[1], cert, dir).replace(
      /maxconn 50000/g,
      "maxconn 4000",
    );
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, text);
    const r = run("haproxy", ["-c", "-f", file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe("staging: Nginx pair", () => {
  let staging: SynthResult;
  beforeAll(async () => {
    staging = await synthStack("staging");
  });

  it("runs Nginx with its exporter in the proxy's network namespace", () => {
    const containers = resourcesOf(staging, "docker:index/container:Container").map(
      (c) => [c.name, plainInputs(c)] as const,
    );
    const nginx = containers.filter(([n]) => n.endsWith("-nginx"));
    const exporters = containers.filter(([n]) => n.endsWith("-nginx-exporter"));
    expect(nginx).toHaveLength(2);
    expect(exporters).toHaveLength(2);
    for (const [, e] of exporters) {
      expect(e.networkMode).toMatch(/^container:/);
      expect(e.image).toBe("nginx/nginx-prometheus-exporter:1.4.1");
    }
  });

  it.skipIf(!toolsAvailable("nginx", "openssl"))("renders an nginx.conf that nginx -t accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-synth-nginx-"));
    const cert = generateTestCert(dir, "staging.jairouter.example.com");
    const text = localise(fileEnding(staging, "/nginx/nginx.conf.next")[1], cert, dir).replace(
      /worker_rlimit_nofile \d+;/,
      "worker_rlimit_nofile 8192;",
    );
    const file = join(dir, "nginx.conf");
    writeFileSync(file, text);
    const r = runPiped("nginx", ["-t", "-p", dir, "-c", file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("supports DNS failover: health checks and PRIMARY/SECONDARY records with TTL 60", async () => {
    const dns = await synthStack("staging", {
      "jairouter:domain": { name: "staging.jairouter.example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ" },
      "jairouter:loadBalancer": { engine: "nginx", tier: "minimum", frontDoor: "dns" },
    });
    expect(resourcesOf(dns, "aws:lb/loadBalancer:LoadBalancer")).toEqual([]);
    expect(resourcesOf(dns, "aws:route53/healthCheck:HealthCheck")).toHaveLength(2);
    const records = resourcesOf(dns, "aws:route53/record:Record").map(plainInputs);
    expect(records.map((r) => r.failoverRoutingPolicies[0].type).sort()).toEqual(["PRIMARY", "SECONDARY"]);
    for (const r of records) expect(r.ttl).toBe(60);
  });
});

describe.skipIf(!toolsAvailable("openssl"))("Tls in provided mode", () => {
  const provided = (cert: TestCert, keyPem: string) => ({
    "jairouter:tls": { mode: "provided", certificate: readText(cert.certificatePath) },
    "jairouter:tlsPrivateKey": keyPem,
  });

  it("deploys the operator's certificate and key, key kept secret", async () => {
    const cert = generateTestCert(mkdtempSync(join(tmpdir(), "tls-ok-")), "api.jairouter.example.com");
    const result = await synthStack("prod", provided(cert, readText(cert.keyPath)));
    expect(resourcesOf(result, "tls:index/privateKey:PrivateKey")).toEqual([]);
    const [, combined] = fileEnding(result, "/tls/combined.pem");
    expect(combined).toContain("BEGIN CERTIFICATE");
    expect(combined).toContain("PRIVATE KEY");
  });

  it("refuses a key that does not belong to the certificate, naming both keys", async () => {
    const cert = generateTestCert(mkdtempSync(join(tmpdir(), "tls-a-")), "api.jairouter.example.com");
    const other = generateTestCert(mkdtempSync(join(tmpdir(), "tls-b-")), "api.jairouter.example.com");
    await expect(synthStack("prod", provided(cert, readText(other.keyPath)))).rejects.toThrow(
      /jairouter:tlsPrivateKey: does not match jairouter:tls\.certificate/,
    );
  });

  it("refuses a certificate for another name", async () => {
    const cert = generateTestCert(mkdtempSync(join(tmpdir(), "tls-c-")), "other.example.org");
    await expect(synthStack("prod", provided(cert, readText(cert.keyPath)))).rejects.toThrow(
      /does not cover jairouter:domain.name/,
    );
  });
});

function readText(path: string): string {
  return readFileSync(path, "utf8");
}
