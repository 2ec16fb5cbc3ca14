/**
 * Builders for Grafana dashboards in the current JSON model (schemaVersion 39): `timeseries` and
 * `stat` panels only, laid out on the 24-column grid, for file provisioning (no API-import wrapper).
 */

/** Datasource UID fixed by the provisioning file, so dashboards can name it. */
export const PROMETHEUS_DATASOURCE_UID = "jairouter-prometheus";

/** JSON schema version of the dashboards (Grafana 10.x/11.x). */
export const DASHBOARD_SCHEMA_VERSION = 39;

const DATASOURCE = { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID } as const;

/** One PromQL query of a panel. */
export interface Query {
  expr: string;
  /** Legend template, e.g. `{{instance}}`; empty: Grafana prints the label set. */
  legend?: string;
}

/** A value → text/colour mapping for state panels. */
export interface StateText {
  value: number;
  text: string;
  color: "green" | "red" | "orange" | "blue";
}

/** What a panel shows, before layout. */
export interface PanelSpec {
  kind: "timeseries" | "stat";
  title: string;
  description: string;
  /** Grafana unit id: `reqps`, `s`, `percentunit`, `bytes`, `short`, `Bps`... */
  unit: string;
  queries: Query[];
  /** Width on the 24-column grid. */
  width: 6 | 8 | 12 | 24;
  /** For stat panels: what each state value means. */
  states?: StateText[];
}

/** A dashboard JSON document as written to disk. */
export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  panels: Record<string, unknown>[];
  [key: string]: unknown;
}

function targets(queries: Query[]): object[] {
  return queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    expr: q.expr,
    legendFormat: q.legend ?? "",
    range: true,
  }));
}

function mappings(states: StateText[] | undefined): object[] {
  if (states === undefined) return [];
  const options: Record<string, object> = {};
  states.forEach((s, index) => {
    options[String(s.value)] = { text: s.text, color: s.color, index };
  });
  return [{ type: "value", options }];
}

function panel(spec: PanelSpec, id: number, gridPos: object): Record<string, unknown> {
  const common = {
    id,
    type: spec.kind,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    targets: targets(spec.queries),
  };
  if (spec.kind === "stat") {
    return {
      ...common,
      fieldConfig: {
        defaults: {
          unit: spec.unit,
          mappings: mappings(spec.states),
          color: { mode: "thresholds" },
          thresholds: { mode: "absolute", steps: [{ color: "text", value: null }] },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
        colorMode: "background",
        graphMode: "none",
        justifyMode: "auto",
        orientation: "auto",
        textMode: "value_and_name",
      },
    };
  }
  return {
    ...common,
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        min: 0,
        color: { mode: "palette-classic" },
        custom: { drawStyle: "line", lineWidth: 1, fillOpacity: 10, showPoints: "never", spanNulls: false },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: "list", placement: "bottom", showLegend: true, calcs: [] },
      tooltip: { mode: "multi", sort: "desc" },
    },
  };
}

/** Lays panels left to right, top to bottom; stat rows are 5 high, charts 8. */
export function layout(specs: PanelSpec[]): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, i) => {
    const h = spec.kind === "stat" ? 5 : 8;
    if (x + spec.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const p = panel(spec, i + 1, { h, w: spec.width, x, y });
    x += spec.width;
    rowHeight = Math.max(rowHeight, h);
    return p;
  });
}

/** A whole dashboard, read-only (changes go through code, not the UI). */
export function dashboard(uid: string, title: string, tags: string[], specs: PanelSpec[]): Dashboard {
  return {
    uid,
    title,
    tags,
    timezone: "browser",
    editable: false,
    graphTooltip: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: { list: [] },
    annotations: { list: [] },
    links: [],
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    panels: layout(specs),
  };
}

/** `up` as a green/red stat. */
export function upStat(title: string, job: string, width: PanelSpec["width"]): PanelSpec {
  return {
    kind: "stat",
    title,
    description: `Whether Prometheus can scrape each ${job} target.`,
    unit: "none",
    width,
    queries: [{ expr: `up{job="${job}"}`, legend: "{{instance}}" }],
    states: [
      { value: 0, text: "down", color: "red" },
      { value: 1, text: "up", color: "green" },
    ],
  };
}
