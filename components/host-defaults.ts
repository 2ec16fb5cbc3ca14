import type { DockerPackagePins, UbuntuRelease } from "../render/host-types";

/** Ubuntu LTS release every host runs; the AMI lookup and the Docker pins follow it. */
export const UBUNTU_RELEASE: UbuntuRelease = "24.04";

/** Canonical's AWS account, the only owner whose Ubuntu AMIs are accepted. */
export const CANONICAL_OWNER_ID = "099720109477";

/** Docker Engine, containerd and Compose plugin from Docker's apt repository, pinned per release. */
export const DOCKER_PINS: DockerPackagePins = {
  engine: "5:27.5.1-1~ubuntu.24.04~noble",
  containerd: "1.7.27-1",
  compose: "2.33.1-1~ubuntu.24.04~noble",
};

/** Where every host mounts its data volume, and the device name it is attached as. */
export const DATA_MOUNT = "/data";
export const DATA_DEVICE = "/dev/sdf";

/** Root volume size, GiB: the OS, Docker images and container logs (capped at 300 MB each). */
export const ROOT_VOLUME_GIB = 40;

/**
 * The exact AMI name of one Canonical build (gp3 "server" image) for an architecture. Canonical
 * publishes every build under the same name in every region, so one serial pins the whole fleet.
 */
export function ubuntuAmiName(architecture: "x86_64" | "arm64", build: string): string {
  const arch = architecture === "x86_64" ? "amd64" : "arm64";
  return `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-${UBUNTU_RELEASE}-${arch}-server-${build}`;
}
