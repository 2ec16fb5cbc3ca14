// haproxy.cfg for the JAiRouter load balancer (HAProxy 2.6+). Pure: plain input in, file text out.
import {
  ACTUATOR_PATH_REGEX,
  ALPN_PROTOCOLS,
  CLIENT_KEEPALIVE_MS,
  DROPPED_CLIENT_HEADERS,
  FORWARDED_FOR_HEADER,
  FORWARDED_PROTO_HEADER,
  HAPROXY_METRICS_PATH,
  HAPROXY_STATS_PATH,
  LB_HEALTH_PATH,
  REAL_IP_HEADER,
  REQUEST_HEADER_TIMEOUT_MS,
  SECURITY_HEADERS,
  TLS12_CIPHERS,
  TLS13_CIPHERSUITES,
  assertValidLbInput,
  formatDuration,
  haproxyServerStateFile,
  httpsOrigin,
} from "./lb-common";
import type { LoadBalancerRenderInput } from "./lb-types";

/** Backend for GET/HEAD/OPTIONS: safe to replay, so also retried when a server dies mid-request. */
export const HAPROXY_IDEMPOTENT_BACKEND = "be_jairouter";
/** Backend for every other method: replayed only when the request never reached a server. */
export const HAPROXY_NON_IDEMPOTENT_BACKEND = "be_jairouter_once";

const indent = (lines: string[]): string[] => lines.map((l) => `    ${l}`);

function section(header: string, lines: string[]): string {
  return [header, ...indent(lines)].join("\n");
}

/** `acl <name> src ...`, or nothing when the list is empty (the ACL then never matches). */
function srcAcl(name: string, cidrs: string[]): string[] {
  return cidrs.length > 0 ? [`acl ${name} src ${cidrs.join(" ")}`] : [];
}

/** `!name` for an ACL built by srcAcl, or an always-true condition when it has no entries. */
function notFrom(name: string, cidrs: string[]): string {
  return cidrs.length > 0 ? `!${name}` : "TRUE";
}

const healthReturn = `http-request return status 200 content-type text/plain string "OK" if { path ${LB_HEALTH_PATH} }`;

function globalSection(input: LoadBalancerRenderInput): string {
  return section("global", [
    // stdout: the container runtime collects the logs (no syslog daemon inside the container)
    "log stdout format raw local0",
    // a master process that reloads in place on SIGUSR2: new workers take over the listening
    // sockets, old ones finish their connections (streams included) and then exit
    "master-worker",
    `maxconn ${input.maxConnections}`,
    // the runtime API used by the host's drain, return and activate scripts
    `stats socket ${input.runtime.haproxy.adminSocketPath} mode 600 level admin`,
    "stats timeout 30s",
    // written by the activate script just before a reload, read by the new worker: a drain survives
    `server-state-file ${haproxyServerStateFile(input.runtime.haproxy)}`,
    `ssl-default-bind-ciphers ${TLS12_CIPHERS.join(":")}`,
    `ssl-default-bind-ciphersuites ${TLS13_CIPHERSUITES.join(":")}`,
    "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
  ]);
}

function defaultsSection(input: LoadBalancerRenderInput): string {
  const t = input.timeouts;
  return section("defaults", [
    "mode http",
    "log global",
    "option httplog",
    "option dontlognull",
    "load-server-state-from-file global",
    `maxconn ${input.maxConnections}`,
    `timeout connect ${formatDuration(t.connectMs)}`,
    `timeout client ${formatDuration(t.clientMs)}`,
    // silence allowed mid-answer: a streamed model answer may pause long between chunks
    `timeout server ${formatDuration(t.serverMs)}`,
    // upgraded (WebSocket) connections
    `timeout tunnel ${formatDuration(t.tunnelMs)}`,
    `timeout http-request ${formatDuration(REQUEST_HEADER_TIMEOUT_MS)}`,
    `timeout http-keep-alive ${formatDuration(CLIENT_KEEPALIVE_MS)}`,
    // no "compression" anywhere: text/event-stream must leave as it arrives
  ]);
}

function httpFrontend(input: LoadBalancerRenderInput): string {
  const { address, httpPort } = input.listen;
  return section("frontend fe_http", [
    `bind ${address}:${httpPort}`,
    healthReturn,
    // to the public name, not the client's Host header (no open redirect); path and query kept
    `http-request redirect prefix ${httpsOrigin(input)} code 301`,
  ]);
}

