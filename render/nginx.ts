// nginx.conf for the JAiRouter load balancer (open-source Nginx 1.22+). Pure: plain input in,
// file text out. A complete main configuration (no include of distribution files).
//
// Failure detection: open-source Nginx has no active health check. Failures are detected
// passively on live traffic: after `max_fails` (= healthCheck.fall) errors within `fail_timeout`
// (= intervalMs x fall, rounded up to whole seconds) a server is skipped for `fail_timeout`,
// then tried again with real requests. A request hitting a dead server is passed to the next one
// (`proxy_next_upstream`) only when that is safe: Nginx never re-sends POST/PATCH/LOCK once it
// reached a server. See docs/benchmarks.md for both engines side by side.
//
// Runtime edits: every server line of the upstream ends with `# <backend name>` and the renderer
// never writes `down`, so render/scripts/nginx-runtime.ts can drain a server by marking that one
// line `down` and reloading (open-source Nginx has no runtime API).
import {
  ACTUATOR_PATH_REGEX,
  ALPN_PROTOCOLS,
  CLIENT_KEEPALIVE_MS,
  DROPPED_CLIENT_HEADERS,
  FORWARDED_FOR_HEADER,
  FORWARDED_PROTO_HEADER,
  LB_HEALTH_PATH,
  MAX_REQUEST_BODY,
  NGINX_STUB_STATUS_PATH,
  REAL_IP_HEADER,
  REQUEST_HEADER_TIMEOUT_MS,
  SECURITY_HEADERS,
  TLS12_CIPHERS,
  TLS13_CIPHERSUITES,
  UPSTREAM_KEEPALIVE_CONNECTIONS,
  WEBSOCKET_PREFIX,
  assertValidLbInput,
  formatDuration,
  httpsOrigin,
} from "./lb-common";
import type { LoadBalancerRenderInput } from "./lb-types";

/** Name of the upstream whose servers are the app hosts (BACKEND in the proxy runtime env file). */
export const NGINX_UPSTREAM = "jairouter";
const UPSTREAM = NGINX_UPSTREAM;

/** Trailing comment that identifies a backend's server line in the upstream (`# app-0`). */
export function nginxServerMarker(backendName: string): string {
  return `# ${backendName}`;
}

/** Renders a block; `body` lines may themselves be rendered blocks (multi-line strings). */
function block(header: string, body: string[]): string {
  const inner = body.flatMap((line) => line.split("\n")).map((l) => (l === "" ? "" : `    ${l}`));
  return [`${header} {`, ...inner, "}"].join("\n");
}

const healthLocation = block(`location = ${LB_HEALTH_PATH}`, [
  "access_log off;",
  "default_type text/plain;",
  'return 200 "OK\\n";',
]);

/** `allow` lines then `deny all;` (nothing allowed when the list is empty). */
function allowOnly(cidrs: string[]): string[] {
  return [...cidrs.map((c) => `allow ${c};`), "deny all;"];
}

function mainContext(input: LoadBalancerRenderInput): string[] {
  const nginx = input.runtime.nginx;
  return [
    ...(nginx.user ? [`user ${nginx.user};`] : []),
    "worker_processes auto;",
    // two descriptors per proxied connection, plus listeners and logs
    `worker_rlimit_nofile ${input.maxConnections * 2 + 1024};`,
    `pid ${nginx.pidFile};`,
    // warn: also records "upstream server temporarily disabled" (passive failure detection)
    "error_log stderr warn;",
    "",
    block("events", [`worker_connections ${input.maxConnections};`]),
  ];
}

function httpSettings(input: LoadBalancerRenderInput): string[] {
  const temp = input.runtime.nginx.tempDir;
  const t = input.timeouts;
  return [
    "default_type application/octet-stream;",
    "server_tokens off;",
    "log_format jairouter '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent '",
    "    '\"$http_user_agent\" rt=$request_time upstream=$upstream_addr '",
    "    'upstream_status=$upstream_status urt=$upstream_response_time';",
    "access_log /dev/stdout jairouter;",
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((k) => `${k}_temp_path ${temp}/${k};`),
    `client_header_timeout ${formatDuration(REQUEST_HEADER_TIMEOUT_MS)};`,
    `client_body_timeout ${formatDuration(t.clientMs)};`,
    `send_timeout ${formatDuration(t.clientMs)};`,
    `keepalive_timeout ${formatDuration(CLIENT_KEEPALIVE_MS)};`,
    `client_max_body_size ${MAX_REQUEST_BODY};`,
    // JAiRouter's JWT header is `Jairouter_Token`: Nginx drops underscore headers by default
    "underscores_in_headers on;",
    // never compress: text/event-stream must leave as it arrives
    "gzip off;",
    "",
    // "upgrade" for WebSocket handshakes, else no Connection header so upstream keep-alive works
    block("map $http_upgrade $connection_upgrade", ["default upgrade;", "'' '';"]),
  ];
}

function upstream(input: LoadBalancerRenderInput): string {
  const hc = input.healthCheck;
  // fail_timeout takes whole seconds only
  const failTimeout = `${Math.ceil((hc.intervalMs * hc.fall) / 1000)}s`;
  return block(`upstream ${UPSTREAM}`, [
    "least_conn;",
    ...input.backends.map(
      (b) =>
        `server ${b.address}:${b.port} max_fails=${hc.fall} fail_timeout=${failTimeout}; ${nginxServerMarker(b.name)}`,
    ),
    `keepalive ${UPSTREAM_KEEPALIVE_CONNECTIONS};`,
    `keepalive_timeout ${formatDuration(CLIENT_KEEPALIVE_MS)};`,
  ]);
}

