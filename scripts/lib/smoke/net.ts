// Network primitives of the smoke test: DNS with overrides, a TLS handshake and HTTPS requests made
// to one chosen address with the public name as SNI and Host. Every call is bounded by a timeout.
import { lookup } from "node:dns/promises";
import https from "node:https";
import tls from "node:tls";

/** Addresses of `host`: the override when given, else the system resolver (IPv4). */
export async function resolveHost(host: string, overrides: Map<string, string[]>): Promise<string[]> {
  const fixed = overrides.get(host.toLowerCase());
  if (fixed) return [...fixed];
  const answers = await lookup(host, { all: true, family: 4 });
  return [...new Set(answers.map((a) => a.address))];
}

/** Where and how to reach the endpoint through one address. */
export interface Via {
  address: string;
  port: number;
  /** The public name: SNI, Host header and the name the certificate must carry. */
  servername: string;
  /** CA PEM to trust instead of the system roots. */
  ca?: string;
  timeoutMs: number;
}

export interface PeerCertificate {
  subject: string;
  issuer: string;
  validTo: Date;
}

/** Handshakes and verifies the chain and the name; rejects with the TLS error when it does not verify. */
export function verifyTls(via: Via): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: via.address,
      port: via.port,
      servername: via.servername,
      ca: via.ca,
      rejectUnauthorized: true,
      timeout: via.timeoutMs,
    });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once("error", fail);
    socket.once("timeout", () => fail(new Error(`no TLS handshake within ${via.timeoutMs} ms`)));
    socket.once("secureConnect", () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve({
        subject: String(peer.subject?.CN ?? ""),
        issuer: String(peer.issuer?.CN ?? ""),
        validTo: new Date(peer.valid_to),
      });
    });
  });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** An HTTPS request to `via.address` for `https://<servername><path>`; the body is capped at 64 KiB. */
export function httpsRequest(
  via: Via,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const host = via.port === 443 ? via.servername : `${via.servername}:${via.port}`;
    const req = https.request(
      {
        host: via.address,
        port: via.port,
        path,
        method: "GET",
        servername: via.servername,
        ca: via.ca,
        headers: { Host: host, ...headers },
        agent: false,
        timeout: via.timeoutMs,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (body.length < 65536) body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.once("timeout", () => req.destroy(new Error(`no answer within ${via.timeoutMs} ms`)));
    req.once("error", reject);
    req.end();
  });
}

/** A plain HTTP(S) call with a JSON body or none, bounded by `timeoutMs`. */
export async function jsonCall(
  url: string,
  method: "GET" | "POST",
  timeoutMs: number,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
