/**
 * The timeouts a zero-downtime change depends on, and the order they must keep. A streamed chat
 * completion survives a rollout only if every link holds: the proxies wait for it while draining, the
 * NLB keeps a deregistered proxy's connections as long as a drain lasts, Docker gives the app more
 * time to stop than Spring's graceful shutdown takes, and the proxies let an answer run as long as
 * the longest model call the stack allows.
 */
export interface TimeoutChain {
  /** How long a drained app host keeps serving its in-flight requests (appServers.drainSeconds). */
  drainWindowSeconds: number;
  /** How long the NLB keeps a deregistered target's connections. */
  nlbDeregistrationDelaySeconds: number;
  /** Spring Boot's `spring.lifecycle.timeout-per-shutdown-phase`. */
  appShutdownPhaseSeconds: number;
  /** What `docker stop` gives the app before SIGKILL (the container's destroyGraceSeconds). */
  containerStopGraceSeconds: number;
  /** The proxies' timeout for a backend's answer (HAProxy `timeout server`, Nginx `proxy_read_timeout`). */
  proxyAnswerTimeoutSeconds: number;
  /** The longest model call the stack allows (R3.6). */
  longestModelCallSeconds: number;
}

/** R3.6: model calls may take up to 300 s. */
export const LONGEST_MODEL_CALL_SECONDS = 300;

/** Every broken link of the chain, each naming both ends; empty when the chain holds. */
export function timeoutChainProblems(c: TimeoutChain): string[] {
  const problems: string[] = [];
  if (c.nlbDeregistrationDelaySeconds < c.drainWindowSeconds)
    problems.push(
      `the NLB's deregistration delay (${c.nlbDeregistrationDelaySeconds} s) is shorter than the drain window (${c.drainWindowSeconds} s): a proxy leaving the NLB would cut streams the drain still waits for`,
    );
  if (c.containerStopGraceSeconds <= c.appShutdownPhaseSeconds)
    problems.push(
      `the container's stop grace (${c.containerStopGraceSeconds} s) is not longer than the app's shutdown phase (${c.appShutdownPhaseSeconds} s): Docker would kill the app mid-shutdown`,
    );
  if (c.proxyAnswerTimeoutSeconds < c.longestModelCallSeconds)
    problems.push(
      `the proxies' answer timeout (${c.proxyAnswerTimeoutSeconds} s) is shorter than the longest model call (${c.longestModelCallSeconds} s): the proxy would cut a legitimate answer`,
    );
  return problems;
}

/** Throws one error listing every broken link. */
export function assertTimeoutChain(c: TimeoutChain): void {
  const problems = timeoutChainProblems(c);
  if (problems.length > 0) throw new Error(`timeout chain broken:\n  - ${problems.join("\n  - ")}`);
}