function httpServer(input: LoadBalancerRenderInput): string {
  const { address, httpPort } = input.listen;
  return block("server", [
    `listen ${address}:${httpPort} default_server;`,
    `server_name ${input.serverName};`,
    healthLocation,
    // to the public name, not the client's Host header (no open redirect); path and query kept
    block("location /", [`return 301 ${httpsOrigin(input)}$request_uri;`]),
  ]);
}

function tlsSettings(input: LoadBalancerRenderInput): string[] {
  return [
    `ssl_certificate ${input.tls.certificatePath};`,
    `ssl_certificate_key ${input.tls.keyPath};`,
    "ssl_protocols TLSv1.2 TLSv1.3;",
    `ssl_ciphers ${TLS12_CIPHERS.join(":")};`,
    `ssl_conf_command Ciphersuites ${TLS13_CIPHERSUITES.join(":")};`,
    "ssl_prefer_server_ciphers off;",
    "ssl_session_cache shared:SSL:10m;",
    "ssl_session_timeout 1d;",
    "ssl_session_tickets off;",
  ];
}

/** Proxy settings for every location: headers, timeouts, streaming and safe retries. */
function proxySettings(input: LoadBalancerRenderInput): string[] {
  const t = input.timeouts;
  return [
    "proxy_http_version 1.1;",
    // the app logs and rate-limits by these: set, never appended to what the client sent
    "proxy_set_header Host $host;",
    `proxy_set_header ${REAL_IP_HEADER} $remote_addr;`,
    `proxy_set_header ${FORWARDED_FOR_HEADER} $remote_addr;`,
    `proxy_set_header ${FORWARDED_PROTO_HEADER} https;`,
    ...DROPPED_CLIENT_HEADERS.map((h) => `proxy_set_header ${h} "";`),
    "proxy_set_header Upgrade $http_upgrade;",
    "proxy_set_header Connection $connection_upgrade;",
    `proxy_connect_timeout ${formatDuration(t.connectMs)};`,
    `proxy_send_timeout ${formatDuration(t.serverMs)};`,
    // silence allowed mid-answer: a streamed model answer may pause long between chunks
    `proxy_read_timeout ${formatDuration(t.serverMs)};`,
    // stream answers (SSE chat completions) as they come; an app may still opt in to buffering
    // per response with `X-Accel-Buffering: yes`
    "proxy_buffering off;",
    // error/timeout: the next server gets the request; never POST/PATCH/LOCK once sent (no
    // "non_idempotent"), and never after a long read timeout (bounded by next_upstream_timeout)
    "proxy_next_upstream error timeout;",
    `proxy_next_upstream_tries ${input.retries + 1};`,
    `proxy_next_upstream_timeout ${formatDuration(t.connectMs * (input.retries + 1))};`,
  ];
}

function httpsServer(input: LoadBalancerRenderInput): string {
  const { address, httpsPort } = input.listen;
  const pass = `proxy_pass http://${UPSTREAM};`;
  const tunnel = formatDuration(input.timeouts.tunnelMs);
  return block("server", [
    // Nginx 1.22 offers h2 through ALPN with `http2` on the listener
    `listen ${address}:${httpsPort} ssl http2 default_server; # ALPN ${ALPN_PROTOCOLS.join(",")}`,
    `server_name ${input.serverName};`,
    ...tlsSettings(input),
    // `always`: also on the LB's own answers (403, /health, 502)
    ...SECURITY_HEADERS.map(([name, value]) => `add_header ${name} "${value}" always;`),
    ...proxySettings(input),
    "",
    healthLocation,
    // regex location: checked before the prefix ones, on the decoded, slash-merged URI
    block(`location ~* "${ACTUATOR_PATH_REGEX}"`, [...allowOnly(input.internalCidrs), pass]),
    block(`location ${WEBSOCKET_PREFIX}`, [
      `proxy_read_timeout ${tunnel};`,
      `proxy_send_timeout ${tunnel};`,
      pass,
    ]),
    block("location /", [pass]),
  ]);
}

function statusServer(input: LoadBalancerRenderInput): string {
  const { address, statsPort } = input.listen;
  return block("server", [
    `listen ${address}:${statsPort};`,
    "access_log off;",
    ...allowOnly(input.monitoringCidrs),
    block(`location = ${NGINX_STUB_STATUS_PATH}`, ["stub_status;"]),
    block("location /", ["return 404;"]),
  ]);
}

/**
 * Renders a complete nginx.conf (one file; nothing else is needed besides the certificate files).
 * Throws (listing every bad field) when the input is invalid, for example without any backend.
 * Run with `nginx -c nginx.conf -g 'daemon off;'`; access log to stdout, errors to stderr.
 */
export function renderNginxConfig(input: LoadBalancerRenderInput): string {
  assertValidLbInput(input);
  const http = block("http", [
    ...httpSettings(input),
    "",
    upstream(input),
    "",
    httpServer(input),
    "",
    httpsServer(input),
    "",
    statusServer(input),
  ]);
  return ["# Generated by render/nginx.ts: do not edit by hand.", ...mainContext(input), "", http, ""].join(
    "\n",
  );
}
