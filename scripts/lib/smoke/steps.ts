// The smoke test's steps, in order: each checks one thing a client or an operator relies on after a
// deploy, returns a line saying what it saw, or throws a StepFailure saying what is wrong and what
// to do. Later steps use what earlier ones found (addresses, the key).
import { randomUUID } from "node:crypto";
import type { SmokeInputs } from "./inputs";
import { httpsRequest, jsonCall, resolveHost, verifyTls, type Via } from "./net";
import { readSecureParameter } from "./ssm";

export const STEP_NAMES = ["resolve", "tls", "health", "models", "alert"] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** A check that failed; the message is safe to print (no secret in it). */
export class StepFailure extends Error {}

export interface SmokeContext {
  inputs: SmokeInputs;
  resolve: Map<string, string[]>;
  httpsPort: number;
  /** CA PEM to verify against; undefined: the system roots (provided certificates). */
  ca?: string;
  alertmanagerUrl: string;
  ssmEndpoint?: string;
  awsEnv?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Replaces the SSM read (tests); the default runs the AWS CLI. */
  readServiceKey?: (parameter: string) => Promise<string>;
  /** Filled by `resolve`: where the public name leads, and every address of the front door. */
  endpointAddresses: string[];
  frontDoorAddresses: string[];
  /** Filled by `models`; never printed. */
  serviceKey?: string;
}

/** The label that identifies the smoke test's alert; its value is unique per run. */
export const SMOKE_ALERT_NAME = "JairouterSmokeTest";
/** How long the test alert stays active: long enough to pass group_wait, short enough to vanish. */
const ALERT_MINUTES = 5;
/** Attempts (500 ms apart) to see the posted alert listed by Alertmanager. */
const ALERT_LIST_ATTEMPTS = 20;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function via(ctx: SmokeContext, address: string): Via {
  return {
    address,
    port: ctx.httpsPort,
    servername: ctx.inputs.domain,
    ca: ctx.ca,
    timeoutMs: ctx.timeoutMs,
  };
}

async function resolveStep(ctx: SmokeContext): Promise<string> {
  const { domain, dnsTarget } = ctx.inputs;
  const record = `${dnsTarget.recordType} ${dnsTarget.values.join(", ")}`;
  const front =
    dnsTarget.recordType === "A"
      ? dnsTarget.values
      : await resolveHost(dnsTarget.values[0]!, ctx.resolve).catch((err: unknown) => {
          throw new StepFailure(`the NLB name ${dnsTarget.values[0]} does not resolve: ${message(err)}`);
        });
  const found = await resolveHost(domain, ctx.resolve).catch((err: unknown) => {
    throw new StepFailure(
      `${domain} does not resolve (${message(err)}): create the record ${domain} ${record}${dnsTarget.managedByStack ? " (the stack manages it: check the Route53 zone)" : ""}`,
    );
  });
  const stray = found.filter((a) => !front.includes(a));
  if (found.length === 0 || stray.length > 0)
    throw new StepFailure(
      `${domain} resolves to ${found.join(", ") || "nothing"}, not to the front door (${front.join(", ")}): point the record at ${record}`,
    );
  ctx.endpointAddresses = found;
  ctx.frontDoorAddresses = front;
  return `${domain} → ${found.join(", ")} (dnsTarget ${record})`;
}

async function tlsStep(ctx: SmokeContext): Promise<string> {
  const address = ctx.endpointAddresses[0]!;
  const trust = ctx.ca ? "the stack's CA (caCertificatePem)" : "the system's roots";
  const peer = await verifyTls(via(ctx, address)).catch((err: unknown) => {
    throw new StepFailure(
      `the chain served at ${address} for ${ctx.inputs.domain} does not verify against ${trust}: ${message(err)}`,
    );
  });
  const days = Math.floor((peer.validTo.getTime() - Date.now()) / 86_400_000);
  return `chain verifies against ${trust}; ${peer.subject} issued by ${peer.issuer}, valid until ${peer.validTo.toISOString()} (${days} days)`;
}

async function healthStep(ctx: SmokeContext): Promise<string> {
  const seen: string[] = [];
  for (const address of ctx.frontDoorAddresses) {
    const answer = await httpsRequest(via(ctx, address), "/health").catch((err: unknown) => {
      throw new StepFailure(`/health via ${address}: ${message(err)}`);
    });
    if (answer.status !== 200)
      throw new StepFailure(`/health via ${address}: HTTP ${answer.status} ${answer.body.slice(0, 80)}`);
    seen.push(`${address} 200`);
  }
  return `https://${ctx.inputs.domain}/health through each front-door address: ${seen.join(", ")}`;
}

