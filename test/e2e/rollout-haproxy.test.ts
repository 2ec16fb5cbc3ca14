// Zero-downtime rollout through a real HAProxy: every backend replaced with the rendered drain and
// return scripts around it, then a config change through the rendered activate script.
import { describe, expect, it } from "vitest";
import { hasTool, toolsAvailable } from "../support/tools";
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
      expect(report.rollout.failedRequests).toEqual([]);
      expect(report.rollout.cutStreams).toEqual([]);
      expect(report.cutAtShutdown).toBe(0);
      expect(report.rollout.streams).toBeGreaterThanOrEqual(40);
      expect(report.activate).toMatchObject({ status: 0, liveIsNext: true });
      expect(report.reload?.failedRequests).toEqual([]);
      expect(report.reload?.cutStreams).toEqual([]);
      // every replaced backend serves again once the rollout is over
      for (const backend of report.backends)
        expect(report.reload?.servedBy[backend] ?? 0, backend).toBeGreaterThan(0);
    });

    it("without drain and return, the same rollout fails requests or cuts streams (the test can fail)", async () => {
      const report = await runRollout({
        engine: haproxyRolloutEngine,
        ...ADDRESSES,
        drain: false,
        reload: false,
      });
      const broken =
        report.rollout.failedRequests.length + report.rollout.cutStreams.length + report.cutAtShutdown;
      expect(broken).toBeGreaterThan(0);
    });
  },
);
