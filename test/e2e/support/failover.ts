// A bounded stream of GET requests during which one backend dies: shared by the e2e tests and the
// benchmark, so both measure the same thing.
import { type TlsTrust, request } from "./client";
import type { EchoAnswer, StubBackend } from "./stub-backend";
import { sleep } from "./wait";

export interface KillDuringLoadOptions {
  /** URL of a `/echo` endpoint behind the load balancer. */
  url: string;
  trust: TlsTrust;
  /** Backend stopped while the requests run. */
  victim: StubBackend;
  /** Resolves once the load balancer has taken the victim out (bounded by the caller). */
  awaitDetection: () => Promise<void>;
  /** Parallel clients, each sending `requestsPerWorker` requests with `pauseMs` between them. */
  workers?: number;
  requestsPerWorker?: number;
  pauseMs?: number;
  /** When the victim is stopped, after the first request. */
  killAfterMs?: number;
}

export interface KillDuringLoadResult {
  /** Successful answers: when, and which backend answered. */
  answers: Array<{ at: number; backend: string }>;
  /** Every failed request: status or error message. */
  failures: string[];
  killedAt: number;
  /** Time from the kill until `awaitDetection` resolved. */
  detectedAfterMs: number;
}

/** Runs the load (300 requests over ~6 s by default), stops the victim mid-way, reports. */
export async function killDuringLoad(o: KillDuringLoadOptions): Promise<KillDuringLoadResult> {
  const answers: KillDuringLoadResult["answers"] = [];
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    for (let i = 0; i < (o.requestsPerWorker ?? 100); i++) {
      try {
        const res = await request(o.url, { tls: o.trust, timeoutMs: 5_000 });
        if (res.status === 200)
          answers.push({ at: Date.now(), backend: (JSON.parse(res.body) as EchoAnswer).backend });
        else failures.push(`status ${res.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
      await sleep(o.pauseMs ?? 50);
    }
  };
  const load = Promise.all(Array.from({ length: o.workers ?? 3 }, () => worker()));
  await sleep(o.killAfterMs ?? 1_500);
  await o.victim.stop();
  const killedAt = Date.now();
  const detection = o.awaitDetection().then(() => Date.now() - killedAt);
  // wait for both, so a failed detection still lets the load finish before the error surfaces
  const [detected] = await Promise.allSettled([detection, load]);
  if (detected.status === "rejected") throw detected.reason;
  return { answers, failures, killedAt, detectedAfterMs: detected.value };
}
