/**
 * The real drift probes (host and admin API scripts, byte for byte what goes over SSH) against
 * loopback hosts built from a recorded state export: a temp dir as each host's root, a docker stub
 * answering inspect, JAiRouter's admin API stubbed on 127.0.0.1. Hand-made drift (an edited file,
 * a changed container env, a replica's routing edited through its admin API) must each be reported
 * by name with the key and both values, secrets as hashes only; an unreachable host is reported.
 * On a loopback proxy host, the same probe reads a real certificate's expiry and HAProxy's server
 * states from a stand-in admin socket.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_METRICS, backupMetricsFile } from "../../render/backup";
import { NODE_EXPORTER_TEXTFILE_DIR } from "../../render/host-types";
import { expectedHosts, type ExpectedHost } from "../../scripts/lib/drift/expected";
import { secretHash, sha256Hex } from "../../scripts/lib/drift/mask";
import { exitCode, renderMarkdown } from "../../scripts/lib/drift/report";
import { fromStackExport } from "../../scripts/lib/drift/resources";
import { parseHostProbe, renderHostProbe } from "../../scripts/lib/drift/host-probe";
import { runDrift } from "../../scripts/lib/drift/run";
import { runProcess } from "../../scripts/lib/drift/transport";
import { certificateCheck, proxyTargetsCheck } from "../../scripts/lib/drift/validation";
import { EXIT, type DriftReport } from "../../scripts/lib/drift/types";
import { toolsAvailable } from "../support/tools";
import { StubJairouterAdmin } from "../render/support/stub-jairouter-admin";
import { LoopbackHost, loopbackTransport } from "./support/drift-host";
import { generateTestCert } from "./support/certs";

const FIXTURE = join(__dirname, "..", "fixtures", "drift", "state-export.json");
const APP_YML = "/data/jairouter/config/application.yml";
const HAND_SECRET = "hand-set-jwt-secret-0123456789abcdef";

describe.skipIf(!toolsAvailable("bash", "jq", "curl", "sha256sum", "stat"))(
  "drift probe on loopback hosts",
  () => {
    let dir = "";
    const admins: StubJairouterAdmin[] = [];
    let report: DriftReport;
    let secrets: ReadonlySet<string>;
    let hosts: ExpectedHost[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "drift-e2e-"));
      const set = fromStackExport(JSON.parse(readFileSync(FIXTURE, "utf8")));
      secrets = set.secrets;
      hosts = expectedHosts(set, sha256Hex);
      // the test runs unprivileged: the placed files belong to it, not to the service users
      const me = `${process.getuid!()}:${process.getgid!()}`;
      for (const h of hosts) for (const f of h.files) f.owner = me;
      const loopbacks = new Map<string, LoopbackHost>();
      for (const host of hosts) {
        const admin = new StubJairouterAdmin({ adminPassword: host.app!.adminPassword });
        await admin.start("127.0.0.1");
        admins.push(admin);
        seedDeclaredRouting(admin, host.app!.routing);
        host.app!.url = admin.url;
        const loopback = new LoopbackHost(join(dir, host.name), host);
        loopbacks.set(host.name, loopback);
      }
      const app0 = loopbacks.get("jr-prod-app-0")!;

      // drift made by hand: an edited file, a changed env, a replica edited through its admin API
      appendFileSync(app0.path(APP_YML), "logging.level.root: DEBUG\n");
      const app0Container = hosts[0]!.containers.find((c) => c.name === "jairouter")!;
      app0.setContainer(app0Container, (env) => {
        env.JAVA_OPTS = "-Xmx512m";
        env.JWT_SECRET = HAND_SECRET;
        env.DEBUG = "true";
      });
      const chat = admins[1]!.instances
        .get("chat")!
        .find((i) => i.baseUrl === "http://gpustack-1.models.internal:80")!;
      chat.weight = 5;
      admins[1]!.seed("embedding", {
        name: "bge-m3",
        baseUrl: "http://10.9.9.9:9997",
        path: "/v1/embeddings",
        weight: 1,
        status: "active",
        headers: null,
      });
      // app-0's config backup ran an hour ago, its data backup never did
      const gauges = join(app0.root, NODE_EXPORTER_TEXTFILE_DIR);
      mkdirSync(gauges, { recursive: true });
      const hourAgo = Math.floor(Date.now() / 1000) - 3600;
      writeFileSync(
        join(gauges, backupMetricsFile("config")),
        `${BACKUP_METRICS.lastSuccess}{mode="config"} ${hourAgo}\n`,
      );

      // a host the state knows but nothing answers for
      const unreachable: ExpectedHost = { ...hosts[1]!, name: "jr-prod-app-2", app: undefined };
      report = await runDrift({
        stack: "prod",
        expectedFrom: "state",
        hosts: [...hosts, unreachable],
        secrets,
        preview: { steps: [] },
        nlbTargets: {},
        transport: loopbackTransport(loopbacks),
        now: new Date(),
      });
    }, 30_000);

    afterAll(async () => {
      for (const admin of admins) await admin.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const find = (subject: string, key: string) =>
      report.findings.find((f) => f.subject === subject && f.key === key);

    it("reports the hand-edited file by host and path with both hashes", () => {
      const file = hosts[0]!.files.find((f) => f.path === APP_YML)!;
      const edited = readFileSync(join(dir, "jr-prod-app-0", "root", APP_YML));
      expect(find(`jr-prod-app-0:${APP_YML}`, "content")).toEqual({
        section: "host",
        subject: `jr-prod-app-0:${APP_YML}`,
        key: "content",
        expected: `sha256:${file.sha256}`,
        actual: `sha256:${sha256Hex(edited)}`,
        note: "file edited on the host",
      });
      // the same file on the other host is untouched
      expect(find(`jr-prod-app-1:${APP_YML}`, "content")).toBeUndefined();
    });

    it("reports the changed container env by key: plain values in clear, secrets as hashes", () => {
      const declared = hosts[0]!.containers.find((c) => c.name === "jairouter")!.env;
      expect(find("jr-prod-app-0/jairouter", "env.JAVA_OPTS")).toMatchObject({
        expected: declared.JAVA_OPTS,
        actual: "-Xmx512m",
      });
      expect(find("jr-prod-app-0/jairouter", "env.JWT_SECRET")).toMatchObject({
        expected: secretHash(declared.JWT_SECRET!),
        actual: secretHash(HAND_SECRET),
      });
      expect(find("jr-prod-app-0/jairouter", "env.DEBUG")).toMatchObject({
        expected: "(absent)",
        actual: "true",
        note: "not declared by the stack",
      });
      // variables the image sets (PATH, JAVA_HOME) are not drift
      expect(
        report.findings
          .filter((f) => f.subject === "jr-prod-app-0/jairouter")
          .map((f) => f.key)
          .sort(),
      ).toEqual(["env.DEBUG", "env.JAVA_OPTS", "env.JWT_SECRET"]);
    });

    it("names the replica whose routing was edited, with the field and both values", () => {
      expect(
        find("jr-prod-app-1/chat", "instances[qwen2.5-72b @ http://gpustack-1.models.internal:80].weight"),
      ).toMatchObject({
        section: "app",
        expected: "2",
        actual: "5",
      });
      expect(find("jr-prod-app-1/embedding", "instances[bge-m3 @ http://10.9.9.9:9997]")).toMatchObject({
        expected: "(absent)",
        note: "instance added by hand",
      });
      expect(
        report.findings.filter((f) => f.subject.startsWith("jr-prod-app-0/") && f.section === "app"),
      ).toEqual([]);
    });

    it("reports the unreachable host as not checked, and exits with the drift code", () => {
      expect(report.unchecked).toEqual([
        expect.objectContaining({ section: "host", subject: "jr-prod-app-2" }),
      ]);
      expect(exitCode(report)).toBe(EXIT.drift);
    });

    it("validates readiness and backup freshness from what the hosts report", () => {
      const status = (check: string, subject: string) =>
        report.validations.find((v) => v.check === check && v.subject === subject)?.status;
      expect(status("app-ready", "jr-prod-app-0")).toBe("ok");
      expect(status("backup", "jr-prod-app-0 config")).toBe("ok");
      expect(status("backup", "jr-prod-app-0 data")).toBe("failed");
    });

    it("never writes a secret value into the JSON or Markdown report", () => {
      const text = JSON.stringify(report) + renderMarkdown(report);
      const leaked = [...secrets, HAND_SECRET].filter((s) => s.length >= 8 && text.includes(s));
      expect(leaked).toEqual([]);
      expect(renderMarkdown(report)).toContain(`jr-prod-app-0:${APP_YML}`);
    });
  },
);

/** Seeds a stub replica with the declared routing, as the sync step leaves it. */
function seedDeclaredRouting(admin: StubJairouterAdmin, routing: string): void {
  const { services } = JSON.parse(routing) as {
    services: Record<
      string,
      {
        adapter: string;
        loadBalance: string;
        instances: { name: string; baseUrl: string; path: string; weight: number }[];
      }
    >;
  };
  for (const [type, s] of Object.entries(services)) {
    admin.services.set(type, { adapter: s.adapter, loadBalance: { type: s.loadBalance } });
    for (const i of s.instances)
      admin.seed(type, {
        name: i.name,
        baseUrl: i.baseUrl,
        path: i.path,
        weight: i.weight,
        status: "active",
        headers: {},
      });
  }
}

