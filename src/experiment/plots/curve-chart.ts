/**
 * The one chart kind the experiment report uses: per method a mean line with a shaded standard-error
 * band over steps, thin dashed vertical rules at shifts, a legend of methods, optionally a log y
 * axis, and optionally one panel per layer (facets, two columns, each panel with its own y scale).
 * Built as a Vega-Lite spec; every layer reads one data array and filters it by `kind`.
 */
import type { ChartSpec } from './render-svg.ts';
import type { CurveRow } from './plot-data.ts';

/** Tableau 10: distinguishable, colour-blind friendlier than the default category scheme when reordered. */
export const METHOD_COLORS = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];

export interface CurveChartInput {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  /** Legend order and colours follow this order. */
  methods: string[];
  rows: CurveRow[];
  shiftSteps: number[];
  logScale?: boolean;
  /** Panel names in order; one panel (no facet) when absent or of length ≤ 1. */
  panels?: string[];
  /** Size of the plot area (of each panel when faceted). */
  width?: number;
  height?: number;
}

export function curveChartSpec(input: CurveChartInput): ChartSpec {
  const panels = input.panels && input.panels.length > 1 ? input.panels : null;
  const panelNames = panels ?? [''];
  const values: Array<Record<string, unknown>> = input.rows.map((row) => ({ kind: 'curve', ...row }));
  for (const panel of panelNames) for (const step of input.shiftSteps) values.push({ kind: 'shift', panel, step });

  const range = input.methods.map((_, i) => METHOD_COLORS[i % METHOD_COLORS.length]);
  const x = { field: 'step', type: 'quantitative', title: input.xLabel, axis: { labelExpr: "format(datum.value, '~s')", grid: false } } as const;
  const yScale = input.logScale ? { type: 'log' as const } : { zero: false };
  const color = { field: 'method', type: 'nominal', scale: { domain: input.methods, range }, legend: { title: 'method', orient: 'right', symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2.5 } } as const;
  const isCurve = { filter: "datum.kind === 'curve'" };
  const layer = [
    {
      transform: [isCurve],
      mark: { type: 'area', opacity: 0.25 },
      encoding: { x, y: { field: 'lower', type: 'quantitative', title: input.yLabel, scale: yScale }, y2: { field: 'upper' }, color },
    },
    {
      transform: [isCurve],
      mark: { type: 'line', strokeWidth: 1.6 },
      encoding: { x, y: { field: 'mean', type: 'quantitative', title: input.yLabel, scale: yScale }, color },
    },
    {
      transform: [{ filter: "datum.kind === 'shift'" }],
      mark: { type: 'rule', color: '#777777', strokeDash: [3, 3], strokeWidth: 0.7, opacity: 0.6 },
      encoding: { x: { field: 'step', type: 'quantitative' } },
    },
  ];
  const title = input.subtitle ? { text: input.title, subtitle: input.subtitle, anchor: 'start' as const } : { text: input.title, anchor: 'start' as const };
  const config = { aria: false, font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 } };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, background: 'white', config, data: { values } };

  if (!panels) {
    return { ...base, width: input.width ?? 640, height: input.height ?? 320, layer } as unknown as ChartSpec;
  }
  return {
    ...base,
    columns: 2,
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    spec: { width: input.width ?? 400, height: input.height ?? 220, layer },
    resolve: { scale: { y: 'independent' } },
  } as unknown as ChartSpec;
}