function httpsFrontend(input: LoadBalancerRenderInput): string {
  const { address, httpsPort } = input.listen;
  return section("frontend fe_https", [
    `bind ${address}:${httpsPort} ssl crt ${input.tls.combinedPemPath} alpn ${ALPN_PROTOCOLS.join(",")}`,
    healthReturn,
    ...srcAcl("from_internal", input.internalCidrs),
    `acl is_actuator path,url_dec,lower -m reg ${ACTUATOR_PATH_REGEX}`,
    `http-request deny deny_status 403 if is_actuator ${notFrom("from_internal", input.internalCidrs)}`,
    // the app logs and rate-limits by these: never trust what the client sent
    ...[FORWARDED_FOR_HEADER, REAL_IP_HEADER, FORWARDED_PROTO_HEADER, ...DROPPED_CLIENT_HEADERS].map(
      (h) => `http-request del-header ${h}`,
    ),
    `http-request set-header ${FORWARDED_FOR_HEADER} %[src]`,
    `http-request set-header ${REAL_IP_HEADER} %[src]`,
    `http-request set-header ${FORWARDED_PROTO_HEADER} https`,
    // after-response also covers answers HAProxy makes itself (403, /health, errors)
    ...SECURITY_HEADERS.map(([name, value]) => `http-after-response set-header ${name} "${value}"`),
    // METH_GET also matches HEAD
    `use_backend ${HAPROXY_IDEMPOTENT_BACKEND} if METH_GET || METH_OPTIONS`,
    `default_backend ${HAPROXY_NON_IDEMPOTENT_BACKEND}`,
  ]);
}

function serverLine(name: string, address: string, port: number, extra: string): string {
  return `server ${name} ${address}:${port} ${extra}`;
}

/**
 * Two backends over the same servers. Retrying on "empty-response" replays a request the server
 * may already have acted on, which is only acceptable for idempotent methods; "response-timeout"
 * is left out everywhere: a 300 s model call that timed out would be run again on a fresh server
 * (the HAProxy manual warns it amplifies load). Non-idempotent requests are retried on
 * "conn-failure" only: the request could not be sent, so nothing ran.
 */
function backends(input: LoadBalancerRenderInput): string {
  const hc = input.healthCheck;
  const retry = [`retries ${input.retries}`, "option redispatch 1"];
  const idempotent = section(`backend ${HAPROXY_IDEMPOTENT_BACKEND}`, [
    "balance roundrobin",
    `option httpchk GET ${hc.path}`,
    "http-check expect status 200",
    `default-server inter ${formatDuration(hc.intervalMs)} fall ${hc.fall} rise ${hc.rise}`,
    ...retry,
    "retry-on conn-failure empty-response",
    ...input.backends.map((b) => serverLine(b.name, b.address, b.port, "check")),
  ]);
  const once = section(`backend ${HAPROXY_NON_IDEMPOTENT_BACKEND}`, [
    "balance roundrobin",
    ...retry,
    "retry-on conn-failure",
    // "track": one health check per server, state shared with the idempotent backend
    ...input.backends.map((b) =>
      serverLine(b.name, b.address, b.port, `track ${HAPROXY_IDEMPOTENT_BACKEND}/${b.name}`),
    ),
  ]);
  return `${idempotent}\n\n${once}`;
}

/** Stats page and/or Prometheus exporter: one frontend per distinct internal port. */
function internalFrontends(input: LoadBalancerRenderInput): string[] {
  const { address, statsPort, metricsPort } = input.listen;
  const ports = [...new Set([statsPort, metricsPort])];
  return ports.map((port) => {
    const lines = [
      `bind ${address}:${port}`,
      // scrapes and dashboards would flood the access log
      "http-request set-log-level silent",
      ...srcAcl("from_monitoring", input.monitoringCidrs),
      `http-request deny deny_status 403 if ${notFrom("from_monitoring", input.monitoringCidrs)}`,
    ];
    if (port === metricsPort) {
      lines.push(`http-request use-service prometheus-exporter if { path ${HAPROXY_METRICS_PATH} }`);
    }
    if (port === statsPort) {
      const { user, password } = input.stats;
      lines.push(
        "stats enable",
        `stats uri ${HAPROXY_STATS_PATH}`,
        "stats refresh 10s",
        "stats hide-version",
        "stats realm HAProxy",
        // single quotes: HAProxy expands nothing inside them; the password has no quote (checked)
        `stats auth '${user}:${password}'`,
      );
    }
    return section(`frontend fe_internal_${port}`, lines);
  });
}

/**
 * Renders haproxy.cfg. Throws (listing every bad field) when the input is invalid, for example
 * without any backend. Run the result with `haproxy -W -db -f haproxy.cfg` (foreground, as in a
 * container); logs go to stdout.
 */
export function renderHaproxyConfig(input: LoadBalancerRenderInput): string {
  assertValidLbInput(input);
  const parts = [
    "# Generated by render/haproxy.ts: do not edit by hand.",
    globalSection(input),
    defaultsSection(input),
    httpFrontend(input),
    httpsFrontend(input),
    backends(input),
    ...internalFrontends(input),
  ];
  return `${parts.join("\n\n")}\n`;
}
