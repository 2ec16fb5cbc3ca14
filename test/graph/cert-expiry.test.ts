// The certificate-expiry gauge as the stack places it: on each proxy host only, reading the chain the
// proxy serves, turned on after the certificate is placed and again whenever it changes.
import { beforeAll, describe, expect, it } from "vitest";
import { CERT_EXPIRY_PATHS } from "../../render/cert-expiry";
import { HOST_FILE_PATH_ENV } from "../../components/host-file";
import { plainInputs, synthStack, type SynthResult } from "./helpers";

const COMMAND = "command:local:Command";

describe.each(["prod", "staging"])("certificate-expiry gauge (%s)", (stack) => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthStack(stack);
  });
  const named = (name: string) => result.resources.find((r) => r.type === COMMAND && r.name === name);

  it("is placed on both proxy hosts and nowhere else", () => {
    const gauges = result.resources.filter(
      (r) => r.type === COMMAND && r.name.endsWith("-cert-expiry-gauge"),
    );
    expect(gauges.map((r) => r.name)).toEqual([
      `jr-${stack}-lb-0-cert-expiry-gauge`,
      `jr-${stack}-lb-1-cert-expiry-gauge`,
    ]);
  });

  it.each([0, 1])("lb-%i: the script reads the served chain, the units go where systemd looks", (i) => {
    const host = `jr-${stack}-lb-${i}`;
    const script = plainInputs(named(`${host}-cert-expiry-script`)!);
    expect(script.environment[HOST_FILE_PATH_ENV]).toBe(CERT_EXPIRY_PATHS.script);
    expect(script.stdin).toContain("CERT_FILE=${CERT_FILE:-/data/loadbalancer/tls/cert.pem}");
    expect(plainInputs(named(`${host}-cert-expiry-timer`)!).environment[HOST_FILE_PATH_ENV]).toBe(
      CERT_EXPIRY_PATHS.timer,
    );
  });

  it.each([0, 1])(
    "lb-%i: runs after the certificate and the units are placed, again when either changes",
    (i) => {
      const host = `jr-${stack}-lb-${i}`;
      const gauge = named(`${host}-cert-expiry-gauge`)!;
      const cert = named(`${host}-cert`)!;
      expect(gauge.dependencies).toEqual(
        expect.arrayContaining([
          cert.urn,
          ...["script", "service", "timer"].map((k) => named(`${host}-cert-expiry-${k}`)!.urn),
        ]),
      );
      const triggers = plainInputs(gauge).triggers as string[];
      // the placed certificate's content hash is one of the triggers: a renewal re-publishes at once
      expect(triggers).toContain(plainInputs(cert).triggers[0]);
      expect(plainInputs(gauge).stdin).toContain("systemctl enable --now jairouter-cert-expiry.timer");
    },
  );
});
