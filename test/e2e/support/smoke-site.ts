// A whole deployed stack in miniature for the smoke test, on loopback: two real HAProxy load
// balancers rendered by the stack's own function in front of stub JAiRouter backends that want the
// service key, a real Alertmanager (rendered config) delivering to a webhook sink, moto_server as
// SSM holding the key, and the stack outputs a deploy would print, pointing at all of it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderAlertmanagerConfig } from "../../../render/alertmanager";
import { awsEnv, REGION, startS3 } from "./backup-host";
import { generateTestCert, type TestCert } from "./certs";
import type { Daemon as ProcessDaemon } from "./daemon";
import { haproxyEngine, type RunningLb } from "./lb-engines";
import { TEST_PORTS, TEST_SERVER_NAME, testLbInput } from "./lb-inputs";
import { request } from "./client";
import { startDaemon, type Daemon } from "./monitoring-daemons";
import { waitFor } from "./wait";
import { startWebhookSink, type WebhookSink } from "./monitoring-stubs";
import { type StubBackend, startStubBackends } from "./stub-backend";

/** Loopback addresses of the site (distinct from every other e2e file's). */
export const SMOKE_ADDRESSES = {
  lbs: ["127.0.0.181", "127.0.0.182"],
  backends: "127.0.0.183",
  monitoring: "127.0.0.184",
  /** Nothing listens here: a front-door address whose load balancer is down. */
  dead: "127.0.0.185",
} as const;
const BACKEND_PORTS = [28281, 28282];
const ALERTMANAGER_PORT = 29193;
const SINK_PORT = 29195;
export const SERVICE_KEY_PARAMETER = "/jairouter/smoke/app/api-key-service";

export interface SmokeSite {
  dir: string;
  cert: TestCert;
  /** A CA that did not sign the served certificate. */
  otherCaPem: string;
  serviceKey: string;
  stubs: StubBackend[];
  lbs: RunningLb[];
  alertmanager: Daemon;
  alertmanagerUrl: string;
  sink: WebhookSink;
  ssm: { daemon: ProcessDaemon; endpoint: string };
  /** Environment for AWS CLI calls: fake credentials, no user files. */
  awsEnv: Record<string, string>;
  /** The stack outputs (what `pulumi stack output --json --show-secrets` prints). */
  outputs: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Stores a SecureString in moto's SSM through its JSON API (what the AWS CLI sends, unsigned: moto
 * does not check signatures; the region is read from the credential scope). Spares a CLI start.
 */
async function putParameter(endpoint: string, name: string, value: string): Promise<void> {
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonSSM.PutParameter",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Name: name, Value: value, Type: "SecureString", Overwrite: true }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`SSM PutParameter ${name}: HTTP ${res.status} ${await res.text()}`);
}

/** Replaces the service key held in SSM (the "wrong key" case sets another value). */
export function setServiceKey(site: SmokeSite, value: string): Promise<void> {
  return putParameter(site.ssm.endpoint, SERVICE_KEY_PARAMETER, value);
}

