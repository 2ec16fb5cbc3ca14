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

/**
 * A duration written as Go's `time.Duration.String()` prints it ("180s" → "3m0s", "1h" → "1h0m0s"):
 * the Docker provider reads health-check durations back in that form, so any other spelling shows a
 * change on every preview after a refresh.
 */
export function goDuration(text: string): string {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === "") throw new Error(`"${text}" is not a whole-second duration like 15s, 3m or 1h`);
  const total = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

type HealthcheckInput = NonNullable<docker.ContainerArgs["healthcheck"]>;

/**
 * The container inputs in the form the Docker provider reads back: health-check durations as Go
 * durations, and `memorySwap` explicit (Docker reports twice the memory limit when it is unset;
 * equal to the memory limit means no swap, which a latency-bound gateway wants anyway).
 */
export function dockerReadBackForm<T extends Partial<docker.ContainerArgs>>(spec: T): T {
  const out: T = { ...spec };
  const health = spec.healthcheck as HealthcheckInput | undefined;
  if (health && !pulumi.Output.isInstance(health)) {
    const h = health as Record<string, unknown>;
    const normal: Record<string, unknown> = { ...h };
    for (const key of ["interval", "timeout", "startPeriod", "startInterval"]) {
      if (typeof h[key] === "string") normal[key] = goDuration(h[key]);
    }
    out.healthcheck = normal as unknown as T["healthcheck"];
  }
  if (spec.memory !== undefined && spec.memorySwap === undefined) {
    out.memorySwap = spec.memory as T["memorySwap"];
  }
  return out;
}
