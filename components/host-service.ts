import type * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { configHashLabel, dockerReadBackForm, HARDENED_CONTAINER } from "./container-defaults";

/** What a service needs of the host it runs on. */
export interface ServiceHost {
  hostName: string;
  /** The EC2 instance: a new instance means new containers, whatever else changed. */
  instanceId: pulumi.Output<string>;
  docker: docker.Provider;
}

/** A file placed on the host that the service reads at start (see hostFile). */
export interface ServiceFile {
  command: command.local.Command;
  contentHash: pulumi.Output<string>;
}

export type ServiceContainerSpec = Omit<
  docker.ContainerArgs,
  "name" | "image" | "labels" | "destroyGraceSeconds"
>;

export interface HostServiceArgs {
  /** Container name on the host: fixed, since ports, scripts and alerts refer to it. */
  container: string;
  /** Pinned image. */
  image: string;
  /** Files the service reads only at start: a changed file replaces the container. */
  files?: ServiceFile[];
  /** Everything else about the container; the stack's hardening is applied first. */
  spec: ServiceContainerSpec;
  labels?: { label: string; value: pulumi.Input<string> }[];
  /** Seconds `docker stop` waits for the process on replacement before SIGKILL (provider default: 0). */
  stopGraceSeconds: number;
  /** Resources that must be in place first (besides the files). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Resource name of the image, when it predates this function (`<name>-image` otherwise). */
  imageResourceName?: string;
}

export interface HostService {
  image: docker.RemoteImage;
  container: docker.Container;
}

/** Label tying a container to the EC2 instance it runs on. */
export const HOST_INSTANCE_LABEL = "jairouter.host-instance";

/**
 * One container on one host, the one way every component runs a service: the image is pulled on
 * that host, the container carries the stack's hardening and is written in the form the Docker
 * provider reads back (no perpetual diff after a refresh), and both are tied to the host's
 * instance. The Docker provider's `host` changes in place when an instance is replaced, so without
 * that tie a new host would silently stay without containers; with it, a new instance replaces
 * them (the old ones are removed over SSH first while the old host still runs: the instance itself
 * is delete-before-replace, see host.ts).
 */
export function hostService(
  host: ServiceHost,
  name: string,
  args: HostServiceArgs,
  parent: pulumi.Resource,
): HostService {
  const image = new docker.RemoteImage(
    args.imageResourceName ?? `${name}-image`,
    { name: args.image, keepLocally: true, triggers: { hostInstance: host.instanceId } },
    { parent, provider: host.docker },
  );
  const labels = [
    ...(args.files?.length ? [configHashLabel(args.files)] : []),
    { label: HOST_INSTANCE_LABEL, value: host.instanceId },
    ...(args.labels ?? []),
  ];
  const container = new docker.Container(
    name,
    {
      ...HARDENED_CONTAINER,
      ...dockerReadBackForm(args.spec),
      name: args.container,
      // By name (the pinned tag, visible in previews); the RemoteImage has pulled it on this host.
      image: image.name,
      labels,
      destroyGraceSeconds: args.stopGraceSeconds,
    },
    {
      parent,
      provider: host.docker,
      // Fixed name and host ports: the old container must go before the new one starts.
      deleteBeforeReplace: true,
      dependsOn: [...(args.files ?? []).map((f) => f.command), ...(args.dependsOn ?? [])],
    },
  );
  return { image, container };
}
