// A stand-in for JAiRouter's admin REST API, as much of it as the model sync script uses, with the
// app's own answer shapes (RouterResponse {success, message, data}). It records every call so tests
// can assert what a sync run changed. Listens on loopback only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

export interface StubInstance {
  instanceId: string;
  name: string;
  baseUrl: string;
  path: string;
  weight: number;
  status: string;
  headers: Record<string, string> | null;
}

export interface StubService {
  adapter: string;
  loadBalance: { type: string; hashAlgorithm?: string };
  /** Stands for the settings the stack does not manage; a service update must keep it. */
  rateLimit?: { enabled: boolean; capacity: number };
}

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
}

export interface StubOptions {
  adminPassword: string;
  /** Answer this status to the first matching mutating call (failure injection). */
  failMutation?: { method: string; status: number };
  /** Answer instance-list reads with HTTP 200 and success=false, as the app does on some errors. */
  rejectInstanceList?: boolean;
  /** Store load-balance types the way some app versions do (`round_robin`). */
  underscoreLoadBalance?: boolean;
}

export class StubJairouterAdmin {
  readonly calls: RecordedCall[] = [];
  readonly services = new Map<string, StubService>();
  readonly instances = new Map<string, StubInstance[]>();
  private nextId = 1;
  private readonly token = randomBytes(16).toString("hex");
  private server: Server | undefined;
  url = "";

  constructor(private readonly options: StubOptions) {}

  async start(host = "127.0.0.1"): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://${host}:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Adds an instance directly, as if seeded from YAML or created in the admin console. */
  seed(type: string, instance: Omit<StubInstance, "instanceId">): StubInstance {
    const created = { ...instance, instanceId: String(this.nextId++) };
    this.instances.set(type, [...(this.instances.get(type) ?? []), created]);
    return created;
  }

  mutatingCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.method !== "GET" && c.path !== "/api/auth/jwt/login");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body: unknown = text ? JSON.parse(text) : undefined;
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0]!;
    this.calls.push({ method, path, body });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const ok = (data: unknown, message = "ok") => reply(200, { success: true, message, data });
    const error = (status: number, message: string) => reply(status, { success: false, message });

    if (path === "/actuator/health") return reply(200, { status: "UP" });
    if (method === "POST" && path === "/api/auth/jwt/login") {
      const login = body as { username?: string; password?: string };
      if (login.username === "admin" && login.password === this.options.adminPassword) {
        return ok({ token: this.token, tokenType: "Bearer", expiresIn: 3600 });
      }
      // like the app: a failed login is HTTP 200 with success=false
      return reply(200, { success: false, message: "login failed", errorCode: "LOGIN_FAILED" });
    }
    if (req.headers["jairouter_token"] !== this.token) return error(401, "unauthorized");
    const failure = this.options.failMutation;
    if (failure && method === failure.method) {
      this.options.failMutation = undefined;
      return error(failure.status, "injected failure");
    }

    let m = /^\/api\/config\/type\/services\/([A-Za-z]+)$/.exec(path);
    if (m) return this.serviceRoute(method, m[1]!, body as StubService, ok, error);
    m = /^\/api\/config\/instance\/([A-Za-z]+)(?:\/(\d+))?$/.exec(path);
    if (m) return this.instanceRoute(method, m[1]!, m[2], body as StubInstance, ok, error);
    return error(404, "no such endpoint");
  }

  private storedLoadBalance(type: string): string {
    return this.options.underscoreLoadBalance ? type.replace(/-/g, "_") : type;
  }

  private serviceRoute(
    method: string,
    type: string,
    body: StubService,
    ok: (data: unknown, message?: string) => void,
    error: (status: number, message: string) => void,
  ): void {
    const existing = this.services.get(type);
    if (method === "GET")
      return existing
        ? ok({ ...existing, instances: this.instances.get(type) ?? [] })
        : error(404, "no service");
    if (method === "POST" || method === "PUT") {
      if (method === "PUT" && !existing) return error(404, "no service");
      this.services.set(type, {
        ...body,
        loadBalance: { ...body.loadBalance, type: this.storedLoadBalance(body.loadBalance.type) },
      });
      return ok(null, "saved");
    }
    return error(405, "method not allowed");
  }

  private instanceRoute(
    method: string,
    type: string,
    id: string | undefined,
    body: StubInstance,
    ok: (data: unknown, message?: string) => void,
    error: (status: number, message: string) => void,
  ): void {
    const list = this.instances.get(type) ?? [];
    if (method === "GET" && id === undefined) {
      return this.options.rejectInstanceList ? error(200, "query failed") : ok(list);
    }
    if (method === "POST" && id === undefined) {
      // the app (3.x) creates the parent service on the first instance; the stub does too
      if (!this.services.has(type))
        this.services.set(type, { adapter: "normal", loadBalance: { type: "round_robin" } });
      const { name, baseUrl, path, weight, status, headers } = body;
      return ok(this.seed(type, { name, baseUrl, path, weight, status, headers }));
    }
    const index = list.findIndex((i) => i.instanceId === id);
    if (index === -1) return error(404, "no instance");
    if (method === "PUT") {
      const { name, baseUrl, path, weight, status, headers } = body;
      list[index] = { instanceId: id!, name, baseUrl, path, weight, status, headers };
      return ok(list[index]);
    }
    if (method === "DELETE") {
      list.splice(index, 1);
      return ok(null, "deleted");
    }
    return error(405, "method not allowed");
  }
}
