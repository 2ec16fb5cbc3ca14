import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface TlsArgs {
  mode: "self-signed" | "provided";
  /** Public name; first SAN and common name. */
  domain: string;
  /** More names the certificate must cover (the load balancers' own names). */
  extraNames: string[];
  /** `provided`: the PEM chain (public). */
  certificatePem?: string;
  /** `provided`: the matching private key (secret). */
  privateKeyPem?: pulumi.Output<string>;
}

/**
 * The load balancers' certificate. `self-signed`: a stack-local CA signs a server certificate (keys
 * secret). `provided`: the operator's certificate and key (checked by config/ to belong together and
 * to cover the domain, before any resource exists).
 */
export class Tls extends pulumi.ComponentResource {
  /** Server certificate followed by its chain. */
  public readonly certificatePem: pulumi.Output<string>;
  public readonly privateKeyPem: pulumi.Output<string>;
  /** Certificate, chain and key in one file, as HAProxy's `crt` wants it (secret). */
  public readonly combinedPem: pulumi.Output<string>;
  /** The CA to trust for self-signed mode (public). */
  public readonly caCertificatePem?: pulumi.Output<string>;

  constructor(name: string, args: TlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:security:Tls", name, {}, opts);
    if (args.mode === "self-signed") {
      const parent = { parent: this };
      const caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
      const ca = new tls.SelfSignedCert(
        `${name}-ca`,
        {
          privateKeyPem: caKey.privateKeyPem,
          isCaCertificate: true,
          subject: { commonName: `${args.domain} CA`, organization: "JAiRouter stack" },
          validityPeriodHours: 5 * 8760,
          earlyRenewalHours: 8760,
          allowedUses: ["cert_signing", "crl_signing"],
        },
        parent,
      );
      const key = new tls.PrivateKey(`${name}-server`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
      const request = new tls.CertRequest(
        `${name}-server`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName: args.domain },
          dnsNames: [args.domain, ...args.extraNames],
        },
        parent,
      );
      const cert = new tls.LocallySignedCert(
        `${name}-server`,
        {
          certRequestPem: request.certRequestPem,
          caPrivateKeyPem: caKey.privateKeyPem,
          caCertPem: ca.certPem,
          validityPeriodHours: 8760,
          earlyRenewalHours: 720,
          allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        },
        parent,
      );
      this.caCertificatePem = ca.certPem;
      this.certificatePem = pulumi
        .all([cert.certPem, ca.certPem])
        .apply(([c, chain]) => `${c.trim()}\n${chain.trim()}\n`);
      this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    } else {
      // config/ has checked that the key matches the certificate and that it covers the domain.
      this.certificatePem = pulumi.output(args.certificatePem!);
      this.privateKeyPem = pulumi.secret(args.privateKeyPem!);
    }
    this.combinedPem = pulumi.secret(
      pulumi.all([this.certificatePem, this.privateKeyPem]).apply(([c, k]) => `${c.trim()}\n${k.trim()}\n`),
    );
    this.registerOutputs({ certificatePem: this.certificatePem, caCertificatePem: this.caCertificatePem });
  }
}
