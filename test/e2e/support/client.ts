// Small HTTP(S)/TLS clients for the end-to-end tests: no keep-alive, bounded by a timeout.
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import tls from "node:tls";

/** TLS trust and identity for requests to the load balancer. */
export interface TlsTrust {
  /** PEM of the test certificate, trusted as CA. */
  ca: string;
  /** Name the certificate was issued for (SNI and verification). */
  servername: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  tls?: TlsTrust;
  /** Source address of the client socket, e.g. `127.0.0.5`. */
  localAddress?: string;
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function clientOptions(url: URL, opts: RequestOptions): https.RequestOptions {
  return {
    method: opts.method ?? "GET",
    headers: opts.headers,
    agent: false,
    localAddress: opts.localAddress,
    ca: opts.tls?.ca,
    servername: opts.tls?.servername,
    host: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
  };
}

/** Sends one request (new connection) and reads the whole answer. Rejects on network errors. */
export function request(target: string, opts: RequestOptions = {}): Promise<HttpResult> {
  const url = new URL(target);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(clientOptions(url, opts), (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${target}`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** One SSE event with the client's arrival time. */
export interface TimedEvent {
  data: string;
  receivedAt: number;
}

/** Streams an answer and timestamps every SSE `data:` line as it arrives. */
export function requestEvents(
  target: string,
  opts: RequestOptions = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; events: TimedEvent[] }> {
  const url = new URL(target);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(clientOptions(url, opts), (res) => {
      const events: TimedEvent[] = [];
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        const receivedAt = Date.now();
        pending += text;
        const blocks = pending.split("\n\n");
        pending = blocks.pop() ?? "";
        for (const b of blocks) {
          if (b.startsWith("data: ")) events.push({ data: b.slice("data: ".length), receivedAt });
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, events }));
      res.on("error", reject);
    });
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout: ${target}`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Result of a TLS handshake attempt. */
export type HandshakeResult =
  | { ok: true; protocol: string | null; cipher: string; alpn: string | false | null }
  | { ok: false; code: string; message: string };

/** Opens a TLS connection with the given client settings, reports what was negotiated, closes. */
export function tlsHandshake(
  host: string,
  port: number,
  options: tls.ConnectionOptions,
  timeoutMs = 5_000,
): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ...options });
    const timer = setTimeout(() => socket.destroy(new Error("handshake timeout")), timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      resolve({
        ok: true,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        alpn: socket.alpnProtocol,
      });
      socket.end();
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: err.code ?? "", message: err.message });
    });
  });
}

/**
 * Performs a WebSocket handshake over HTTPS (HTTP/1.1), sends `payload` on the upgraded socket and
 * resolves with the status, the answering backend and what came back.
 */
export function websocketEcho(
  target: string,
  payload: string,
  trust: TlsTrust,
  timeoutMs = 5_000,
): Promise<{ status: number; backend: string; echoed: string }> {
  const url = new URL(target);
  const headers = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  return new Promise((resolve, reject) => {
    const req = https.request(clientOptions(url, { headers, tls: trust }));
    const timer = setTimeout(() => req.destroy(new Error("websocket timeout")), timeoutMs);
    req.on("upgrade", (res: http.IncomingMessage, socket: Socket) => {
      socket.once("data", (d: Buffer) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({
          status: res.statusCode ?? 0,
          backend: String(res.headers["x-backend"]),
          echoed: d.toString(),
        });
      });
      socket.write(payload);
    });
    req.on("response", (res) => {
      clearTimeout(timer);
      res.resume();
      resolve({ status: res.statusCode ?? 0, backend: "", echoed: "" });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** GET over HTTP/2 (ALPN h2), one session per call. */
export function http2Get(
  origin: string,
  path: string,
  trust: TlsTrust,
  timeoutMs = 5_000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca: trust.ca, servername: trust.servername });
    const timer = setTimeout(() => session.destroy(new Error("http2 timeout")), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    };
    session.on("error", fail);
    const req = session.request({ ":method": "GET", ":path": path });
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const parts: Buffer[] = [];
    req.on("response", (h) => {
      status = Number(h[":status"]);
      headers = h;
    });
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      clearTimeout(timer);
      session.close();
      resolve({ status, headers, body: Buffer.concat(parts).toString("utf8") });
    });
    req.on("error", fail);
    req.end();
  });
}
