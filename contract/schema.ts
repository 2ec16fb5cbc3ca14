import { z } from "zod";

/**
 * The version of the stack contract this code produces. Semver: a MAJOR bump when a field is removed,
 * renamed, retyped or stops being always present; a MINOR bump when a field is added; a PATCH bump for
 * anything else (descriptions). `npm run contract:schema` and the tests enforce the rule.
 */
export const CONTRACT_VERSION = "1.1.0";

/** The major version consumers of this copy of the contract accept. */
export const CONTRACT_MAJOR = Number(CONTRACT_VERSION.split(".")[0]);

/** The stack output that carries the contract. */
export const CONTRACT_OUTPUT = "contract";

const field = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description });

const awsId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]+$`), `a ${what} id (${prefix}-...)`);
const ssmPath = z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, "an SSM parameter path (/...)");
const portNumber = z.number().int().min(1).max(65535);

/**
 * The contract's shape for one major version. Objects are open (`looseObject`): a producer of a
 * later minor version may add fields, and a consumer of an earlier one must still accept them.
 */
export function contractSchemaFor(major: number) {
  return z
    .looseObject({
      schemaVersion: field(
        z.string().regex(new RegExp(`^${major}\\.\\d+\\.\\d+$`), `a semver version of major ${major}`),
        `Version of this contract (semver, major ${major}); consumers reject another major.`,
      ),
      stack: field(z.string().min(1), "Name of the producing Pulumi stack (e.g. `prod`)."),
      network: field(
        z.looseObject({
          vpcId: field(awsId("vpc", "VPC"), "VPC to peer with or to place services in."),
          vpcCidr: field(z.cidrv4(), "IPv4 CIDR of the VPC (routes, peering, firewall rules)."),
          zones: field(z.array(z.string().min(1)).min(1), "Availability zones, in subnet order."),
          publicSubnetIds: field(
            z.array(awsId("subnet", "subnet")).min(1),
            "Public subnets, one per zone, in zone order.",
          ),
          privateSubnetIds: field(
            z.array(awsId("subnet", "subnet")).min(1),
            "Private subnets, one per zone, in zone order (where the app and monitoring hosts live).",
          ),
        }),
        "Where the stack lives.",
      ),
      edge: field(
        z.looseObject({
          endpoint: field(z.url(), "Public HTTPS URL of the OpenAI-compatible API."),
          publicDnsName: field(z.string().min(1), "Public DNS name clients use (the certificate's name)."),
          frontDoor: field(
            z.enum(["nlb", "dns"]),
            "What fails over between the proxy pair: an AWS NLB or Route53 failover records.",
          ),
          nlb: field(
            z
              .looseObject({
                name: field(z.string().min(1), "Name of the Network Load Balancer."),
                dnsName: field(z.string().min(1), "AWS DNS name of the NLB (a CNAME or alias target)."),
              })
              .optional(),
            "The Network Load Balancer; present only when `frontDoor` is `nlb`.",
          ),
          dnsTarget: field(
            z
              .looseObject({
                recordType: field(
                  z.enum(["CNAME", "A"]),
                  "Record the public name needs: `CNAME` to the NLB's DNS name (an alias A record at a zone apex), or `A` with the proxies' public addresses (DNS failover).",
                ),
                values: field(
                  z.array(z.string().min(1)).min(1),
                  "What the record points at: the NLB's DNS name, or the proxies' public addresses (primary first).",
                ),
                managedByStack: field(
                  z.boolean(),
                  "Whether the stack writes the record itself (Route53, `domain.route53ZoneId`); otherwise the operator creates it.",
                ),
              })
              .optional(),
            "What the public DNS name must point at; always present from contract 1.1.0 on (optional only for producers of 1.0.x).",
          ),
          proxyPrivateIps: field(
            z.array(z.ipv4()).min(1),
            "Private addresses of the load-balancer pair (clients inside the VPC, allow-lists).",
          ),
          caCertificatePem: field(
            z.string().startsWith("-----BEGIN CERTIFICATE-----").optional(),
            "PEM of the CA clients must trust (public); present only with self-signed TLS.",
          ),
        }),
        "How clients reach the API.",
      ),
      app: field(
        z.looseObject({
          securityGroupId: field(
            awsId("sg", "security group"),
            "Security group of the app servers: add an ingress rule on `port` from your service's group.",
          ),
          privateIps: field(z.array(z.ipv4()).min(1), "Private addresses of the app servers."),
          port: field(portNumber, "Port JAiRouter listens on (8080)."),
          redis: field(
            z
              .looseObject({
                endpoint: field(z.string().min(1), "Primary endpoint of the ElastiCache Redis group."),
                port: field(portNumber, "Redis port."),
              })
              .optional(),
            "The app's Redis cache; present only when Redis is enabled.",
          ),
        }),
        "The JAiRouter app tier.",
      ),
      monitoring: field(
        z.looseObject({
          securityGroupId: field(
            awsId("sg", "security group"),
            "Security group of the monitoring host: allow your Prometheus in on 9090 to federate.",
          ),
          privateIp: field(z.ipv4(), "Private address of the monitoring host."),
          prometheusUrl: field(z.url(), "Prometheus base URL (private); federate from its `/federate`."),
          alertmanagerUrl: field(z.url(), "Alertmanager base URL (private)."),
          grafanaUrl: field(z.url(), "Grafana base URL (private)."),
          tunnelCommands: field(
            z.looseObject({
              prometheus: field(z.string().min(1), "Port-forwarding command for Prometheus."),
              alertmanager: field(z.string().min(1), "Port-forwarding command for Alertmanager."),
              grafana: field(z.string().min(1), "Port-forwarding command for Grafana."),
            }),
            "SSM Session Manager commands that forward each UI to localhost.",
          ),
        }),
        "Prometheus, Alertmanager and Grafana.",
      ),
      backups: field(
        z.looseObject({
          bucketName: field(z.string().min(3), "S3 bucket holding the backups."),
          bucketArn: field(z.string().startsWith("arn:"), "ARN of the backup bucket (IAM policies)."),
          region: field(z.string().min(1), "AWS region of the bucket and of the whole stack."),
        }),
        "Where backups land.",
      ),
      secrets: field(
        z.looseObject({
          parameterPrefix: field(ssmPath, "SSM Parameter Store prefix under which every secret lives."),
          parameterPaths: field(
            z.record(z.string(), ssmPath),
            "SSM SecureString parameter path of each generated secret, by key; never a value.",
          ),
        }),
        "Where secrets are kept: paths only, read them with IAM access to SSM.",
      ),
    })
    .meta({
      title: "JAiRouter stack contract",
      description: "The structured, non-secret `contract` output of a JAiRouter stack.",
    });
}

export const contractSchema = contractSchemaFor(CONTRACT_MAJOR);

type HasNamedKeys<T> = [keyof { [K in keyof T as string extends K ? never : K]: 0 }] extends [never]
  ? false
  : true;

/**
 * A parsed value's type without the index signatures of open objects: they let later fields through
 * at runtime, but as types they would hide the named fields from Pulumi's lifted property access
 * (`contract.app.securityGroupId`). Maps (only an index signature) stay maps.
 */
type Named<T> = T extends readonly (infer E)[]
  ? Named<E>[]
  : T extends object
    ? HasNamedKeys<T> extends true
      ? { [K in keyof T as string extends K ? never : K]: Named<T[K]> }
      : { [K in keyof T]: Named<T[K]> }
    : T;

/** The contract as consumers see it. */
export type JairouterContract = Named<z.infer<typeof contractSchema>>;
