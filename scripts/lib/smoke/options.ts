// The command line of `npm run smoke -- <stack> [options]`.

export const SMOKE_USAGE = `usage: npm run smoke -- <stack> [options]
  --outputs <file>          stack outputs as JSON (default: pulumi stack output --json --show-secrets)
  --resolve <host>:<addr>[,<addr>...]
                            answer DNS for <host> with these addresses (repeatable)
  --https-port <port>       port of the endpoint (default: the endpoint URL's, else 443)
  --alertmanager-url <url>  Alertmanager to post the test alert to (default: http://localhost:9093,
                            where the monitoringTunnelCommands.alertmanager tunnel opens it)
  --ca-file <file>          verify TLS against this CA instead of the caCertificatePem output
  --ssm-endpoint <url>      SSM endpoint for the AWS CLI (tests)
  --timeout-ms <ms>         per network operation (default 10000)`;

export interface SmokeOptions {
  stack: string;
  outputsFile?: string;
  /** host → addresses that replace a DNS answer. */
  resolve: Map<string, string[]>;
  httpsPort?: number;
  alertmanagerUrl?: string;
  caFile?: string;
  ssmEndpoint?: string;
  timeoutMs: number;
}

/** The default Alertmanager URL: where the SSM port forward of the tunnel command listens. */
export const TUNNELLED_ALERTMANAGER_URL = "http://localhost:9093";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag}: "${value}" is not a port`);
  return n;
}

/** Parses argv (after the script name); throws with a message naming the bad argument. */
export function parseSmokeArgs(argv: string[]): SmokeOptions {
  const options: SmokeOptions = { stack: "", resolve: new Map(), timeoutMs: 10_000 };
  const rest = [...argv];
  const value = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg === "--outputs") options.outputsFile = value(arg);
    else if (arg === "--resolve") {
      const spec = value(arg);
      const cut = spec.indexOf(":");
      const addresses = cut > 0 ? spec.slice(cut + 1).split(",") : [];
      if (cut <= 0 || addresses.some((a) => !IPV4.test(a)))
        throw new Error(`--resolve: "${spec}" is not <host>:<ipv4>[,<ipv4>...]`);
      options.resolve.set(spec.slice(0, cut).toLowerCase(), addresses);
    } else if (arg === "--https-port") options.httpsPort = port(value(arg), arg);
    else if (arg === "--alertmanager-url") options.alertmanagerUrl = value(arg);
    else if (arg === "--ca-file") options.caFile = value(arg);
    else if (arg === "--ssm-endpoint") options.ssmEndpoint = value(arg);
    else if (arg === "--timeout-ms") {
      const ms = Number(value(arg));
      if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) throw new Error("--timeout-ms: 100 to 600000");
      options.timeoutMs = ms;
    } else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}`);
    else if (!options.stack) options.stack = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(options.stack)) throw new Error("name the stack: npm run smoke -- <stack>");
  return options;
}
