import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAlertmanagerConfig } from "../../render/alertmanager";
import { run, toolsAvailable } from "../support/tools";
import { sampleAlertmanagerInput, withFiles } from "./fixtures/monitoring/inputs";

interface Receiver {
  name: string;
  email_configs?: Record<string, unknown>[];
  webhook_configs?: { url: string; send_resolved: boolean }[];
}
interface AmConfig {
  route: { receiver: string; group_by: string[]; routes: { receiver: string; matchers: string[] }[] };
  receivers: Receiver[];
  inhibit_rules: Record<string, string[]>[];
}

const input = sampleAlertmanagerInput();
const text = renderAlertmanagerConfig(input);
const config = parse(text) as AmConfig;
const receiver = (name: string) => config.receivers.find((r) => r.name === name);

describe("renderAlertmanagerConfig", () => {
  it("groups by alertname, cluster and service and routes by severity (R5.3)", () => {
    expect(config.route.group_by).toEqual(["alertname", "cluster", "service"]);
    expect(config.route.routes.map((r) => [r.matchers, r.receiver])).toEqual([
      [['severity="critical"'], "critical"],
      [['severity="warning"'], "warning"],
    ]);
  });

  it("mails critical alerts with the caller's SMTP credentials and resolved notices", () => {
    const email = receiver("critical")?.email_configs?.[0];
    expect(email).toMatchObject({
      to: "oncall@example.com, platform@example.com",
      smarthost: "smtp.example.com:587",
      auth_username: "alertmanager@example.com",
      auth_password: input.email?.authPassword,
      require_tls: true,
      send_resolved: true,
    });
    // the guide's subject/body are not email_config fields
    expect(email).not.toHaveProperty("subject");
    expect(email).not.toHaveProperty("body");
    expect(receiver("warning")?.email_configs).toBeUndefined();
  });

  it("posts to each webhook for its severities, with send_resolved", () => {
    expect(receiver("critical")?.webhook_configs?.map((w) => w.url)).toEqual([
      "https://pager.example.com/hook",
      "https://chat.example.com/hook",
    ]);
    expect(receiver("warning")?.webhook_configs?.map((w) => w.url)).toEqual([
      "https://chat.example.com/hook",
    ]);
    const all = config.receivers.flatMap((r) => r.webhook_configs ?? []);
    expect(all.every((w) => w.send_resolved)).toBe(true);
  });

  it("lets critical inhibit warning for the same alertname, cluster and service", () => {
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["alertname", "cluster", "service"],
      },
    ]);
  });

  it("works without email and applies timings", () => {
    const bare = parse(
      renderAlertmanagerConfig({
        cluster: "c1",
        webhooks: [],
        timing: { groupWaitSeconds: 1, criticalRepeatSeconds: 60 },
      }),
    ) as AmConfig & { route: { group_wait: string; routes: { repeat_interval: string }[] } };
    expect(bare.receivers).toEqual([{ name: "critical" }, { name: "warning" }]);
    expect(bare.route.group_wait).toBe("1s");
    expect(bare.route.routes[0]?.repeat_interval).toBe("60s");
  });

  it("rejects bad input", () => {
    const hook = { name: "x", url: "https://a.example.com", severities: ["warning" as const] };
    expect(() => renderAlertmanagerConfig({ cluster: "c", webhooks: [hook, hook] })).toThrow(/duplicate/);
    expect(() => renderAlertmanagerConfig({ cluster: "c", webhooks: [{ ...hook, url: "ftp://x" }] })).toThrow(
      /http/,
    );
    expect(() => renderAlertmanagerConfig({ cluster: "{{ x }}", webhooks: [] })).toThrow(/cluster/);
    expect(() =>
      renderAlertmanagerConfig({ cluster: "c", webhooks: [], timing: { groupWaitSeconds: 0 } }),
    ).toThrow(/positive/);
  });
});

describe.skipIf(!toolsAvailable("amtool"))("amtool", () => {
  const routesTest = (labels: string[]) =>
    withFiles({ "alertmanager.yml": text }, (dir) =>
      run("amtool", [
        "config",
        "routes",
        "test",
        `--config.file=${join(dir, "alertmanager.yml")}`,
        ...labels,
      ]),
    );

  it("check-config accepts the file", () => {
    const r = withFiles({ "alertmanager.yml": text }, (dir) =>
      run("amtool", ["check-config", join(dir, "alertmanager.yml")]),
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("SUCCESS");
  });

  it("check-config rejects the guide's email subject/body fields (the check is real)", () => {
    const seedLike = text.replace(
      "send_resolved: true\n        headers:",
      "send_resolved: true\n        subject: x\n        headers:",
    );
    expect(seedLike).not.toBe(text);
    const r = withFiles({ "alertmanager.yml": seedLike }, (dir) =>
      run("amtool", ["check-config", join(dir, "alertmanager.yml")]),
    );
    expect(r.status).not.toBe(0);
  });

  it.each([
    ["severity=critical", "critical"],
    ["severity=warning", "warning"],
    ["alertname=Unlabelled", "warning"],
  ])("routes %s to %s", (labels, expected) => {
    const r = routesTest(labels.split(" "));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(expected);
  });
});
