// Continuous validation: checks of what should hold while nothing drifted (HCP Terraform's
// "health assessments"). Each is a pure function of what a probe read and of the clock.
import { BACKUP_METRICS } from "../../../render/backup";
import type { ValidationResult } from "./types";

const DAY = 86_400;

/** Certificate: fails with fewer than `minDays` days left (or when it cannot be read). */
export function certificateCheck(
  subject: string,
  notAfter: string | null,
  now: Date,
  minDays = 21,
): ValidationResult {
  const end = notAfter === null ? NaN : Date.parse(notAfter);
  if (Number.isNaN(end))
    return { check: "certificate", subject, status: "failed", detail: "no readable certificate" };
  const days = Math.floor((end - now.getTime()) / (DAY * 1000));
  return {
    check: "certificate",
    subject,
    status: days >= minDays ? "ok" : "failed",
    detail: `${days} days left (expires ${new Date(end).toISOString()}; minimum ${minDays})`,
  };
}

/** Seconds between two runs of a systemd timer's OnCalendar (daily, hourly, weekly, `*-*-* HH:MM:SS`). */
export function timerPeriodSeconds(timerUnit: string): number {
  const spec = /^OnCalendar=(.+)$/m.exec(timerUnit)?.[1]?.trim();
  if (!spec) throw new Error("the timer unit has no OnCalendar= line");
  const named: Record<string, number> = { hourly: 3600, daily: DAY, weekly: 7 * DAY };
  if (named[spec] !== undefined) return named[spec];
  if (/^\*-\*-\* \d{1,2}:\d{2}(:\d{2})?( UTC)?$/.test(spec)) return DAY;
  if (/^\*-\*-\* \*:\d{2}(:\d{2})?( UTC)?$/.test(spec)) return 3600;
  throw new Error(
    `OnCalendar=${spec} is not a schedule the drift check reads (daily, hourly, weekly, *-*-* HH:MM)`,
  );
}

/** The value of `name{mode="<mode>"}` in a text exposition. */
function gauge(exposition: string, name: string, mode: string): number | undefined {
  for (const line of exposition.split("\n")) {
    const m = /^(\w+)\{([^}]*)\}\s+(\S+)$/.exec(line.trim());
    if (m && m[1] === name && m[2]!.includes(`mode="${mode}"`)) return Number(m[3]);
  }
  return undefined;
}

/**
 * Backup: the last success must be younger than one period plus `slackSeconds` (the timers'
 * random delay and the run itself).
 */
export function backupCheck(
  subject: string,
  mode: string,
  exposition: string | null,
  periodSeconds: number,
  now: Date,
  slackSeconds = 2 * 3600,
): ValidationResult {
  const last = exposition === null ? undefined : gauge(exposition, BACKUP_METRICS.lastSuccess, mode);
  const who = `${subject} ${mode}`;
  if (last === undefined || Number.isNaN(last) || last <= 0) {
    return { check: "backup", subject: who, status: "failed", detail: "no successful backup recorded" };
  }
  const age = Math.round(now.getTime() / 1000 - last);
  const limit = periodSeconds + slackSeconds;
  return {
    check: "backup",
    subject: who,
    status: age <= limit ? "ok" : "failed",
    detail: `last success ${(age / 3600).toFixed(1)} h ago (limit ${(limit / 3600).toFixed(1)} h)`,
  };
}

/** App ready: /actuator/health answers 200 with status UP. */
export function appReadyCheck(
  subject: string,
  code: number,
  health: Record<string, unknown> | null,
): ValidationResult {
  const status = String(health?.status ?? "none");
  const ok = code === 200 && status === "UP";
  return {
    check: "app-ready",
    subject,
    status: ok ? "ok" : "failed",
    detail: `HTTP ${code}, status ${status}`,
  };
}

/**
 * Redis as the app reports it (the `redis` component of its health, shown to the admin): UP when
 * the stack gives it Redis. Not reported: unknown, not failed (the app version may not list it).
 */
export function redisCheck(
  subject: string,
  health: Record<string, unknown> | null,
  redisDeclared: boolean,
): ValidationResult {
  const components = (health?.components ?? {}) as Record<string, { status?: string } | undefined>;
  const redis = components.redis?.status;
  if (!redisDeclared) {
    return redis === undefined || redis === "UP"
      ? { check: "redis", subject, status: "ok", detail: "no Redis declared; state stays per replica" }
      : {
          check: "redis",
          subject,
          status: "failed",
          detail: `no Redis declared but the app reports redis ${redis}`,
        };
  }
  if (redis === undefined)
    return { check: "redis", subject, status: "unknown", detail: "the app's health does not list redis" };
  return { check: "redis", subject, status: redis === "UP" ? "ok" : "failed", detail: `redis ${redis}` };
}

/** NLB targets: every registered target healthy (aws elbv2 describe-target-health answer). */
export function nlbTargetsCheck(subject: string, answer: unknown): ValidationResult {
  const list = ((answer as { TargetHealthDescriptions?: unknown[] })?.TargetHealthDescriptions ?? []) as {
    Target?: { Id?: string; Port?: number };
    TargetHealth?: { State?: string };
  }[];
  const bad = list.filter((t) => t.TargetHealth?.State !== "healthy");
  const detail =
    list.length === 0
      ? "no registered target"
      : `${list.length - bad.length}/${list.length} healthy${bad.length ? `; ${bad.map((t) => `${t.Target?.Id}:${t.Target?.Port} ${t.TargetHealth?.State}`).join(", ")}` : ""}`;
  return {
    check: "nlb-targets",
    subject,
    status: list.length > 0 && bad.length === 0 ? "ok" : "failed",
    detail,
  };
}

/** Proxy targets: HAProxy's `show stat` CSV; every server of every backend UP. Nginx OSS cannot say. */
export function proxyTargetsCheck(subject: string, engine: string, csv: string | null): ValidationResult {
  if (engine !== "haproxy") {
    return {
      check: "proxy-targets",
      subject,
      status: "unknown",
      detail: `${engine} does not expose per-server health`,
    };
  }
  if (csv === null)
    return { check: "proxy-targets", subject, status: "failed", detail: "the runtime API did not answer" };
  const servers = csv
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(","))
    .filter((c) => c[1] !== "FRONTEND" && c[1] !== "BACKEND" && c.length > 17);
  const down = servers.filter((c) => !c[17]!.startsWith("UP") && c[17] !== "no check");
  const detail =
    servers.length === 0
      ? "no servers"
      : `${servers.length - down.length}/${servers.length} up${down.length ? `; ${down.map((c) => `${c[0]}/${c[1]} ${c[17]}`).join(", ")}` : ""}`;
  return {
    check: "proxy-targets",
    subject,
    status: servers.length > 0 && down.length === 0 ? "ok" : "failed",
    detail,
  };
}
