// Render inputs for tests and the benchmark: production-shaped, pointed at a temp directory.
import { userInfo } from "node:os";
import { join } from "node:path";
import { defaultLbTunables } from "../../../render/lb-common";
import type { LbBackend, LoadBalancerRenderInput } from "../../../render/lb-types";
import type { TestCert } from "./certs";

/** Name on the test certificate and in the redirect target. */
export const TEST_SERVER_NAME = "api.example.test";

/** Loopback ports of a test load balancer (any 127.0.0.x address). */
export const TEST_PORTS = { httpPort: 28080, httpsPort: 28443, statsPort: 28404, metricsPort: 28404 };

/** Short health-check timings so failover shows within seconds. */
export const TEST_HEALTH = { path: "/actuator/health", intervalMs: 500, fall: 3, rise: 2 };

export interface TestLbOptions {
  /** Temp directory for config, sockets, PID and temp files. */
  dir: string;
  cert: TestCert;
  /** 127.0.0.x address the LB binds. */
  address: string;
  backends: LbBackend[];
  internalCidrs: string[];
  monitoringCidrs: string[];
}

/** A production-shaped input pointed at loopback stubs, with test timings and a small maxconn. */
export function testLbInput(o: TestLbOptions): LoadBalancerRenderInput {
  return {
    serverName: TEST_SERVER_NAME,
    backends: o.backends,
    listen: { address: o.address, ...TEST_PORTS },
    tls: {
      certificatePath: o.cert.certificatePath,
      keyPath: o.cert.keyPath,
      combinedPemPath: o.cert.combinedPemPath,
    },
    internalCidrs: o.internalCidrs,
    monitoringCidrs: o.monitoringCidrs,
    healthCheck: TEST_HEALTH,
    timeouts: { connectMs: 1_000, clientMs: 30_000, serverMs: 30_000, tunnelMs: 30_000 },
    retries: 3,
    // this machine caps open files at 20000: far below production's 50000
    maxConnections: 2_000,
    stats: { user: "stats", password: "test-stats-password" },
    runtime: tempRuntime(o.dir),
  };
}

/** Runtime paths inside `dir` (what the production defaults put in container paths). */
export function tempRuntime(dir: string): LoadBalancerRenderInput["runtime"] {
  return {
    haproxy: { adminSocketPath: join(dir, "admin.sock") },
    nginx: {
      pidFile: join(dir, "nginx.pid"),
      tempDir: join(dir, "tmp"),
      // as root, workers would otherwise run as nobody and could not use the 0700 temp dir;
      // as anyone else Nginx ignores `user` with a warning, so leave it out
      user: process.getuid?.() === 0 ? userInfo().username : undefined,
    },
  };
}

/**
 * The production defaults with three 10.0.1.x app servers, except what this machine cannot take:
 * maxconn (open files are capped at 20000 here) and the process paths (a temp directory).
 */
export function productionLikeInput(dir: string, cert: TestCert): LoadBalancerRenderInput {
  return {
    ...defaultLbTunables(),
    serverName: "api.example.com",
    backends: [1, 2, 3].map((i) => ({ name: `jairouter-${i}`, address: `10.0.1.${10 + i}`, port: 8080 })),
    tls: {
      certificatePath: cert.certificatePath,
      keyPath: cert.keyPath,
      combinedPemPath: cert.combinedPemPath,
    },
    maxConnections: 4_000,
    stats: { user: "admin", password: "a-long-stats-password" },
    runtime: tempRuntime(dir),
  };
}
