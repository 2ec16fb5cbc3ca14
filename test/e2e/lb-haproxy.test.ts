// HAProxy rendered by render/haproxy.ts, run as a real daemon on loopback against stub backends.
import { describe, expect, it } from "vitest";
import { HAPROXY_METRICS_PATH } from "../../render/lb-common";
import { toolsAvailable } from "../support/tools";
import { request } from "./support/client";
import { haproxyEngine, haproxyServerStatus } from "./support/lb-engines";
import { TEST_HEALTH } from "./support/lb-inputs";
import { defineLbE2eTests } from "./support/lb-suite";
import { waitFor } from "./support/wait";

describe.skipIf(!toolsAvailable("haproxy", "openssl"))("HAProxy load balancer (real daemon)", () => {
  const ctx = defineLbE2eTests(haproxyEngine, {
    backendHost: "127.0.0.121",
    lbAddress: "127.0.0.131",
    internalLbAddress: "127.0.0.132",
  });

  it("probes GET /actuator/health on every backend and reports them UP", async () => {
    ctx.stubs.forEach((s) => s.hits.clear());
    for (const stub of ctx.stubs) {
      const probed = () => stub.count("GET", "/actuator/health") > 0;
      await waitFor(`a health check on ${stub.name}`, probed, { timeoutMs: 3 * TEST_HEALTH.intervalMs });
      expect(await haproxyServerStatus(ctx.lb, stub.name)).toBe("UP");
    }
  });

  it("keeps the stats page behind basic auth", async () => {
    const { address, statsPort } = ctx.lb.input.listen;
    const res = await request(`http://${address}:${statsPort}/stats;csv`);
    expect(res.status).toBe(401);
  });

  it("exports Prometheus metrics on the metrics port", async () => {
    const { address, metricsPort } = ctx.lb.input.listen;
    const res = await request(`http://${address}:${metricsPort}${HAPROXY_METRICS_PATH}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^haproxy_server_status\{proxy="be_jairouter",server="app1",state="UP"\} 1$/m);
  });
});
