// Reads one SecureString from SSM with the operator's AWS CLI; the value never reaches a log.
import { awsCli } from "../aws-cli";

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
export async function readSecureParameter(read: SsmRead): Promise<string> {
  const aws = awsCli(read.region, { endpoint: read.endpoint, env: read.env, timeoutMs: read.timeoutMs });
  const answer = (await aws("ssm", "get-parameter", ["--with-decryption", "--name", read.name]).catch(
    (err: unknown) => {
      throw new Error(
        `aws ssm get-parameter --with-decryption --name ${read.name}: ${(err as Error).message}`,
      );
    },
  )) as { Parameter?: { Value?: unknown } };
  const value = answer.Parameter?.Value;
  if (typeof value !== "string" || value === "")
    throw new Error(`aws ssm get-parameter --with-decryption --name ${read.name}: no value`);
  return value;
}
