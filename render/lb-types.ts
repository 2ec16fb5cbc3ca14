// Input of the load-balancer renderers (HAProxy and Nginx). Plain values only: a component resolves
// its Outputs first (`pulumi.all([...]).apply(...)`) and hands the result to the render function.

/** One JAiRouter application server behind the load balancer. */
export interface LbBackend {
  /** Stable server name used in configs, logs and stats (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** IPv4 address or DNS name of the app server (its private address in production). */
  address: string;
  /** JAiRouter's HTTP port: 8080 in production. */
  port: number;
}

/** Where the load balancer listens. */
export interface LbListen {
  /** IPv4 address to bind: `0.0.0.0` in production, a `127.0.0.x` address in tests. */
  address: string;
  /** Plain HTTP port (redirects to HTTPS, serves the LB's own `/health`): 80 in production. */
  httpPort: number;
  /** HTTPS port (TLS termination, HTTP/2): 443 in production. */
  httpsPort: number;
  /**
   * Internal status port, reachable only from `monitoringCidrs`. HAProxy: stats page at `/stats`
   * behind basic auth. Nginx: `stub_status` at `/stub_status` for nginx-prometheus-exporter.
   */
  statsPort: number;
  /**
   * HAProxy only: Prometheus exporter at `/metrics` (may equal `statsPort`, 8404 in production).
   * Nginx ignores it: its metrics come from nginx-prometheus-exporter, a separate process that reads
   * `stub_status` on `statsPort`.
   */
  metricsPort: number;
}

/** Certificate files as seen by the load-balancer process. */
export interface LbTls {
  /** PEM certificate chain (leaf first), used by Nginx. */
  certificatePath: string;
  /** PEM private key, used by Nginx. */
  keyPath: string;
  /** Chain and key concatenated in one PEM file, used by HAProxy (`crt`). */
  combinedPemPath: string;
}

/** Health checking of the app servers. */
export interface LbHealthCheck {
  /** Path probed on every app server; must answer 200 when healthy (`/actuator/health`). */
  path: string;
  /** Time between two probes (HAProxy `inter`); also sizes Nginx's `fail_timeout`. */
  intervalMs: number;
  /** Consecutive failures before a server is taken out (HAProxy `fall`, Nginx `max_fails`). */
  fall: number;
  /** Consecutive successes before a server is put back (HAProxy `rise`; Nginx has no equivalent). */
  rise: number;
}

/** Proxy timeouts. */
export interface LbTimeouts {
  /** Time allowed to open a TCP connection to an app server. */
  connectMs: number;
  /** Client inactivity allowed (HAProxy `timeout client`, Nginx `client_body/send_timeout`). */
  clientMs: number;
  /** Silence allowed from an app server mid-answer: 300 s in production for streamed model answers. */
  serverMs: number;
  /** Idle time allowed on an upgraded (WebSocket, `/ws/`) connection. */
  tunnelMs: number;
}

/** Credentials of the HAProxy stats page. */
export interface LbStats {
  /** Basic-auth user name (letters, digits, `.`, `_`, `-`). */
  user: string;
  /** Basic-auth password, plain text: the caller keeps the rendered file secret. */
  password: string;
}

/** HAProxy process paths. */
export interface HaproxyRuntime {
  /**
   * Unix socket of the runtime API (drain/return a server during a rollout). Its directory must be
   * one the host's runtime scripts reach (a bind mount in a container).
   */
  adminSocketPath: string;
  /**
   * Server states saved before a reload and loaded by the new worker, so a drained server stays
   * drained. Default: `server-state` next to the admin socket.
   */
  serverStateFile?: string;
}

/** Nginx process paths. */
export interface NginxRuntime {
  /** PID file written by the master process. */
  pidFile: string;
  /** Existing writable directory; Nginx creates its body/proxy temp directories inside it. */
  tempDir: string;
  /** Worker user (`user` directive); omit to keep Nginx's default. */
  user?: string;
}

/** Per-engine paths, so tests can run in a temp directory while production uses container paths. */
export interface LbRuntime {
  /** Paths used only by HAProxy. */
  haproxy: HaproxyRuntime;
  /** Paths used only by Nginx. */
  nginx: NginxRuntime;
}

/** Everything the HAProxy and Nginx renderers need. */
export interface LoadBalancerRenderInput {
  /** Public DNS name (`server_name`, target of the HTTP to HTTPS redirect), e.g. `api.example.com`. */
  serverName: string;
  /** All app servers; at least one. Traffic is spread over every one of them. */
  backends: LbBackend[];
  /** Bind address and ports. */
  listen: LbListen;
  /** Certificate and key files. */
  tls: LbTls;
  /** Sources allowed to reach `/actuator/**` through the LB (production: `["10.0.0.0/8"]`). */
  internalCidrs: string[];
  /** Sources allowed on the stats/metrics port (Prometheus, the Nginx exporter, operators). */
  monitoringCidrs: string[];
  /** Active (HAProxy) and passive (Nginx) failure detection. */
  healthCheck: LbHealthCheck;
  /** Proxy timeouts. */
  timeouts: LbTimeouts;
  /** Extra attempts on another server after a failure that is safe to replay. */
  retries: number;
  /** Connection cap: HAProxy global `maxconn`, Nginx `worker_connections` (per worker). */
  maxConnections: number;
  /** Stats page credentials (HAProxy). */
  stats: LbStats;
  /** Process paths (PID file, temp directories, runtime socket). */
  runtime: LbRuntime;
}

/** The production defaults: everything except what is specific to a stack. */
export type LbTunables = Omit<LoadBalancerRenderInput, "serverName" | "backends" | "tls" | "stats">;
