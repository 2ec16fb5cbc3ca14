import { execFile } from "node:child_process";

/** Why an AWS call did not answer. `unreachable` and `credentials` mean "could not check". */
export type AwsErrorKind = "credentials" | "unreachable" | "denied" | "not-found" | "unsupported" | "other";

export class AwsCallError extends Error {
  constructor(
    readonly kind: AwsErrorKind,
    readonly operation: string,
    message: string,
  ) {
    super(`${operation}: ${message}`);
    this.name = "AwsCallError";
  }
}

/** One AWS API call: `service operation [args]`, answered as parsed JSON. */
export type AwsCall = (service: string, operation: string, args?: string[]) => Promise<unknown>;

/** Sorts the CLI's error text into the kinds the checks act on. */
export function classifyAwsError(stderr: string): AwsErrorKind {
  if (
    /Unable to locate credentials|NoCredentialProviders|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|security token included in the request is (invalid|expired)|sso session.*expired|Error loading SSO Token/i.test(
      stderr,
    )
  )
    return "credentials";
  if (
    /Could not connect to the endpoint URL|Connect timeout|Read timeout|Connection refused|Name or service not known|EndpointConnectionError/i.test(
      stderr,
    )
  )
    return "unreachable";
  if (/AccessDenied|UnauthorizedOperation|not authorized to perform/i.test(stderr)) return "denied";
  if (/NoSuchResource|NoSuchEntity|not available in the current Region/i.test(stderr)) return "not-found";
  if (/\(500\)|\(501\)|Internal Server Error|not yet implemented|Unable to parse response/i.test(stderr))
    return "unsupported";
  return "other";
}

export interface AwsCliOptions {
  /** The CLI to run (default `aws` on PATH). */
  bin?: string;
  /** Endpoint override (tests: moto_server on loopback); AWS_ENDPOINT_URL works too. */
  endpoint?: string;
  /** Environment of the CLI (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the call is given up (default 60 s). */
  timeoutMs?: number;
}

/**
 * Calls go through the `aws` CLI (`--output json`), so the operator's profiles, SSO sessions and
 * AWS_ENDPOINT_URL apply exactly as they do for the deploy. No credentials ever appear in the
 * arguments or the output kept. Used by the preflight, the smoke test and the drift job.
 */
export function awsCli(region: string, options: AwsCliOptions = {}): AwsCall {
  const bin = options.bin ?? "aws";
  return (service, operation, args = []) =>
    new Promise((resolve, reject) => {
      const argv = [
        ...(options.endpoint ? ["--endpoint-url", options.endpoint] : []),
        service,
        operation,
        ...args,
        "--region",
        region,
        "--output",
        "json",
        "--cli-connect-timeout",
        "10",
      ];
      const run = { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: options.env };
      execFile(bin, argv, run, (err, stdout, stderr) => {
        const name = `${service} ${operation}`;
        if (err) {
          if (err.killed) {
            reject(new AwsCallError("unreachable", name, `no answer within ${run.timeout} ms`));
            return;
          }
          if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            reject(new AwsCallError("unreachable", name, `${bin} not found on PATH (install AWS CLI v2)`));
            return;
          }
          const text = stderr.trim() || err.message;
          reject(new AwsCallError(classifyAwsError(text), name, firstLine(text)));
          return;
        }
        try {
          resolve(stdout.trim() ? JSON.parse(stdout) : {});
        } catch {
          reject(new AwsCallError("other", name, "the CLI printed no JSON"));
        }
      });
    });
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Whether an error means the account could not be asked at all (rather than a definite no). */
export function isCouldNotCheck(err: unknown): boolean {
  return !(err instanceof AwsCallError) || err.kind !== "denied";
}
