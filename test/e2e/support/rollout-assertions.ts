// What both engines' rollout e2e assert about a harness report (rollout-harness.ts).
import { expect } from "vitest";
import type { RolloutReport } from "./rollout-harness";

/** Nothing lost: no failed request, no cut stream, the config change live, every backend serving. */
export function expectNothingLost(report: RolloutReport): void {
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
}

/** Requests failed and streams cut, wherever they were lost (the drain-less run must lose some). */
export function lostCount(report: RolloutReport): number {
  return report.rollout.failedRequests.length + report.rollout.cutStreams.length + report.cutAtShutdown;
}
