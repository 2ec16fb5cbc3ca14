import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../support/tools";

/** Files of a self-signed test certificate (also its own CA for clients). */
export interface TestCert {
  certificatePath: string;
  keyPath: string;
  combinedPemPath: string;
  /** Certificate PEM, to pass as `ca` to clients. */
  pem: string;
}

/** Generates a self-signed RSA certificate for `serverName` (2 days unless told) into `dir` with openssl. */
export function generateTestCert(dir: string, serverName: string, days = 2): TestCert {
  const certificatePath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const combinedPemPath = join(dir, "combined.pem");
  const r = run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    String(days),
    "-subj",
    `/CN=${serverName}`,
    "-addext",
    `subjectAltName=DNS:${serverName}`,
    "-keyout",
    keyPath,
    "-out",
    certificatePath,
  ]);
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  const pem = readFileSync(certificatePath, "utf8");
  writeFileSync(combinedPemPath, pem + readFileSync(keyPath, "utf8"), { mode: 0o600 });
  return { certificatePath, keyPath, combinedPemPath, pem };
}
