import { stringify } from "yaml";
import { hostsDashboard } from "./grafana-dashboards/hosts";
import { loadBalancersDashboard } from "./grafana-dashboards/loadbalancers";
import { overviewDashboard } from "./grafana-dashboards/overview";
import { PROMETHEUS_DATASOURCE_UID, type Dashboard } from "./grafana-dashboards/panels";
import type { GrafanaRenderInput } from "./monitoring-types";

export { PROMETHEUS_DATASOURCE_UID } from "./grafana-dashboards/panels";

/** Environment variable the caller sets, from a secret, to Grafana's admin password (R5.4). */
export const GRAFANA_ADMIN_PASSWORD_ENV = "GF_SECURITY_ADMIN_PASSWORD";

/**
 * Grafana hardening as container environment: no anonymous access, no sign-up, no phoning home.
 * The admin password is not here: set {@link GRAFANA_ADMIN_PASSWORD_ENV} from a secret.
 */
export function grafanaSecurityEnv(): Record<string, string> {
  return {
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_USERS_ALLOW_ORG_CREATE: "false",
    GF_SECURITY_ADMIN_USER: "admin",
    GF_SECURITY_DISABLE_GRAVATAR: "true",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
  };
}

/** provisioning/datasources/prometheus.yml: the Prometheus datasource with its fixed UID. */
export function renderGrafanaDatasources(input: GrafanaRenderInput): string {
  if (!/^https?:\/\/\S+$/.test(input.prometheusUrl)) {
    throw new Error(`prometheusUrl must be an http(s) URL, got "${input.prometheusUrl}"`);
  }
  return stringify(
    {
      apiVersion: 1,
      datasources: [
        {
          name: "Prometheus",
          uid: PROMETHEUS_DATASOURCE_UID,
          type: "prometheus",
          access: "proxy",
          url: input.prometheusUrl,
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: `${input.appScrapeIntervalSeconds}s`, httpMethod: "POST" },
        },
      ],
    },
    { lineWidth: 0 },
  );
}

/** provisioning/dashboards/jairouter.yml: loads the dashboard files from `dashboardsPath`. */
export function renderGrafanaDashboardProvider(input: GrafanaRenderInput): string {
  return stringify(
    {
      apiVersion: 1,
      providers: [
        {
          name: "jairouter",
          orgId: 1,
          folder: "JAiRouter",
          type: "file",
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path: input.dashboardsPath, foldersFromFilesStructure: false },
        },
      ],
    },
    { lineWidth: 0 },
  );
}

/** The dashboards as data. */
export function grafanaDashboards(input: GrafanaRenderInput): Dashboard[] {
  return [
    overviewDashboard(),
    loadBalancersDashboard(input.lbEngine, input.haproxyAppBackend),
    hostsDashboard(),
  ];
}

/** Dashboard files to place in `dashboardsPath`: file name → JSON text. */
export function renderGrafanaDashboards(input: GrafanaRenderInput): Record<string, string> {
  const files: Record<string, string> = {};
  for (const d of grafanaDashboards(input)) files[`${d.uid}.json`] = `${JSON.stringify(d, null, 2)}\n`;
  return files;
}
