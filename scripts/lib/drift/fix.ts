// --fix: which recorded commands re-apply the drifted items, and only those. Pure selection.
import type { ExpectedHost } from "./expected";
import type { DriftFinding } from "./types";

export interface FixStep {
  /** What is re-applied, for the report (`host:path` or `replica routing`). */
  label: string;
  commandLine: string;
  stdin: string;
}

/**
 * One step per drifted placed file (its host-file command: write to a temp file, then rename) and
 * one model sync per replica whose routing drifted. Containers and cloud resources are left to
 * `pulumi up`: replacing them is a deployment, not a repair.
 */
export function fixPlan(findings: DriftFinding[], hosts: ExpectedHost[]): FixStep[] {
  const steps: FixStep[] = [];
  for (const host of hosts) {
    for (const file of host.files) {
      const subject = `${host.name}:${file.path}`;
      if (findings.some((f) => f.section === "host" && f.subject === subject)) {
        steps.push({ label: subject, commandLine: file.create, stdin: file.content });
      }
    }
    if (host.app && findings.some((f) => f.section === "app" && f.subject.startsWith(`${host.name}/`))) {
      steps.push({
        label: `${host.name} model routing`,
        commandLine: host.app.syncCreate,
        stdin: host.app.syncStdin,
      });
    }
  }
  return steps;
}
