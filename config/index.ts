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
}

/** The one typed, frozen configuration every component receives. Nothing below reads pulumi.Config. */
export interface StackConfig {
  project: string;
  stack: string;
  settings: StackSettings;
  production: boolean;
  secrets: SecretOutputs;
}

function secretOrUndefined(value: string | undefined): pulumi.Output<string> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

/** Reads and validates the stack's configuration; throws one ConfigError listing every problem. */
export function loadStackConfig(): StackConfig {
  const { settings, secrets } = loadConfig(pulumi.runtime.allConfig());
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    settings,
    production: settings.environment === "production",
    secrets: {
      providerApiKeys: pulumi.secret(secrets.providerApiKeys),
      smtpPassword: secretOrUndefined(secrets.smtpPassword),
      tlsPrivateKey: secretOrUndefined(secrets.tlsPrivateKey),
    },
  };
}
