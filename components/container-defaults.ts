import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** Hardening every container of the stack shares (R4.2): no capabilities, no privilege gain, capped logs. */
export const HARDENED_CONTAINER = {
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  logDriver: "json-file",
  logOpts: { "max-size": "100m", "max-file": "3" },
  restart: "unless-stopped",
} satisfies Partial<docker.ContainerArgs>;

/**
 * Label carrying the hashes of the files a container reads at start: a changed file changes the
 * label, and so replaces the container.
 */
export function configHashLabel(files: { contentHash: pulumi.Output<string> }[]) {
  return {
    label: "jairouter.config-sha256",
    value: pulumi.all(files.map((f) => f.contentHash)).apply((hashes) => hashes.join(",")),
  };
}
