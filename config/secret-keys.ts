import type { StackSettings } from "./schema";

/**
 * Secret configuration keys. They live beside the plain keys in the `jairouter` namespace but are
 * never committed: the operator sets them with `pulumi config set --secret`.
 */
export const SECRET_KEYS = {
  providerApiKeys: {
    description:
      "Map of model provider API keys, referenced by `models.services.*.instances[].apiKeyRef`. Set one entry with `pulumi config set --secret --path 'jairouter:providerApiKeys.openai' sk-...`.",
    setCommand: "pulumi config set --secret --path 'jairouter:providerApiKeys.<name>' <key>",
  },
  smtpPassword: {
    description: "Password of the SMTP login used by Alertmanager's email receiver.",
    setCommand: "pulumi config set --secret jairouter:smtpPassword <password>",
  },
  tlsPrivateKey: {
    description: "PEM private key matching `tls.certificate` (`tls.mode: provided`).",
    setCommand: "pulumi config set --secret jairouter:tlsPrivateKey < server.key",
  },
  dockerHubToken: {
    description: "Docker Hub access token (read-only scope) of `registry.dockerHubUser`.",
    setCommand: "pulumi config set --secret jairouter:dockerHubToken <token>",
  },
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;

export interface RequiredSecret {
  key: SecretKey;
  /** For map-valued secrets: the entry that must exist. */
  entry?: string;
  /** Why the stack needs it. */
  reason: string;
}

/** The secrets a given configuration cannot deploy without. */
export function requiredSecrets(settings: StackSettings): RequiredSecret[] {
  const required: RequiredSecret[] = [];
  const refs = new Set<string>();
  for (const [type, service] of Object.entries(settings.models.services)) {
    for (const instance of service?.instances ?? []) {
      if (instance.apiKeyRef && !refs.has(instance.apiKeyRef)) {
        refs.add(instance.apiKeyRef);
        required.push({
          key: "providerApiKeys",
          entry: instance.apiKeyRef,
          reason: `models.services.${type} instance ${instance.name} sends it`,
        });
      }
    }
  }
  if (settings.monitoring.alerts.email) {
    required.push({ key: "smtpPassword", reason: "monitoring.alerts.email is configured" });
  }
  if (settings.registry.dockerHubUser) {
    required.push({ key: "dockerHubToken", reason: "registry.dockerHubUser is set" });
  }
  if (settings.tls.mode === "provided") {
    required.push({ key: "tlsPrivateKey", reason: "tls.mode is provided" });
  }
  return required;
}

export function setCommandFor(secret: RequiredSecret): string {
  if (secret.key === "providerApiKeys" && secret.entry) {
    return `pulumi config set --secret --path 'jairouter:providerApiKeys.${secret.entry}' <key>`;
  }
  return SECRET_KEYS[secret.key].setCommand;
}