describe.skipIf(!toolsAvailable("bash", "jq", "openssl", "python3", "timeout"))(
  "drift probe on a loopback proxy host",
  () => {
    let dir = "";
    let socketServer: Server | undefined;

    afterAll(async () => {
      await new Promise<void>((resolve) => (socketServer ? socketServer.close(() => resolve()) : resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("reads the certificate's expiry and the proxy's server states from its runtime API", async () => {
      dir = mkdtempSync(join(tmpdir(), "drift-lb-"));
      const root = join(dir, "root");
      const certDir = join(root, "data/loadbalancer/tls");
      mkdirSync(certDir, { recursive: true });
      generateTestCert(certDir, "api.test", 10);
      // HAProxy's admin socket: answers `show stat` with one server down
      const socket = join(root, "run/admin.sock");
      mkdirSync(join(root, "run"), { recursive: true });
      const csv = [
        "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,",
        "be_jairouter,app-0,0,0,0,0,,0,0,0,0,0,,0,0,0,0,UP,",
        "be_jairouter,app-1,0,0,0,0,,0,0,0,0,0,,0,0,0,0,DOWN,",
        "be_jairouter,BACKEND,0,0,0,0,,0,0,0,0,0,,0,0,0,0,UP,",
      ].join("\n");
      socketServer = createServer((conn) => conn.once("data", () => conn.end(`${csv}\n`)));
      await new Promise<void>((resolve) => socketServer!.listen(socket, resolve));
      mkdirSync(join(root, "etc/jairouter"), { recursive: true });
      writeFileSync(
        join(root, "etc/jairouter/proxy.env"),
        `ENGINE='haproxy'\nADMIN_SOCKET='/run/admin.sock'\n`,
      );

      const script = renderHostProbe({
        files: [],
        containers: [],
        certificates: ["/data/loadbalancer/tls/cert.pem"],
        backupModes: [],
        proxyEnv: "/etc/jairouter/proxy.env",
      });
      const result = await runProcess(["bash", "-s"], script, 15_000, {
        PATH: process.env.PATH,
        DRIFT_ROOT: root,
      });
      expect(result.code, result.stderr).toBe(0);
      const listing = parseHostProbe(result.stdout);
      const cert = certificateCheck("lb-0", listing.certificates[0]!.notAfter, new Date());
      expect(cert).toMatchObject({ status: "failed", detail: expect.stringMatching(/^(9|10) days left/) });
      expect(proxyTargetsCheck("lb-0", listing.proxy!.engine, listing.proxy!.stat)).toMatchObject({
        status: "failed",
        detail: "1/2 up; be_jairouter/app-1 DOWN",
      });
    });
  },
);
