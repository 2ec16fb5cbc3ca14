// One drift run: cloud (refreshed preview), hosts (probe over SSH), apps (admin API through the
// host), continuous validation, then the report. The I/O is in the adapters passed in.
import { PROXY_RUNTIME_PATHS } from "../../../render/scripts/proxy-runtime";
import { appDrift } from "./app-drift";
import { parseAppProbe, renderAppProbe } from "./app-probe";
import { cloudDrift, type PreviewStep } from "./cloud-drift";
import type { ExpectedHost } from "./expected";
import { fixPlan } from "./fix";
import { hostDrift } from "./host-drift";
import { parseHostProbe, renderHostProbe, type HostListing } from "./host-probe";
import { emptyReport, newFindingKeys } from "./report";
import type { HostTransport } from "./transport";
import type { DriftReport, Unchecked, ValidationResult } from "./types";
import {
  appReadyCheck,
  backupCheck,
  certificateCheck,
  nlbTargetsCheck,
  proxyTargetsCheck,
  redisCheck,
  timerPeriodSeconds,
} from "./validation";

export interface DriftRunInput {
  stack: string;
  expectedFrom: DriftReport["expectedFrom"];
  hosts: ExpectedHost[];
  secrets: ReadonlySet<string>;
  /** Steps of the refreshed preview, or why there are none. */
  preview: { steps: PreviewStep[] } | { error: string };
  /** Target group name → `aws elbv2 describe-target-health` answer, or why it could not be read. */
  nlbTargets: Record<string, unknown | { error: string }>;
  transport: HostTransport;
  now: Date;
  previous?: DriftReport;
  fix?: boolean;
}

const BACKUP_TIMER = /\/jairouter-backup-(\w+)\.timer$/;

function failureReason(stderr: string, code: number): string {
  const last = stderr.trim().split("\n").filter(Boolean).slice(-2).join(" ");
  return `exit ${code}${last ? `: ${last.slice(0, 200)}` : ""}`;
}

async function probeHost(
  host: ExpectedHost,
  input: DriftRunInput,
  report: DriftReport,
): Promise<HostListing | undefined> {
  const timers = host.files.filter((f) => BACKUP_TIMER.test(f.path));
  const request = {
    files: host.files.map((f) => f.path),
    containers: host.containers.map((c) => c.name),
    certificates: host.files.filter((f) => f.path.endsWith("/cert.pem")).map((f) => f.path),
    backupModes: timers.map((t) => BACKUP_TIMER.exec(t.path)![1]!) as ("config" | "data")[],
    proxyEnv: host.files.some((f) => f.path === PROXY_RUNTIME_PATHS.env)
      ? PROXY_RUNTIME_PATHS.env
      : undefined,
  };
  const run = await input.transport.runScript(host, renderHostProbe(request));
  let listing: HostListing;
  try {
    if (run.code !== 0) throw new Error(failureReason(run.stderr, run.code));
    listing = parseHostProbe(run.stdout);
  } catch (e) {
    report.unchecked.push({
      section: "host",
      subject: host.name,
      reason: `host unreachable or probe failed (${(e as Error).message})`,
    });
    return undefined;
  }
  report.findings.push(...hostDrift(host, listing, input.secrets));
  for (const c of listing.certificates)
    report.validations.push(certificateCheck(`${host.name}:${c.path}`, c.notAfter, input.now));
  for (const t of timers) {
    const mode = BACKUP_TIMER.exec(t.path)![1]!;
    const seen = listing.backups.find((b) => b.mode === mode);
    let period: number;
    try {
      period = timerPeriodSeconds(t.content);
    } catch (e) {
      const subject = `${host.name} ${mode}`;
      report.unchecked.push({ section: "validation", subject, reason: (e as Error).message });
      continue;
    }
    report.validations.push(backupCheck(host.name, mode, seen?.exposition ?? null, period, input.now));
  }
  if (listing.proxy)
    report.validations.push(proxyTargetsCheck(host.name, listing.proxy.engine, listing.proxy.stat));
  return listing;
}

async function probeApp(host: ExpectedHost, input: DriftRunInput, report: DriftReport): Promise<void> {
  const app = host.app!;
  const run = await input.transport.runScript(host, renderAppProbe(app.url, app.adminPassword));
  let answer;
  try {
    if (run.code !== 0) throw new Error(failureReason(run.stderr, run.code));
    answer = parseAppProbe(run.stdout);
  } catch (e) {
    report.unchecked.push({
      section: "app",
      subject: host.name,
      reason: `admin API not readable (${(e as Error).message})`,
    });
    return;
  }
  report.validations.push(appReadyCheck(host.name, answer.healthCode, answer.health));
  const redisDeclared = host.containers.some((c) => c.env.REDIS_HOST !== undefined);
  report.validations.push(redisCheck(host.name, answer.health, redisDeclared));
  if (!answer.login) {
    report.unchecked.push({
      section: "app",
      subject: host.name,
      reason: "admin login refused: the routing could not be read",
    });
    return;
  }
  report.findings.push(...appDrift(host.name, app, answer));
}

function nlbValidations(targets: DriftRunInput["nlbTargets"], unchecked: Unchecked[]): ValidationResult[] {
  const out: ValidationResult[] = [];
  for (const [name, answer] of Object.entries(targets)) {
    if (answer && typeof answer === "object" && "error" in answer) {
      unchecked.push({
        section: "validation",
        subject: name,
        reason: String((answer as { error: string }).error),
      });
    } else out.push(nlbTargetsCheck(name, answer));
  }
  return out;
}

/** Runs every check and returns the report (with --fix, after re-applying what drifted). */
export async function runDrift(input: DriftRunInput): Promise<DriftReport> {
  const report = emptyReport(input.stack, input.now, input.expectedFrom);
  if ("error" in input.preview) {
    report.unchecked.push({ section: "cloud", subject: input.stack, reason: input.preview.error });
  } else {
    const cloud = cloudDrift(input.preview.steps, input.secrets);
    report.findings.push(...cloud.findings);
    report.benign.push(...cloud.benign);
  }
  // hosts one after another: each probe is one SSH session, and the job must not crowd the hosts
  for (const host of input.hosts) {
    const listing = await probeHost(host, input, report);
    const app = listing?.containers.find((c) => c.name === "jairouter");
    if (host.app && app?.exists && app.state === "running") await probeApp(host, input, report);
    else if (host.app && listing)
      report.unchecked.push({
        section: "app",
        subject: host.name,
        reason: "the jairouter container is not running",
      });
  }
  report.validations.push(...nlbValidations(input.nlbTargets, report.unchecked));
  report.newFindings = newFindingKeys(report.findings, input.previous);
  if (input.fix) {
    for (const step of fixPlan(report.findings, input.hosts)) {
      const run = await input.transport.rerun(step.commandLine, step.stdin);
      // only the exit code: a sync step's output can echo a provider key
      report.fixed.push(run.code === 0 ? step.label : `${step.label} (failed with exit ${run.code})`);
    }
  }
  return report;
}
