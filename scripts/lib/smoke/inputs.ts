// What the smoke test checks, read from the stack's outputs: the endpoint, the DNS target, the CA,
// the SSM path of the service key and the Alertmanager URL. Pure: outputs in, inputs or problems out.
import type { DnsTarget } from "../../../components/dns-target";

/** The SSM key (in `secretParameters`) of the API key the smoke test authenticates with. */
export const SERVICE_KEY_SECRET = "api-key-service";

export interface SmokeInputs {
  stack: string;
  /** The public name (the endpoint's host). */
  domain: string;
  /** HTTPS port of the endpoint (443 unless the URL names one). */
  httpsPort: number;
  dnsTarget: DnsTarget;
  /** The CA to verify against (self-signed mode); system roots when absent. */
  caCertificatePem?: string;
  /** SSM SecureString parameter holding the service API key (a path, never the value). */
  serviceKeyParameter: string;
  region: string;
  alertmanagerUrl: string;
  /** The command that forwards Alertmanager to localhost (it is private). */
  alertmanagerTunnel?: string;
}

type Outputs = Record<string, unknown>;

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function dnsTargetOf(value: unknown): DnsTarget | undefined {
  const t = record(value);
  const values = Array.isArray(t.values) ? t.values.filter((v): v is string => typeof v === "string") : [];
  if ((t.recordType !== "CNAME" && t.recordType !== "A") || values.length === 0) return undefined;
  return { recordType: t.recordType, values, managedByStack: t.managedByStack === true };
}

/** The smoke inputs of a stack's outputs, or every output it lacks, each named. */
export function smokeInputsFrom(stack: string, outputs: Outputs): SmokeInputs | { problems: string[] } {
  const contract = record(outputs.contract);
  const edge = record(contract.edge);
  const problems: string[] = [];
  const endpoint = text(outputs.endpoint) ?? text(edge.endpoint);
  let url: URL | undefined;
  try {
    url = endpoint ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:") problems.push(`endpoint: missing or not an https URL (${endpoint})`);
  const dnsTarget = dnsTargetOf(outputs.dnsTarget ?? edge.dnsTarget);
  if (!dnsTarget) problems.push("dnsTarget: missing (a stack deployed before it existed: run `pulumi up`)");
  const parameters = record(outputs.secretParameters ?? record(contract.secrets).parameterPaths);
  const serviceKeyParameter = text(parameters[SERVICE_KEY_SECRET]);
  if (!serviceKeyParameter) problems.push(`secretParameters.${SERVICE_KEY_SECRET}: missing`);
  const region = text(record(contract.backups).region);
  if (!region) problems.push("contract.backups.region: missing");
  const monitoring = record(contract.monitoring);
  const alertmanagerUrl = text(outputs.alertmanagerUrl) ?? text(monitoring.alertmanagerUrl);
  if (!alertmanagerUrl) problems.push("alertmanagerUrl: missing");
  if (problems.length > 0 || !url || !dnsTarget) return { problems };
  return {
    stack,
    domain: url.hostname,
    httpsPort: url.port ? Number(url.port) : 443,
    dnsTarget,
    caCertificatePem: text(outputs.caCertificatePem) ?? text(edge.caCertificatePem),
    serviceKeyParameter: serviceKeyParameter!,
    region: region!,
    alertmanagerUrl: alertmanagerUrl!,
    alertmanagerTunnel:
      text(record(outputs.monitoringTunnelCommands).alertmanager) ??
      text(record(monitoring.tunnelCommands).alertmanager),
  };
}
