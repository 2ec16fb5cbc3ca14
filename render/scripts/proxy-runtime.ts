// The proxy's runtime operations on a load-balancer host: take an app server out of rotation and
// wait for its in-flight requests (drain), put it back (return), and apply a new configuration in
// place (activate: validate, then reload without dropping connections). The stack places these
// scripts on every load-balancer host; the graph runs them over SSH in rollout order (see
// components/app-cluster.ts and components/load-balancer-pair.ts). Engine-specific text lives in
// haproxy-runtime.ts and nginx-runtime.ts; this file is the contract both follow.
//
// Contract (every script reads PROXY_ENV_PATH first; exit codes as below):
//   jairouter-proxy-drain <server> <window-seconds>
//     Marks <server> (e.g. app-0) so the proxy sends it no new requests, then waits until its
//     in-flight requests (streams included) have ended or the window has passed (a warning, exit 0).
//     A proxy that is not running, or does not know <server>, has nothing to drain: warning, exit 0.
//   jairouter-proxy-return <server>
//     Puts <server> back into rotation with a clean slate (Nginx: no leftover max_fails state);
//     exit 0 once the proxy serves with it, non-zero if it cannot.
//   jairouter-proxy-activate
//     Validates <config>.next with the proxy's own binary (inside the running proxy, or a throwaway
//     container of the image when none runs yet), moves it into place and reloads the running proxy
//     in place (no connection dropped), then waits until the proxy answers its health URL. Without a
//     <config>.next (a certificate changed, or the proxy was replaced) the live file is validated
//     and reloaded the same way. A config the validator rejects: exit non-zero with the validator's
//     message; the live file and the running proxy stay as they were.
// Test seam: with PROXY_RUNTIME=local in the env file the scripts run the proxy binary directly and
// signal the process in PROXY_PID_FILE instead of going through Docker (end-to-end tests on loopback).

/** Where the scripts and their settings live on a load-balancer host. */
export const PROXY_RUNTIME_PATHS = {
  env: "/etc/jairouter/proxy.env",
  drain: "/usr/local/sbin/jairouter-proxy-drain",
  ret: "/usr/local/sbin/jairouter-proxy-return",
  activate: "/usr/local/sbin/jairouter-proxy-activate",
} as const;

/** Env var that points the scripts at another env file (tests); default PROXY_RUNTIME_PATHS.env. */
export const PROXY_ENV_OVERRIDE = "JAIROUTER_PROXY_ENV";

/** Suffix of the configuration file the stack places; activate moves it over the live one. */
export const NEXT_CONFIG_SUFFIX = ".next";

/** Exit code of a script that could not do its job (the graph stops the rollout on it). */
export const PROXY_RUNTIME_FAILED = 1;

/** Values the scripts read from PROXY_RUNTIME_PATHS.env (KEY='value' lines). */
export interface ProxyRuntimeSettings {
  engine: "haproxy" | "nginx";
  /** `docker` on hosts; `local` in end-to-end tests. */
  runtime: "docker" | "local";
  /** Container name of the proxy (docker runtime). */
  container: string;
  /** Pinned image of the proxy, for validating before any container runs (docker runtime). */
  image: string;
  /** Configuration directory on the host, and where the proxy sees it (bind mount). */
  hostConfigDir: string;
  containerConfigDir: string;
  /** File name of the live configuration in that directory. */
  configFile: string;
  /** Backend (HAProxy) or upstream (Nginx) whose servers are the app hosts. */
  backend: string;
  /** HAProxy's admin socket as the host sees it (bind-mounted out of the container). */
  adminSocket?: string;
  /** HAProxy's server-state file as the proxy sees it: a reload keeps a drain in force. */
  serverStateFile?: string;
  /** URL on the host that answers once the proxy serves (the NLB's health check). */
  healthUrl: string;
  /** Process id file of the proxy (local runtime only). */
  pidFile?: string;
  /** Path of the proxy binary (local runtime only). */
  binary?: string;
}

/** One script or settings file to place on a load-balancer host. */
export interface ProxyRuntimeFile {
  path: string;
  content: string;
  mode: string;
}

/** The env file the scripts read; values are validated, so none needs shell quoting beyond '…'. */
export function renderProxyRuntimeEnv(s: ProxyRuntimeSettings): string {
  const values: Record<string, string | undefined> = {
    ENGINE: s.engine,
    PROXY_RUNTIME: s.runtime,
    PROXY_CONTAINER: s.container,
    PROXY_IMAGE: s.image,
    HOST_CONFIG_DIR: s.hostConfigDir,
    CONTAINER_CONFIG_DIR: s.containerConfigDir,
    CONFIG_FILE: s.configFile,
    BACKEND: s.backend,
    ADMIN_SOCKET: s.adminSocket,
    SERVER_STATE_FILE: s.serverStateFile,
    HEALTH_URL: s.healthUrl,
    PROXY_PID_FILE: s.pidFile,
    PROXY_BINARY: s.binary,
  };
  const lines: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z0-9_./:@=+,-]*$/.test(value))
      throw new Error(`proxy runtime setting ${key}: "${value}" has characters the env file cannot hold`);
    lines.push(`${key}='${value}'`);
  }
  return `${lines.join("\n")}\n`;
}
