// Nginx rendered by render/nginx.ts, run as a real daemon on loopback against stub backends.
import { describe, expect, it } from "vitest";
import { toolsAvailable } from "../support/tools";
import { nginxEngine } from "./support/lb-engines";
import { defineLbE2eTests } from "./support/lb-suite";

describe.skipIf(!toolsAvailable("nginx", "openssl"))("Nginx load balancer (real daemon)", () => {
  const ctx = defineLbE2eTests(nginxEngine, {
    backendHost: "127.0.0.122",
    lbAddress: "127.0.0.141",
    internalLbAddress: "127.0.0.142",
  });

  it("has no active health check: backends never see a probe", () => {
    for (const stub of ctx.stubs) expect(stub.count("GET", "/actuator/health"), stub.name).toBe(0);
  });

  it("writes access log lines to stdout with the upstream that answered", () => {
    expect(ctx.lb.daemon.output()).toMatch(/"GET \/echo HTTP\/[\d.]+" 200 .* upstream=127\.0\.0\.122:2808\d/);
  });
});
