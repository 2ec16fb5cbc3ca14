// Zero-downtime rollout through a real Nginx: every backend replaced with the rendered drain and
// return scripts around it (a drain is a reload with the server `down`), then a config change
// through the rendered activate script.
import { describe, expect, it } from "vitest";
import { toolsAvailable } from "../support/tools";
import { expectNothingLost, lostCount } from "./support/rollout-assertions";
import { runRollout } from "./support/rollout-harness";
import { nginxRolloutEngine } from "./support/rollout-nginx";

const ADDRESSES = {
  backendHost: "127.0.0.161",
  backendPorts: [28281, 28282, 28283],
  proxyAddress: "127.0.0.171",
};

describe.skipIf(!toolsAvailable("nginx", "openssl", "curl", "flock"))("Nginx rollout (real daemon)", () => {
  it("replaces every backend and reloads the proxy without a failed request or a cut stream", async () => {
    const report = await runRollout({ engine: nginxRolloutEngine, ...ADDRESSES });
    expectNothingLost(report);
    // each drain waited for the streams in flight at its reload, and none hit its window
    for (const s of report.steps.filter((x) => x.step.startsWith("drain "))) {
      expect(s.output, s.step).toMatch(/drained app\d/);
    }
  });

  it("without drain and return, the same rollout fails requests or cuts streams (the test can fail)", async () => {
    const report = await runRollout({
      engine: nginxRolloutEngine,
      ...ADDRESSES,
      drain: false,
      reload: false,
    });
    expect(lostCount(report)).toBeGreaterThan(0);
  });
});
