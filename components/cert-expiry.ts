import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { certExpiryHostFiles, renderCertExpiryActivateScript } from "../render/cert-expiry";
import type { Host } from "./host";
import { sha256 } from "./ssh";

/**
 * Places the certificate-expiry gauge on a proxy host (script, service, timer; nothing secret) and
 * turns it on. The activation runs again when the placed certificate changes (a renewal), so the
 * gauge never reports the old notAfter for up to an hour, and on a new instance.
 * Day 2: all of it is new resources beside the proxy's; nothing existing is replaced for it.
 */
export function installCertExpiryGauge(
  host: Host,
  hostName: string,
  certificateFile: string,
  placedCertificate: { command: command.local.Command; contentHash: pulumi.Output<string> },
  parent: pulumi.Resource,
): command.local.Command {
  const files = certExpiryHostFiles({ certificateFile });
  const placed = files.map((f) =>
    host.placeFile(
      `${hostName}-${f.key}`,
      { path: f.path, content: f.content, mode: f.mode, owner: "0:0" },
      parent,
    ),
  );
  const activate = renderCertExpiryActivateScript();
  return new command.local.Command(
    `${hostName}-cert-expiry-gauge`,
    {
      create: host.commandLine("sudo bash -s"),
      stdin: activate,
      triggers: [
        pulumi.all(placed.map((p) => p.contentHash)).apply((h) => sha256(h.join() + activate)),
        placedCertificate.contentHash,
        host.instanceId,
      ],
    },
    { parent, dependsOn: [...placed.map((p) => p.command), placedCertificate.command] },
  );
}
