/**
 * A small builder of Grafana dashboard JSON (schemaVersion 39) for the shipped plasticd dashboards:
 * Prometheus panels on a 24-column grid placed left to right, rows, template variables and
 * annotations. Every panel uses the `datasource` variable, so the files work under file
 * provisioning (no `__inputs` / `${DS_...}` placeholders, grafana/grafana#10786).
 */

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Target {
  expr: string;
  legend?: string;
}

export interface PanelOptions {
  title: string;
  description: string;
  targets: Target[];
  type?: 'timeseries' | 'stat' | 'state-timeline';
  unit?: string;
  min?: number;
  max?: number;
  /** Width in grid columns (of 24); default 8. */
  width?: number;
  height?: number;
  /** Value to text mappings (state timeline). */
  mappings?: Array<{ value: number; text: string; color: string }>;
  thresholds?: Array<{ value: number | null; color: string }>;
}

type Json = Record<string, unknown>;

/** Lays panels and rows out left to right, top to bottom. */
export class DashboardLayout {
  readonly panels: Json[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private nextId = 1;

  row(title: string): this {
    this.newLine();
    this.panels.push({ type: 'row', title, id: this.nextId++, collapsed: false, gridPos: { x: 0, y: this.y, w: 24, h: 1 }, panels: [] });
    this.y += 1;
    return this;
  }

  panel(options: PanelOptions): this {
    const w = options.width ?? 8;
    const h = options.height ?? (options.type === 'stat' ? 4 : 8);
    if (this.x + w > 24) this.newLine();
    this.panels.push(buildPanel(this.nextId++, options, { x: this.x, y: this.y, w, h }));
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return this;
  }

  private newLine(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

function buildPanel(id: number, options: PanelOptions, gridPos: Json): Json {
  const type = options.type ?? 'timeseries';
  const defaults: Json = {
    unit: options.unit ?? 'short',
    color: { mode: type === 'stat' ? 'thresholds' : 'palette-classic' },
    thresholds: {
      mode: 'absolute',
      steps: options.thresholds ?? [{ value: null, color: 'green' }],
    },
    mappings: (options.mappings ?? []).map((m) => ({
      type: 'value',
      options: { [String(m.value)]: { text: m.text, color: m.color, index: m.value } },
    })),
  };
  if (options.min !== undefined) defaults.min = options.min;
  if (options.max !== undefined) defaults.max = options.max;
  if (type === 'timeseries') defaults.custom = { drawStyle: 'line', lineWidth: 1, fillOpacity: 0, showPoints: 'never', spanNulls: true };
  const panelOptions: Json =
    type === 'stat'
      ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
      : type === 'state-timeline'
        ? { mergeValues: true, showValue: 'auto', rowHeight: 0.9, legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } }
        : { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi', sort: 'desc' } };
  return {
    id,
    type,
    title: options.title,
    description: options.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options: panelOptions,
    targets: options.targets.map((t, k) => ({
      datasource: DATASOURCE,
      refId: String.fromCharCode(65 + k),
      expr: t.expr,
      legendFormat: t.legend ?? '__auto',
      range: true,
      editorMode: 'code',
    })),
  };
}

export interface QueryVariable {
  name: string;
  label: string;
  query: string;
  multi: boolean;
}

export function datasourceVariable(): Json {
  return { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] };
}

export function queryVariable(v: QueryVariable): Json {
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCE,
    definition: v.query,
    query: { query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    multi: v.multi,
    includeAll: v.multi,
    current: {},
    hide: 0,
    options: [],
    regex: '',
  };
}

export interface PrometheusAnnotation {
  name: string;
  expr: string;
  iconColor: string;
  title: string;
  text: string;
  enable: boolean;
}

export function annotations(list: PrometheusAnnotation[]): Json {
  return {
    list: [
      {
        builtIn: 1,
        datasource: { type: 'grafana', uid: '-- Grafana --' },
        enable: true,
        hide: true,
        iconColor: 'rgba(0, 211, 255, 1)',
        name: 'Annotations & Alerts',
        type: 'dashboard',
      },
      ...list.map((a) => ({
        name: a.name,
        datasource: DATASOURCE,
        enable: a.enable,
        hide: false,
        iconColor: a.iconColor,
        expr: a.expr,
        step: '',
        titleFormat: a.title,
        textFormat: a.text,
        tagKeys: 'agent',
        useValueForTime: false,
      })),
    ],
  };
}

export interface DashboardOptions {
  uid: string;
  title: string;
  description: string;
  variables: Json[];
  annotations: Json;
  layout: DashboardLayout;
  links?: Json[];
}

export function dashboard(options: DashboardOptions): Json {
  return {
    id: null,
    uid: options.uid,
    title: options.title,
    description: options.description,
    tags: ['plasticd'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    fiscalYearStartMonth: 0,
    liveNow: false,
    time: { from: 'now-1h', to: 'now' },
    refresh: '10s',
    schemaVersion: 39,
    version: 1,
    links: options.links ?? [],
    templating: { list: options.variables },
    annotations: options.annotations,
    panels: options.layout.panels,
  };
}
