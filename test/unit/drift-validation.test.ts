import { describe, expect, it } from "vitest";
import { renderBackupTimer } from "../../render/backup";
import {
  appReadyCheck,
  backupCheck,
  certificateCheck,
  nlbTargetsCheck,
  proxyTargetsCheck,
  redisCheck,
  timerPeriodSeconds,
} from "../../scripts/lib/drift/validation";

const NOW = new Date("2026-11-30T05:17:00Z");
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe("continuous validation", () => {
  it("counts a certificate's days left from openssl's notAfter", () => {
    expect(certificateCheck("lb-0", "Mar  1 12:00:00 2027 GMT", NOW)).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/^91 days left/),
    });
    expect(certificateCheck("lb-0", "Dec 10 00:00:00 2026 GMT", NOW)).toMatchObject({
      status: "failed",
      detail: expect.stringMatching(/^9 days left/),
    });
    expect(certificateCheck("lb-0", null, NOW).status).toBe("failed");
  });

  it("reads the backup timers' schedule as the stack renders it", () => {
    expect(timerPeriodSeconds(renderBackupTimer("data"))).toBe(86_400);
    expect(timerPeriodSeconds("[Timer]\nOnCalendar=hourly\n")).toBe(3600);
    expect(() => timerPeriodSeconds("[Timer]\nOnCalendar=Mon..Fri 02:00\n")).toThrow(
      /OnCalendar=Mon..Fri 02:00/,
    );
  });

  it("fails a backup older than its schedule allows, from the gauge the script leaves", () => {
    const gauges = (ts: number) =>
      `# HELP x\njairouter_backup_last_success_timestamp_seconds{mode="config"} ${ts}\njairouter_backup_last_success_timestamp_seconds{mode="data"} 0\n`;
    expect(backupCheck("app-0", "config", gauges(at("2026-11-30T02:04:00Z")), 86_400, NOW).status).toBe("ok");
    expect(backupCheck("app-0", "config", gauges(at("2026-11-28T02:04:00Z")), 86_400, NOW)).toMatchObject({
      status: "failed",
      detail: "last success 51.2 h ago (limit 26.0 h)",
    });
    expect(backupCheck("app-0", "data", gauges(at("2026-11-30T02:04:00Z")), 86_400, NOW).status).toBe(
      "failed",
    );
    expect(backupCheck("app-0", "config", null, 86_400, NOW).detail).toBe("no successful backup recorded");
  });

  it("needs every app ready, and Redis UP when the stack declares it", () => {
    expect(appReadyCheck("app-0", 200, { status: "UP" }).status).toBe("ok");
    expect(appReadyCheck("app-0", 503, { status: "DOWN" }).status).toBe("failed");
    const health = (redis?: string) => ({
      status: "UP",
      components: redis ? { redis: { status: redis } } : {},
    });
    expect(redisCheck("app-0", health("UP"), true).status).toBe("ok");
    expect(redisCheck("app-0", health("DOWN"), true)).toMatchObject({
      status: "failed",
      detail: "redis DOWN",
    });
    expect(redisCheck("app-0", health(), true).status).toBe("unknown");
    expect(redisCheck("app-0", health(), false).status).toBe("ok");
  });

  it("needs every NLB target healthy and every proxy server up", () => {
    const tg = (...states: string[]) => ({
      TargetHealthDescriptions: states.map((s, i) => ({
        Target: { Id: `i-0${i}`, Port: 443 },
        TargetHealth: { State: s },
      })),
    });
    expect(nlbTargetsCheck("tcp-443", tg("healthy", "healthy")).status).toBe("ok");
    expect(nlbTargetsCheck("tcp-443", tg("healthy", "unhealthy"))).toMatchObject({
      status: "failed",
      detail: "1/2 healthy; i-01:443 unhealthy",
    });
    expect(nlbTargetsCheck("tcp-443", tg()).status).toBe("failed");
    const header =
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status";
    const row = (px: string, sv: string, status: string) =>
      `${px},${sv},0,0,0,0,,0,0,0,0,0,,0,0,0,0,${status},`;
    const csv = [
      header,
      row("fe_https", "FRONTEND", "OPEN"),
      row("be_jairouter", "app-0", "UP"),
      row("be_jairouter", "app-1", "DOWN"),
      row("be_jairouter", "BACKEND", "UP"),
    ].join("\n");
    expect(proxyTargetsCheck("lb-0", "haproxy", csv)).toMatchObject({
      status: "failed",
      detail: "1/2 up; be_jairouter/app-1 DOWN",
    });
    expect(proxyTargetsCheck("lb-0", "nginx", null).status).toBe("unknown");
  });
});
