import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";

import type { ConfigProblem } from "./rules";

/**
 * Problems with a provided certificate and key (empty when they belong together and cover the
 * domain). Never includes key material in a message.
 */
export function providedCertificateProblems(
  certificatePem: string,
  privateKeyPem: string,
  domain: string,
): ConfigProblem[] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    return [{ path: ["tls", "certificate"], message: "is not a readable PEM certificate" }];
  }
  let publicFromKey: string;
  try {
    publicFromKey = createPublicKey(createPrivateKey(privateKeyPem))
      .export({ type: "spki", format: "pem" })
      .toString();
  } catch {
    return [
      {
        path: ["tlsPrivateKey"],
        message: "is not a readable, unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1)",
      },
    ];
  }
  const problems: ConfigProblem[] = [];
  if (cert.publicKey.export({ type: "spki", format: "pem" }).toString() !== publicFromKey) {
    problems.push({
      path: ["tlsPrivateKey"],
      message: "does not match jairouter:tls.certificate (different public keys)",
    });
  }
  if (!cert.checkHost(domain)) {
    problems.push({
      path: ["tls", "certificate"],
      message: `does not cover jairouter:domain.name (${domain})`,
    });
  }
  if (new Date(cert.validTo).getTime() < Date.now()) {
    problems.push({ path: ["tls", "certificate"], message: `expired on ${cert.validTo}` });
  }
  return problems;
}