async function modelsStep(ctx: SmokeContext): Promise<string> {
  const name = ctx.inputs.serviceKeyParameter;
  const read =
    ctx.readServiceKey ??
    ((parameter: string) =>
      readSecureParameter({
        name: parameter,
        region: ctx.inputs.region,
        endpoint: ctx.ssmEndpoint,
        env: ctx.awsEnv,
        timeoutMs: ctx.timeoutMs,
      }));
  ctx.serviceKey = await read(name).catch((err: unknown) => {
    throw new StepFailure(`cannot read the service key: ${message(err)}`);
  });
  const address = ctx.endpointAddresses[0]!;
  const answer = await httpsRequest(via(ctx, address), "/v1/models", { "X-API-Key": ctx.serviceKey }).catch(
    (err: unknown) => {
      throw new StepFailure(`/v1/models via ${address}: ${message(err)}`);
    },
  );
  const body = answer.body.split(ctx.serviceKey).join("[key]");
  if (answer.status !== 200)
    throw new StepFailure(
      `/v1/models with the service key (${name}) via ${address}: HTTP ${answer.status} ${body.slice(0, 120)}`,
    );
  let models = "";
  try {
    const data = (JSON.parse(body) as { data?: unknown }).data;
    if (Array.isArray(data)) models = `, ${data.length} model(s)`;
  } catch {
    throw new StepFailure(`/v1/models via ${address}: HTTP 200 but not JSON: ${body.slice(0, 80)}`);
  }
  return `/v1/models with the service key from ${name}: 200${models}`;
}

interface ListedAlert {
  labels?: Record<string, string>;
  status?: { state?: string };
  receivers?: { name?: string }[];
}

async function alertStep(ctx: SmokeContext): Promise<string> {
  const base = ctx.alertmanagerUrl.replace(/\/+$/, "");
  const run = randomUUID();
  const now = Date.now();
  const alert = {
    labels: {
      alertname: SMOKE_ALERT_NAME,
      severity: "warning",
      service: "smoke",
      stack: ctx.inputs.stack,
      smoke_run: run,
    },
    annotations: {
      summary: `Smoke test of stack ${ctx.inputs.stack}: a test alert, no action needed`,
      description: `Posted by \`npm run smoke -- ${ctx.inputs.stack}\` to prove alerts reach their receivers; it ends by itself within ${ALERT_MINUTES} minutes.`,
    },
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + ALERT_MINUTES * 60_000).toISOString(),
  };
  const tunnel = ctx.inputs.alertmanagerTunnel
    ? `; open the tunnel first: ${ctx.inputs.alertmanagerTunnel}`
    : "";
  const posted = await jsonCall(`${base}/api/v2/alerts`, "POST", ctx.timeoutMs, [alert]).catch(
    (err: unknown) => {
      throw new StepFailure(`Alertmanager at ${base} does not answer (${message(err)})${tunnel}`);
    },
  );
  if (posted.status !== 200)
    throw new StepFailure(
      `Alertmanager refused the test alert: HTTP ${posted.status} ${posted.text.slice(0, 120)}`,
    );
  const filter = encodeURIComponent(`smoke_run="${run}"`);
  for (let attempt = 0; attempt < ALERT_LIST_ATTEMPTS; attempt++) {
    const listed = await jsonCall(`${base}/api/v2/alerts?filter=${filter}`, "GET", ctx.timeoutMs).catch(
      (err: unknown) => {
        throw new StepFailure(`Alertmanager at ${base} stopped answering (${message(err)})`);
      },
    );
    const found = Array.isArray(listed.json)
      ? (listed.json as ListedAlert[]).find((a) => a.labels?.smoke_run === run)
      : undefined;
    if (found) {
      const receivers = (found.receivers ?? []).map((r) => r.name).filter(Boolean);
      return `test alert ${SMOKE_ALERT_NAME} (smoke_run=${run}) accepted, ${found.status?.state ?? "listed"}, routed to ${receivers.join(", ") || "no receiver"}; it ends by itself in ${ALERT_MINUTES} min`;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new StepFailure(`Alertmanager accepted the test alert but does not list it (smoke_run=${run})`);
}

export const STEPS: Record<StepName, (ctx: SmokeContext) => Promise<string>> = {
  resolve: resolveStep,
  tls: tlsStep,
  health: healthStep,
  models: modelsStep,
  alert: alertStep,
};
