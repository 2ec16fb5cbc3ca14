// Pieces shared by the HAProxy and Nginx renderers: TLS policy, headers, paths, defaults and the
// input check. Both engines must behave the same from the outside, so the tables live here once.
import { z } from "zod";
import type { HaproxyRuntime, LbTunables, LoadBalancerRenderInput } from "./lb-types";

/**
 * Mozilla "intermediate" TLS 1.2 ciphers (guideline 5.7) without its DHE-RSA suites: those need a DH
 * parameter file, and every client the intermediate profile supports also speaks ECDHE.
 */
export const TLS12_CIPHERS: readonly string[] = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
];

/** Mozilla "intermediate" TLS 1.3 cipher suites. */
export const TLS13_CIPHERSUITES: readonly string[] = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
];

/** ALPN protocols offered on the HTTPS listener, preferred first. */
export const ALPN_PROTOCOLS: readonly string[] = ["h2", "http/1.1"];

/** Response headers added to every HTTPS answer, including the LB's own (403, /health). */
export const SECURITY_HEADERS: ReadonlyArray<readonly [name: string, value: string]> = [
  ["X-Frame-Options", "DENY"],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["Strict-Transport-Security", "max-age=63072000"],
];

/** Headers that carry the client's address or scheme: always set by the LB itself. */
export const FORWARDED_FOR_HEADER = "X-Forwarded-For";
export const REAL_IP_HEADER = "X-Real-IP";
export const FORWARDED_PROTO_HEADER = "X-Forwarded-Proto";

/** Client-sent forwarding headers the app could trust for redirects: removed, never passed on. */
export const DROPPED_CLIENT_HEADERS: readonly string[] = [
  "Forwarded",
  "X-Forwarded-Host",
  "X-Forwarded-Port",
  "X-Forwarded-Prefix",
];

/** Answered by the LB itself (not proxied), on both the HTTP and the HTTPS listener. */
export const LB_HEALTH_PATH = "/health";
/** HAProxy stats page on the stats port. */
export const HAPROXY_STATS_PATH = "/stats";
/** HAProxy Prometheus exporter on the metrics port. */
export const HAPROXY_METRICS_PATH = "/metrics";
/** Nginx `stub_status` on the stats port (read by nginx-prometheus-exporter). */
export const NGINX_STUB_STATUS_PATH = "/stub_status";
/** WebSocket endpoints of the admin console's live views. */
export const WEBSOCKET_PREFIX = "/ws/";

/**
 * Matches any request path with an `actuator` segment, case-insensitively, on the decoded path.
 * Stricter than a `/actuator` prefix so `//actuator`, `/%61ctuator` or `/ACTUATOR` cannot slip by.
 * No JAiRouter API path has such a segment. Written without `{}` so both config syntaxes accept it.
 */
export const ACTUATOR_PATH_REGEX = "(^|/)actuator(/|;|$)";

/** Largest request body accepted by Nginx (audio uploads and base64 images); HAProxy has no cap. */
export const MAX_REQUEST_BODY = "50m";
/** Time allowed to receive request headers (slow-client protection). */
export const REQUEST_HEADER_TIMEOUT_MS = 10_000;
/** Idle time a client keep-alive connection is kept open. */
export const CLIENT_KEEPALIVE_MS = 60_000;
/** Idle keep-alive connections each Nginx worker keeps to the app servers. */
export const UPSTREAM_KEEPALIVE_CONNECTIONS = 32;

/** Production defaults (R3): health check every 5 s, down after 3, up after 2, 300 s model calls. */
export function defaultLbTunables(): LbTunables {
  return {
    listen: { address: "0.0.0.0", httpPort: 80, httpsPort: 443, statsPort: 8404, metricsPort: 8404 },
    internalCidrs: ["10.0.0.0/8"],
    monitoringCidrs: ["10.0.0.0/8", "127.0.0.1/32"],
    healthCheck: { path: "/actuator/health", intervalMs: 5_000, fall: 3, rise: 2 },
    // client = server: HAProxy's advice for long answers; slow clients are cut by the header timeout.
    timeouts: { connectMs: 5_000, clientMs: 300_000, serverMs: 300_000, tunnelMs: 3_600_000 },
    retries: 3,
    maxConnections: 50_000,
    runtime: {
      // paths that exist and are writable in the official haproxy and nginx images; the admin
      // socket's directory (with the server-state file) is where the host's scripts reach HAProxy
      haproxy: { adminSocketPath: "/var/lib/haproxy/admin.sock" },
      nginx: { pidFile: "/var/run/nginx.pid", tempDir: "/var/cache/nginx", user: "nginx" },
    },
  };
}

