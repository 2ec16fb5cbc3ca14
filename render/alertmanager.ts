import { stringify } from "yaml";
import type { AlertmanagerRenderInput, AlertmanagerTiming, Severity } from "./monitoring-types";

/** Production notification timings. */
export const DEFAULT_ALERTMANAGER_TIMING: AlertmanagerTiming = {
  groupWaitSeconds: 30,
  groupIntervalSeconds: 300,
  criticalRepeatSeconds: 3600,
  warningRepeatSeconds: 4 * 3600,
};

/** Receiver names; the root route falls back to the warning receiver for unlabelled alerts. */
export const RECEIVER: Record<Severity, string> = { critical: "critical", warning: "warning" };

/** Labels alerts are grouped, and inhibited, by (R5.3). */
export const GROUP_BY = ["alertname", "cluster", "service"] as const;

function duration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new Error(`timing must be a positive integer, got ${seconds}`);
  return `${seconds}s`;
}

function receiver(input: AlertmanagerRenderInput, severity: Severity): object {
  const r: Record<string, unknown> = { name: RECEIVER[severity] };
  const email = input.email;
  if (email !== undefined && email.severities.includes(severity)) {
    r.email_configs = [
      {
        to: email.to.join(", "),
        from: email.from,
        smarthost: email.smarthost,
        ...(email.authUsername === undefined ? {} : { auth_username: email.authUsername }),
        ...(email.authPassword === undefined ? {} : { auth_password: email.authPassword }),
        require_tls: email.requireTls,
        send_resolved: true,
        headers: {
          Subject: `[{{ .Status | toUpper }}] [${severity.toUpperCase()}] ${input.cluster}: {{ .CommonLabels.alertname }} ({{ .Alerts | len }})`,
        },
      },
    ];
  }
  const hooks = input.webhooks.filter((w) => w.severities.includes(severity));
  if (hooks.length > 0) {
    r.webhook_configs = hooks.map((w) => ({ url: w.url, send_resolved: w.sendResolved ?? true }));
  }
  return r;
}

function assertValid(input: AlertmanagerRenderInput): void {
  // the cluster name lands inside a Go template (email subject): keep it plain
  if (!/^[A-Za-z0-9._-]+$/.test(input.cluster))
    throw new Error(`cluster "${input.cluster}" must match [A-Za-z0-9._-]+`);
  const names = new Set<string>();
  for (const w of input.webhooks) {
    if (names.has(w.name)) throw new Error(`webhooks: duplicate name "${w.name}"`);
    names.add(w.name);
    if (!/^https?:\/\/\S+$/.test(w.url))
      throw new Error(`webhooks.${w.name}: url must be http(s), got "${w.url}"`);
  }
  if (input.email !== undefined && input.email.to.length === 0)
    throw new Error("email.to: at least one recipient");
}

/** Renders alertmanager.yml (Alertmanager 0.25 schema) for R5.3. */
export function renderAlertmanagerConfig(input: AlertmanagerRenderInput): string {
  assertValid(input);
  const t = { ...DEFAULT_ALERTMANAGER_TIMING, ...input.timing };
  const route = (severity: Severity, repeatSeconds: number) => ({
    receiver: RECEIVER[severity],
    matchers: [`severity="${severity}"`],
    repeat_interval: duration(repeatSeconds),
  });
  const config = {
    route: {
      receiver: RECEIVER.warning,
      group_by: [...GROUP_BY],
      group_wait: duration(t.groupWaitSeconds),
      group_interval: duration(t.groupIntervalSeconds),
      repeat_interval: duration(t.warningRepeatSeconds),
      routes: [route("critical", t.criticalRepeatSeconds), route("warning", t.warningRepeatSeconds)],
    },
    receivers: [receiver(input, "critical"), receiver(input, "warning")],
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: [...GROUP_BY],
      },
    ],
  };
  return stringify(config, { lineWidth: 0 });
}
