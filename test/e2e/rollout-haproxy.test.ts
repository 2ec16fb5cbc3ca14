// Zero-downtime rollout through a real HAProxy: every backend replaced with the rendered drain and
// return scripts around it, then a config change through the rendered activate script.
import { describe, expect, it } from "vitest";
import { hasTool, toolsAvailable } from "../support/tools";
import { expectNothingLost, lostCount } from "./support/rollout-assertions";
import { runRollout } from "./support/rollout-harness";
import { haproxyRolloutEngine } from "./support/rollout-haproxy";

const ADDRESSES = {
  backendHost: "127.0.0.141",
  backendPorts: [28181, 28182, 28183],
  proxyAddress: "127.0.0.151",
};
// the scripts reach the admin socket with nc -U, or python3 where nc is missing
const adminClient = hasTool("nc") || toolsAvailable("python3");

describe.skipIf(!toolsAvailable("haproxy", "openssl", "curl") || !adminClient)(
  "HAProxy rollout (real daemon)",
  () => {
    it("replaces every backend and reloads the proxy without a failed request or a cut stream", async () => {
      const report = await runRollout({ engine: haproxyRolloutEngine, ...ADDRESSES });
      expectNothingLost(report);
    });

    it("without drain and return, the same rollout fails requests or cuts streams (the test can fail)", async () => {
      const report = await runRollout({
        engine: haproxyRolloutEngine,
        ...ADDRESSES,
        drain: false,
        reload: false,
      });
      expect(lostCount(report)).toBeGreaterThan(0);
    });
  },
);
