// uPlot line charts over agent steps with vertical markers (shifts: dashed lines with their index;
// resets: ticks along the bottom). uPlot is loaded as a classic script (global `uPlot`) from
// node_modules/uplot via /assets/vendor/. A chart is rebuilt only when its set of series changes.

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

export function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** 12345 → "12.3k", 0.0031 → "0.0031": compact axis and legend labels. */
export function formatCount(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(abs >= 1e10 ? 0 : 1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  if (Number.isInteger(value)) return String(value);
  // Losses and ratios live below 0.1: two significant digits, not "0.00".
  if (abs < 0.1) return value.toPrecision(2);
  return value.toFixed(abs >= 100 ? 0 : 2);
}

export function seriesColor(index) {
  return PALETTE[index % PALETTE.length];
}

/** Draws the markers after the series (so they sit on top) and counts the ones inside the plot. */
function markersPlugin(chart) {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          const [xMin, xMax] = [u.scales.x.min, u.scales.x.max];
          const dpr = window.devicePixelRatio || 1;
          let shifts = 0;
          let resets = 0;
          ctx.save();
          ctx.beginPath();
          ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
          ctx.clip();
          ctx.font = `${11 * dpr}px system-ui, sans-serif`;
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left';
          const visible = xMin === null ? [] : chart.markers.shifts.filter((shift) => shift.step >= xMin && shift.step <= xMax);
          // Frequent shifts (a task switch every window) would paint a solid block: draw them as
          // faint hairlines without labels once they are closer than ~40 px on average.
          const dense = visible.length > bbox.width / (40 * dpr);
          for (const shift of visible) {
            const x = Math.round(u.valToPos(shift.step, 'x', true)) + 0.5;
            ctx.strokeStyle = chart.theme.shift;
            ctx.globalAlpha = dense ? 0.25 : 1;
            ctx.lineWidth = (dense ? 1 : 1.5) * dpr;
            ctx.setLineDash(dense ? [] : [5 * dpr, 4 * dpr]);
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            ctx.setLineDash([]);
            ctx.globalAlpha = 1;
            if (!dense) {
              ctx.fillStyle = chart.theme.shift;
              ctx.fillText(`⇄ ${shift.shift}`, x + 4 * dpr, bbox.top + 4 * dpr);
            }
            shifts++;
          }
          ctx.fillStyle = chart.theme.reset;
          const base = bbox.top + bbox.height;
          for (const reset of chart.markers.resets) {
            if (xMin === null || reset.step < xMin || reset.step > xMax) continue;
            const x = u.valToPos(reset.step, 'x', true);
            ctx.beginPath();
            ctx.moveTo(x, base - 7 * dpr);
            ctx.lineTo(x - 3.5 * dpr, base);
            ctx.lineTo(x + 3.5 * dpr, base);
            ctx.closePath();
            ctx.fill();
            resets++;
          }
          ctx.restore();
          chart.drawnShiftMarkers = shifts;
          chart.drawnResetMarkers = resets;
          chart.draws++;
        },
      ],
    },
  };
}

/**
 * A chart whose series can change: `update({ series: [{ key, label, color, dash, points, paths }], x, ys, markers })`.
 */
export class StepChart {
  constructor(container, { height = 220, yLabel = '', yRange = null } = {}) {
    this.container = container;
    this.height = height;
    this.yLabel = yLabel;
    this.yRange = yRange;
    this.plot = null;
    this.seriesKey = '';
    this.markers = { shifts: [], resets: [] };
    this.drawnShiftMarkers = 0;
    this.drawnResetMarkers = 0;
    this.draws = 0;
    this.points = 0;
    this.theme = this.readTheme();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
  }

  readTheme() {
    return {
      axis: cssVar('--fg-muted', '#666'),
      grid: cssVar('--grid', 'rgba(128,128,128,0.15)'),
      shift: cssVar('--shift', '#d62728'),
      reset: cssVar('--reset', '#8a63d2'),
    };
  }

  width() {
    return Math.max(200, Math.floor(this.container.clientWidth));
  }

  resize() {
    if (this.plot && this.container.clientWidth > 0 && Math.abs(this.plot.width - this.width()) > 1) {
      this.plot.setSize({ width: this.width(), height: this.height });
    }
  }

  build(series) {
    if (this.plot) this.plot.destroy();
    const { axis, grid } = this.theme;
    const yRange = this.yRange;
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.height,
        scales: { x: { time: false }, y: yRange ? { range: (_u, min, max) => [Math.min(yRange[0], min), Math.max(yRange[1], max)] } : {} },
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, splits) => splits.map(formatCount), label: 'agent step', labelSize: 20, labelFont: '11px system-ui, sans-serif', font: '11px system-ui, sans-serif' },
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, splits) => splits.map(formatCount), size: 52, label: this.yLabel, labelSize: 20, labelFont: '11px system-ui, sans-serif', font: '11px system-ui, sans-serif' },
        ],
        series: [
          { label: 'step', value: (_u, v) => formatCount(v) },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 1.5,
            dash: s.dash,
            spanGaps: true,
            points: s.points ?? { show: false },
            paths: s.paths,
            value: (_u, v) => formatCount(v),
          })),
        ],
        legend: { live: true },
        cursor: { drag: { x: true, y: false }, points: { size: 6 } },
        plugins: [markersPlugin(this)],
      },
      [[], ...series.map(() => [])],
      this.container,
    );
  }

  /** `data` is uPlot's aligned data [xs, ...ys]; the plot is rebuilt when its series keys or y label change. */
  update(series, data, markers) {
    const key = `${this.yLabel}|${series.map((s) => `${s.key}:${s.color}`).join('|')}`;
    if (key !== this.seriesKey || !this.plot) {
      this.seriesKey = key;
      this.build(series);
    }
    this.markers = markers;
    this.points = 0;
    for (let k = 1; k < data.length; k++) for (const v of data[k]) if (v !== null && v !== undefined) this.points++;
    this.plot.setData(data);
  }

  destroy() {
    this.resizeObserver.disconnect();
    if (this.plot) this.plot.destroy();
    this.plot = null;
    this.seriesKey = '';
  }
}

/** Builds uPlot's aligned data from several sorted (step, value) lists: one x array, nulls where a series has no point. */
export function alignSeries(lists) {
  const steps = new Set();
  for (const list of lists) for (const point of list) steps.add(point.step);
  const xs = [...steps].sort((a, b) => a - b);
  const index = new Map(xs.map((x, k) => [x, k]));
  const ys = lists.map((list) => {
    const column = new Array(xs.length).fill(null);
    for (const point of list) column[index.get(point.step)] = point.value;
    return column;
  });
  return [xs, ...ys];
}