/** Starts every part; stops what started when one part fails. */
export async function startSmokeSite(): Promise<SmokeSite> {
  const dir = mkdtempSync(join(tmpdir(), "jr-smoke-e2e-"));
  const started: { stop(): Promise<void> }[] = [];
  try {
    for (const d of ["cert", "other-ca", "lb-0", "lb-1", "home"]) mkdirSync(join(dir, d));
    const cert = generateTestCert(join(dir, "cert"), TEST_SERVER_NAME);
    const otherCaPem = generateTestCert(join(dir, "other-ca"), TEST_SERVER_NAME).pem;
    const serviceKey = `svc${Date.now().toString(36)}KeyForSmokeOnly`;
    const alertmanagerUrl = `http://${SMOKE_ADDRESSES.monitoring}:${ALERTMANAGER_PORT}`;
    writeFileSync(
      join(dir, "alertmanager.yml"),
      renderAlertmanagerConfig({
        cluster: "smoke",
        webhooks: [
          {
            name: "chatops",
            url: `http://${SMOKE_ADDRESSES.monitoring}:${SINK_PORT}/hook`,
            severities: ["critical", "warning"],
          },
        ],
        timing: {
          groupWaitSeconds: 1,
          groupIntervalSeconds: 1,
          criticalRepeatSeconds: 3600,
          warningRepeatSeconds: 3600,
        },
      }),
    );

    const [stubs, sink, ssm] = await Promise.all([
      startStubBackends(SMOKE_ADDRESSES.backends, BACKEND_PORTS, { apiKey: serviceKey }),
      startWebhookSink(SMOKE_ADDRESSES.monitoring, SINK_PORT),
      startS3(),
    ]);
    started.push(...stubs, { stop: sink.close }, ssm.daemon);
    const backends = stubs.map((s) => ({ name: s.name, address: s.options.host, port: s.options.port }));
    const [lbs, alertmanager] = await Promise.all([
      Promise.all(
        SMOKE_ADDRESSES.lbs.map((address, i) =>
          haproxyEngine.start(
            testLbInput({
              dir: join(dir, `lb-${i}`),
              cert,
              address,
              backends,
              internalCidrs: ["10.0.0.0/8"],
              monitoringCidrs: ["10.0.0.0/8"],
            }),
            join(dir, `lb-${i}`),
          ),
        ),
      ),
      startDaemon(
        "alertmanager",
        "prometheus-alertmanager",
        [
          `--config.file=${join(dir, "alertmanager.yml")}`,
          `--storage.path=${join(dir, "am-data")}`,
          `--web.listen-address=${SMOKE_ADDRESSES.monitoring}:${ALERTMANAGER_PORT}`,
          "--cluster.listen-address=",
        ],
        `${alertmanagerUrl}/-/ready`,
        join(dir, "alertmanager.log"),
      ),
    ]);
    started.push(...lbs.map((lb) => lb.daemon), alertmanager);

    const site: SmokeSite = {
      dir,
      cert,
      otherCaPem,
      serviceKey,
      stubs,
      lbs,
      alertmanager,
      alertmanagerUrl,
      sink,
      ssm,
      awsEnv: awsEnv(join(dir, "home")),
      outputs: {},
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
    await setServiceKey(site, serviceKey);
    // HAProxy starts its servers as up only after their first checks: wait until a model list answers
    await waitFor(
      "the proxies to route /v1/models",
      async () => {
        for (const lb of lbs) {
          const res = await request(lb.httpsUrl("/v1/models"), {
            tls: { ca: cert.pem, servername: TEST_SERVER_NAME },
            headers: { "X-API-Key": serviceKey },
            timeoutMs: 1_000,
          });
          if (res.status !== 200) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    site.outputs = smokeOutputs(cert.pem);
    return site;
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Outputs shaped like a deployed stack with DNS failover: the pair's addresses are the DNS target. */
export function smokeOutputs(caPem: string, dnsValues: string[] = [...SMOKE_ADDRESSES.lbs]) {
  const dnsTarget = { recordType: "A", values: dnsValues, managedByStack: true };
  return {
    endpoint: `https://${TEST_SERVER_NAME}`,
    dnsTarget,
    caCertificatePem: caPem,
    secretParameters: { "api-key-service": SERVICE_KEY_PARAMETER },
    alertmanagerUrl: "http://10.0.128.32:9093",
    monitoringTunnelCommands: { alertmanager: "aws ssm start-session ... (the stack's tunnel command)" },
    contract: {
      schemaVersion: "1.1.0",
      stack: "smoke",
      edge: { endpoint: `https://${TEST_SERVER_NAME}`, dnsTarget },
      backups: { region: REGION },
    },
  };
}

/** The load balancers' HTTPS port in these tests (not 443). */
export const SMOKE_HTTPS_PORT = TEST_PORTS.httpsPort;
