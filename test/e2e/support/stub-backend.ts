// A stand-in for one JAiRouter instance: the parts of its HTTP surface the load balancer touches.
import { createHash } from "node:crypto";
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Options of a stub backend. */
export interface StubOptions {
  /** Name reported in every answer (`backend` field), e.g. `app1`. */
  name: string;
  /** Loopback address to listen on, e.g. `127.0.0.21`. */
  host: string;
  port: number;
  /** SSE chunks sent by a streamed chat completion (before `[DONE]`). */
  sseChunks?: number;
  /** Pause before each SSE chunk, in milliseconds. */
  sseIntervalMs?: number;
  /** API key `GET /v1/models` wants in `X-API-Key` (401 otherwise); unset: no model list (404). */
  apiKey?: string;
}

/** Body of `/echo`: what the backend received. */
export interface EchoAnswer {
  backend: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string | undefined;
}

/** One SSE `data:` event of a streamed chat completion. */
export interface SseChunk {
  backend: string;
  index: number;
  /** Date.now() on the backend when the chunk was written. */
  sentAt: number;
}

const CHAT_PATHS = new Set(["/v1/chat/completions", "/api/v1/chat/completions"]);
const MODELS_PATHS = new Set(["/v1/models", "/api/v1/models"]);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Mimics JAiRouter on one port: `GET /actuator/health` (200 UP), `/actuator/env` (200; the real
 * app wants ADMIN), streamed `POST /v1/chat/completions` and `/api/v1/chat/completions` (SSE when
 * `stream: true`), `/echo` (what arrived and which backend answered), `/drop` (closes the
 * connection without answering, counted) and WebSocket upgrades under `/ws/` (raw echo).
 */
export class StubBackend {
  /** Requests seen, keyed `METHOD path` (query removed). */
  readonly hits = new Map<string, number>();
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Requests being answered (a stream until its last chunk), health checks included. */
  private active = 0;
  /** Spring Boot's readiness: OUT_OF_SERVICE from the start of a graceful shutdown. */
  private readiness: "UP" | "OUT_OF_SERVICE" = "UP";

  constructor(readonly options: StubOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Requests seen for `METHOD path`. */
  count(method: string, path: string): number {
    return this.hits.get(`${method} ${path}`) ?? 0;
  }

  /** Requests being answered now. */
  get inFlight(): number {
    return this.active;
  }

  /** Starts listening; resolves once bound. */
  async start(): Promise<void> {
    this.readiness = "UP";
    const server = http.createServer((req, res) => void this.handle(req, res));
    // longer than the proxies' upstream keep-alive: the proxy, not the app, closes idle connections
    server.keepAliveTimeout = 65_000;
    server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    server.on("upgrade", (req: IncomingMessage, socket: Socket) => this.upgrade(req, socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
  }

  /** Stops like a crashed process: listener closed, every open connection cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Stops like Spring Boot on SIGTERM (graceful shutdown): health and every new request answer 503
   * OUT_OF_SERVICE at once, requests in flight (streams included) run to their end, then the
   * listener closes. Whatever is still running after `graceMs` is cut, as Spring does after its
   * shutdown phase. Resolves with the number of requests cut.
   */
  async stopGracefully(graceMs: number): Promise<number> {
    this.readiness = "OUT_OF_SERVICE";
    const deadline = Date.now() + graceMs;
    // the in-flight count includes health probes being answered: wait for zero
    while (this.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const cut = this.active;
    await this.stop();
    return cut;
  }

  private record(req: IncomingMessage): string {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const key = `${req.method ?? "GET"} ${path}`;
    this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
    return path;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.active++;
    res.once("close", () => this.active--);
    const path = this.record(req);
    const body = await readBody(req);
    if (this.readiness === "OUT_OF_SERVICE") {
      res.setHeader("connection", "close");
      return sendJson(res, 503, { status: "OUT_OF_SERVICE" });
    }
    if (path === "/actuator/health") return sendJson(res, 200, { status: "UP" });
    if (path === "/actuator/env") return sendJson(res, 200, { backend: this.name, propertySources: [] });
    if (path === "/drop") return void req.socket.destroy();
    if (path === "/echo") {
      const echo: EchoAnswer = {
        backend: this.name,
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
      };
      return sendJson(res, 200, echo);
    }
    if (CHAT_PATHS.has(path) && req.method === "POST") return this.chat(body, res);
    if (MODELS_PATHS.has(path) && this.options.apiKey !== undefined) return this.models(req, res);
    sendJson(res, 404, { error: "not found", path });
  }

  /** The OpenAI-style model list, for a request carrying the API key. */
  private models(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers["x-api-key"] !== this.options.apiKey)
      return sendJson(res, 401, { error: "invalid or missing API key" });
    sendJson(res, 200, { object: "list", data: [{ id: "stub-chat", object: "model", owned_by: this.name }] });
  }

  private chat(body: string, res: ServerResponse): void {
    const stream = (JSON.parse(body || "{}") as { stream?: boolean }).stream === true;
    if (!stream) {
      return sendJson(res, 200, { backend: this.name, choices: [{ message: { content: "hello" } }] });
    }
    const chunks = this.options.sseChunks ?? 5;
    const interval = this.options.sseIntervalMs ?? 300;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    let index = 0;
    const next = (): void => {
      if (index === chunks) {
        res.end("data: [DONE]\n\n");
        return;
      }
      const chunk: SseChunk = { backend: this.name, index: index++, sentAt: Date.now() };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      this.later(next, interval);
    };
    this.later(next, interval);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Answers a WebSocket handshake with 101, then echoes raw bytes (no framing needed to test). */
  private upgrade(req: IncomingMessage, socket: Socket): void {
    const path = this.record(req);
    if (!path.startsWith("/ws/")) return void socket.destroy();
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    const key = String(req.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\nX-Backend: ${this.name}\r\n\r\n`,
    );
    socket.on("data", (d: Buffer) => socket.write(d));
  }
}

/** Starts one stub per port on `host`, named app1, app2, ... */
export async function startStubBackends(
  host: string,
  ports: number[],
  extra: Partial<StubOptions> = {},
): Promise<StubBackend[]> {
  const stubs = ports.map((port, i) => new StubBackend({ ...extra, name: `app${i + 1}`, host, port }));
  await Promise.all(stubs.map((s) => s.start()));
  return stubs;
}
