import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { PROXY_RUNTIME_PATHS } from "../render/scripts/proxy-runtime";
import { namedHostSshCommand, shellQuote, type NamedHost, type SshAccess } from "./ssh";

/** The load balancers as the app rollout sees them (see LoadBalancerPair.rotation). */
export interface ProxyRotation {
  /** Each proxy host by name and planned address: no reference to its instance (ssh.ts). */
  hosts: NamedHost[];
  /** Everything that must be in place before a drain or return can run (scripts, proxies). */
  ready: pulumi.Resource[];
  /** How long a drain waits for in-flight requests (appServers.drainSeconds). */
  drainSeconds: number;
}

/** The proxies' name for app host `i` (its server line in haproxy.cfg / nginx.conf). */
export function appServerName(i: number): string {
  return `app-${i}`;
}

interface RotationOptions {
  parent: pulumi.Resource;
  dependsOn: pulumi.Input<pulumi.Resource>[];
  /** What replaces the membership: the app container's id (a new container is drained first). */
  triggers: pulumi.Input<unknown>[];
}

/**
 * An app server's place in the proxies' rotation as a resource whose lifecycle is the membership:
 * creating it returns the server to rotation on every proxy, one after the other; deleting it
 * drains the server on all proxies at once and waits (up to the drain window) until its in-flight
 * requests have ended. Pulumi deletes it before whatever it depends on is replaced or deleted (the
 * container, the host), so every replacement of an app container, whatever causes it, is preceded
 * by a drain and followed by a return. A proxy that cannot be reached during a drain is reported and
 * skipped: it cannot send the server anything either.
 */
export function rotationMembership(
  name: string,
  server: string,
  proxies: ProxyRotation,
  access: SshAccess,
  opts: RotationOptions,
): command.local.Command {
  if (!/^[a-z0-9-]+$/.test(server)) throw new Error(`rotation: "${server}" is not a server name`);
  const on = (host: ProxyRotation["hosts"][number], script: string, ...args: (string | number)[]) =>
    namedHostSshCommand(access, host, ["sudo", script, ...args.map(String)].map(shellQuote).join(" "));
  const returnAll = proxies.hosts.map((h) => on(h, PROXY_RUNTIME_PATHS.ret, server)).join(" && ");
  const drainAll = [
    ...proxies.hosts.map(
      (h) =>
        `{ ${on(h, PROXY_RUNTIME_PATHS.drain, server, proxies.drainSeconds)} || echo ${shellQuote(`warning: could not drain ${server} on ${h.name}`)} >&2; } &`,
    ),
    "wait",
  ].join(" ");
  return new command.local.Command(
    name,
    { create: returnAll, delete: drainAll, triggers: opts.triggers },
    {
      parent: opts.parent,
      dependsOn: opts.dependsOn,
      customTimeouts: { create: "10m", delete: `${Math.ceil(proxies.drainSeconds / 60) + 5}m` },
    },
  );
}
