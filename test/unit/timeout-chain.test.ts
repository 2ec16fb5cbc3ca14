import { describe, expect, it } from "vitest";
import { APP_STOP_GRACE_SECONDS } from "../../components/app-cluster";
import {
  assertTimeoutChain,
  LONGEST_MODEL_CALL_SECONDS,
  timeoutChainProblems,
  type TimeoutChain,
} from "../../components/timeout-chain";
import { APP_SHUTDOWN_PHASE_SECONDS } from "../../render/application-yml";
import { defaultLbTunables } from "../../render/lb-common";

/** The chain as the stack builds it with the default drain window. */
const stackChain: TimeoutChain = {
  drainWindowSeconds: 300,
  nlbDeregistrationDelaySeconds: 300,
  appShutdownPhaseSeconds: APP_SHUTDOWN_PHASE_SECONDS,
  containerStopGraceSeconds: APP_STOP_GRACE_SECONDS,
  proxyAnswerTimeoutSeconds: defaultLbTunables().timeouts.serverMs / 1000,
  longestModelCallSeconds: LONGEST_MODEL_CALL_SECONDS,
};

describe("timeout chain", () => {
  it("holds for the stack's own values", () => {
    expect(timeoutChainProblems(stackChain)).toEqual([]);
    expect(() => assertTimeoutChain(stackChain)).not.toThrow();
  });

  it.each([
    [
      "an NLB that forgets a proxy before its drain ends",
      { nlbDeregistrationDelaySeconds: 299 },
      /deregistration delay \(299 s\).*drain window \(300 s\)/,
    ],
    [
      "Docker killing the app mid-shutdown",
      { containerStopGraceSeconds: APP_SHUTDOWN_PHASE_SECONDS },
      /stop grace \(30 s\).*shutdown phase \(30 s\)/,
    ],
    [
      "a proxy that cuts a legitimate model call",
      { proxyAnswerTimeoutSeconds: 120 },
      /answer timeout \(120 s\).*longest model call \(300 s\)/,
    ],
  ])("fails on %s, naming both ends", (_why, broken, message) => {
    const chain = { ...stackChain, ...broken };
    expect(timeoutChainProblems(chain)).toHaveLength(1);
    expect(() => assertTimeoutChain(chain)).toThrow(message);
  });
});