/** HAProxy's server-state file: the one given, else `server-state` beside the admin socket. */
export function haproxyServerStateFile(runtime: HaproxyRuntime): string {
  if (runtime.serverStateFile !== undefined) return runtime.serverStateFile;
  const socket = runtime.adminSocketPath;
  return `${socket.slice(0, socket.lastIndexOf("/"))}/server-state`;
}

/** Formats milliseconds with the largest exact unit; both engines read `ms`, `s`, `m` and `h`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `:port` unless it is the scheme's default port. */
export function portSuffix(port: number, defaultPort: number): string {
  return port === defaultPort ? "" : `:${port}`;
}

/** Public HTTPS origin, target of the HTTP redirect. */
export function httpsOrigin(input: LoadBalancerRenderInput): string {
  return `https://${input.serverName}${portSuffix(input.listen.httpsPort, 443)}`;
}

// ---------------------------------------------------------------------------------------------
// Input check: one error that lists every bad field with its path, before anything is rendered.

const hostnamePattern =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const namePattern = /^[A-Za-z0-9._-]{1,64}$/;
// absolute, and nothing a config parser could read as a separator, quote or comment
const pathPattern = /^\/[A-Za-z0-9._@+=,/-]*$/;

const hostname = z.string().regex(hostnamePattern, "must be a DNS name");
const port = z.number().int().min(1).max(65_535);
const absPath = z.string().regex(pathPattern, "must be an absolute path of [A-Za-z0-9._@+=,/-]");
const positiveMs = z.number().int().min(1);

const backendSchema = z.object({
  name: z.string().regex(namePattern, "must be 1-64 of [A-Za-z0-9._-]"),
  address: z.union([z.ipv4(), hostname], "must be an IPv4 address or a DNS name"),
  port,
});

const inputSchema = z
  .object({
    serverName: hostname,
    backends: z.array(backendSchema).min(1, "at least one backend is required"),
    listen: z.object({
      address: z.ipv4(),
      httpPort: port,
      httpsPort: port,
      statsPort: port,
      metricsPort: port,
    }),
    tls: z.object({ certificatePath: absPath, keyPath: absPath, combinedPemPath: absPath }),
    internalCidrs: z.array(z.cidrv4()),
    monitoringCidrs: z.array(z.cidrv4()).min(1, "at least one source must reach the stats port"),
    healthCheck: z.object({
      path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, "must be an absolute URL path"),
      intervalMs: z.number().int().min(100),
      fall: z.number().int().min(1).max(100),
      rise: z.number().int().min(1).max(100),
    }),
    timeouts: z.object({
      connectMs: positiveMs,
      clientMs: positiveMs,
      serverMs: positiveMs,
      tunnelMs: positiveMs,
    }),
    retries: z.number().int().min(0).max(10),
    maxConnections: z.number().int().min(1).max(1_000_000),
    stats: z.object({
      user: z.string().regex(namePattern, "must be 1-64 of [A-Za-z0-9._-]"),
      // printable ASCII without space or quotes: written inside a quoted config token
      password: z
        .string()
        .min(12)
        .max(128)
        .regex(/^[!#-&(-~]+$/, "must be printable ASCII without spaces or quotes"),
    }),
    runtime: z.object({
      haproxy: z.object({ adminSocketPath: absPath.max(100), serverStateFile: absPath.optional() }),
      nginx: z.object({ pidFile: absPath, tempDir: absPath, user: z.string().regex(namePattern).optional() }),
    }),
  })
  .superRefine((input, ctx) => {
    const names = input.backends.map((b) => b.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) {
        ctx.addIssue({ code: "custom", path: ["backends", i, "name"], message: `duplicate name "${name}"` });
      }
    });
    const { httpPort, httpsPort, statsPort, metricsPort } = input.listen;
    const used: Array<[string, number]> = [
      ["httpPort", httpPort],
      ["httpsPort", httpsPort],
      ["statsPort", statsPort],
    ];
    // metrics may share the stats port (one internal listener), nothing else may share
    if (metricsPort !== statsPort) used.push(["metricsPort", metricsPort]);
    used.forEach(([key, value], i) => {
      const clash = used.findIndex(([, other]) => other === value);
      if (clash !== i) {
        ctx.addIssue({ code: "custom", path: ["listen", key], message: `port ${value} already used` });
      }
    });
  });

/** Throws one error naming every invalid field of `input` (an empty backend list, for example). */
export function assertValidLbInput(input: LoadBalancerRenderInput): void {
  const result = inputSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid load-balancer input:\n${z.prettifyError(result.error)}`);
  }
}
