import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface SecretsArgs {
  /** SSM Parameter Store path prefix, e.g. /jairouter/prod; parameters go under <prefix>/<role>/. */
  parameterPrefix: string;
  /** Model provider API keys from secret config, stored beside the generated secrets. */
  providerApiKeys: pulumi.Output<Record<string, string>>;
  /** Tags for every resource. */
  tags: Record<string, string>;
}

/** The generated secrets of the stack; every Output here is secret. */
export interface StackSecrets {
  /** HS256 signing key of the app's JWTs (64 characters; the app requires 32 or more). */
  jwtSecret: pulumi.Output<string>;
  /** First password of the app's `admin` account (replaces the public default). */
  adminPassword: pulumi.Output<string>;
  /** API keys of the three roles of the production profile (R4.3). */
  apiKeys: { admin: pulumi.Output<string>; service: pulumi.Output<string>; readonly: pulumi.Output<string> };
  grafanaAdminPassword: pulumi.Output<string>;
  /** ElastiCache AUTH token (16-128 printable characters, none of / " @). */
  redisAuthToken: pulumi.Output<string>;
  /** Basic-auth password of the load balancers' stats page. */
  lbStatsPassword: pulumi.Output<string>;
}

interface Spec {
  key: string;
  length: number;
  description: string;
  /** The host role whose instance profile may read the parameter (least privilege). */
  role: "app" | "loadbalancer" | "monitoring";
}

// Letters and digits only: these values travel through env files, YAML placeholders, HTTP basic
// auth and Redis AUTH, and none of those should need escaping. 62^48 is far beyond brute force.
const SPECS: Spec[] = [
  { key: "jwt-secret", length: 64, description: "JAiRouter JWT signing secret", role: "app" },
  { key: "admin-password", length: 32, description: "JAiRouter initial admin password", role: "app" },
  { key: "api-key-admin", length: 48, description: "JAiRouter admin API key", role: "app" },
  { key: "api-key-service", length: 48, description: "JAiRouter service API key", role: "app" },
  { key: "api-key-readonly", length: 48, description: "JAiRouter read-only API key", role: "app" },
  { key: "grafana-admin-password", length: 32, description: "Grafana admin password", role: "monitoring" },
  { key: "redis-auth-token", length: 64, description: "Redis AUTH token", role: "app" },
  {
    key: "lb-stats-password",
    length: 32,
    description: "Load-balancer stats page password",
    role: "loadbalancer",
  },
];

/** Generates the stack's secrets and stores them as SSM SecureString for operators and scripts. */
export class Secrets extends pulumi.ComponentResource implements StackSecrets {
  public readonly jwtSecret: pulumi.Output<string>;
  public readonly adminPassword: pulumi.Output<string>;
  public readonly apiKeys: StackSecrets["apiKeys"];
  public readonly grafanaAdminPassword: pulumi.Output<string>;
  public readonly redisAuthToken: pulumi.Output<string>;
  public readonly lbStatsPassword: pulumi.Output<string>;
  /** SSM parameter names by secret key, for runbooks and backup scripts. */
  public readonly parameterNames: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:security:Secrets", name, {}, opts);
    const values: Record<string, pulumi.Output<string>> = {};
    this.parameterNames = {};
    for (const spec of SPECS) {
      const password = new random.RandomPassword(
        `${name}-${spec.key}`,
        { length: spec.length, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
        { parent: this },
      );
      values[spec.key] = pulumi.secret(password.result);
      this.parameterNames[spec.key] = this.store(
        name,
        args,
        `${spec.role}/${spec.key}`,
        spec.description,
        password.result,
      );
    }
    this.storeProviderKeys(name, args);

    this.jwtSecret = values["jwt-secret"]!;
    this.adminPassword = values["admin-password"]!;
    this.apiKeys = {
      admin: values["api-key-admin"]!,
      service: values["api-key-service"]!,
      readonly: values["api-key-readonly"]!,
    };
    this.grafanaAdminPassword = values["grafana-admin-password"]!;
    this.redisAuthToken = values["redis-auth-token"]!;
    this.lbStatsPassword = values["lb-stats-password"]!;
    this.registerOutputs({ parameterNames: this.parameterNames });
  }

  private store(
    name: string,
    args: SecretsArgs,
    key: string,
    description: string,
    value: pulumi.Input<string>,
  ) {
    const parameter = new aws.ssm.Parameter(
      `${name}-${key.replace("/", "-")}`,
      { name: `${args.parameterPrefix}/${key}`, type: "SecureString", value, description, tags: args.tags },
      { parent: this },
    );
    return parameter.name;
  }

  private storeProviderKeys(name: string, args: SecretsArgs) {
    // One parameter holds the whole map: the set of provider names is itself configuration the
    // synth and preview must not need to decrypt to plan resources.
    this.parameterNames["provider-api-keys"] = this.store(
      name,
      args,
      "app/provider-api-keys",
      "Model provider API keys (JSON map)",
      args.providerApiKeys.apply((keys) => JSON.stringify(keys)),
    );
  }
}
