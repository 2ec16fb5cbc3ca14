import type { TierSpec } from "../config/tiers";

/** Resource limits of the JAiRouter container on a host of the given size. */
export interface AppContainerLimits {
  memoryMb: number;
  memoryReservationMb: number;
  cpus: string;
  heapMb: number;
}

/**
 * The host keeps max(2 GiB, 1/8 of memory) for the OS, Docker and node-exporter; the container
 * gets the rest, and the Java heap a fixed share of that (the JVM also needs metaspace, threads,
 * direct buffers for Netty and code cache outside the heap).
 */
export function appContainerLimits(size: TierSpec, heapPercent: number): AppContainerLimits {
  const hostMb = Math.floor(size.memoryGiB * 1024);
  const memoryMb = hostMb - Math.max(2048, Math.floor(hostMb / 8));
  return {
    memoryMb,
    memoryReservationMb: Math.floor(memoryMb * 0.75),
    cpus: String(Math.max(1, size.vcpu - 0.5)),
    heapMb: Math.floor((memoryMb * heapPercent) / 100),
  };
}

/**
 * JAVA_OPTS, always explicit: the image's default carries -Xmx512m, which would beat any
 * percentage setting. Fixed heap (Xms = Xmx) avoids resize pauses on a dedicated host.
 */
export function javaOptions(heapMb: number): string {
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=200",
    "-XX:+UseStringDeduplication",
    "-XX:+HeapDumpOnOutOfMemoryError",
    "-XX:HeapDumpPath=/app/logs",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.security.egd=file:/dev/./urandom",
  ].join(" ");
}
