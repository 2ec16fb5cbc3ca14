import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./load";
import type { StackSettings } from "./schema";

export { ConfigError } from "./errors";
export { loadConfig } from "./load";
export type { RawConfigValues, SecretValues } from "./load";
export * from "./schema";
export * from "./tiers";

/** Secret configuration as secret Outputs: they stay encrypted in state and redacted in previews. */
export interface SecretOutputs {
  providerApiKeys: pulumi.Output<Record<string, string>>;
  smtpPassword?: pulumi.Output<string>;
  tlsPrivateKey?: pulumi.Output<string>;
  dockerHubToken?: pulumi.Output<string>;
}

/** The one typed, frozen configuration every component receives. Nothing below reads pulumi.Config. */
export interface StackConfig {
  project: string;
  stack: string;
  /** `aws:region`: the SSM tunnels and the backup scripts name it explicitly. */
  region: string;
  settings: StackSettings;
  production: boolean;
  secrets: SecretOutputs;
}

function secretOrUndefined(value: string | undefined): pulumi.Output<string> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

/** Reads and validates the stack's configuration; throws one ConfigError listing every problem. */
export function loadStackConfig(): StackConfig {
  const all = pulumi.runtime.allConfig();
  const { settings, secrets } = loadConfig(all);
  const region = all["aws:region"];
  if (!region) {
    throw new Error(
      "invalid stack configuration; nothing was deployed:\n  - aws:region: is not set; set it with: pulumi config set aws:region eu-west-1",
    );
  }
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    region,
    settings,
    production: settings.environment === "production",
    secrets: {
      providerApiKeys: pulumi.secret(secrets.providerApiKeys),
      smtpPassword: secretOrUndefined(secrets.smtpPassword),
      tlsPrivateKey: secretOrUndefined(secrets.tlsPrivateKey),
      dockerHubToken: secretOrUndefined(secrets.dockerHubToken),
    },
  };
}
