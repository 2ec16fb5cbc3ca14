// Reads one SecureString from SSM with the operator's AWS CLI; the value never reaches a log.
import { spawn } from "node:child_process";

export interface SsmRead {
  name: string;
  region: string;
  /** SSM endpoint override (tests: moto_server on loopback). */
  endpoint?: string;
  /** Environment of the AWS CLI (default: this process's). */
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** The decrypted value; rejects with the CLI's error message (which never holds the value). */
export function readSecureParameter(read: SsmRead): Promise<string> {
  const args = [
    ...(read.endpoint ? ["--endpoint-url", read.endpoint] : []),
    "--region",
    read.region,
    "ssm",
    "get-parameter",
    "--with-decryption",
    "--name",
    read.name,
    "--query",
    "Parameter.Value",
    "--output",
    "text",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("aws", args, { env: read.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), read.timeoutMs);
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run the AWS CLI (aws): ${e.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const value = out.trim();
      if (code === 0 && value && value !== "None") return resolve(value);
      const why = signal
        ? `no answer within ${read.timeoutMs} ms`
        : err.trim().split("\n").pop() || "no value";
      reject(new Error(`aws ssm get-parameter --with-decryption --name ${read.name}: ${why}`));
    });
  });
}
