/**
 * A small hand-written SVG line chart for the reproduction reports: one line per series with an
 * optional shaded band (mean ± standard error), linear axes with "nice" ticks, and a legend.
 * Deliberately minimal; a charting library replaces it when the experiment pages need more.
 */

export interface Series {
  label: string;
  x: number[];
  y: number[];
  /** Band below and above the line (e.g. mean ± standard error); same length as y. */
  lower?: number[];
  upper?: number[];
  color?: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  /** Axis ranges; default: the data's range (y padded by 5%). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Tick label formatter for x (default: compact numbers such as 200k, 1M). */
  formatX?: (value: number) => string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 420;
  const margin = { left: 64, right: 150, top: 36, bottom: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = options.series;
  const xs = all.flatMap((s) => s.x);
  const ys = all.flatMap((s) => [...s.y, ...(s.lower ?? []), ...(s.upper ?? [])]).filter(Number.isFinite);
  const [x0, x1] = options.xRange ?? [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = options.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!options.yRange) {
    const pad = (y1 - y0 || Math.abs(y1) || 1) * 0.05;
    y0 -= pad;
    y1 += pad;
  }
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const formatX = options.formatX ?? compactNumber;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escape(options.title)}</text>`,
  );
  for (const tick of niceTicks(y0, y1, 6)) {
    const y = sy(tick);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${f(y)}" y2="${f(y)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${f(y + 4)}" text-anchor="end">${escape(formatTick(tick))}</text>`,
    );
  }
  for (const tick of niceTicks(x0, x1, 8)) {
    const x = sx(tick);
    parts.push(
      `<line x1="${f(x)}" x2="${f(x)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 4}" stroke="#333"/>`,
      `<text x="${f(x)}" y="${margin.top + plotH + 18}" text-anchor="middle">${escape(formatX(tick))}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
  );
  all.forEach((series, k) => {
    const color = series.color ?? PALETTE[k % PALETTE.length];
    if (series.lower && series.upper) {
      const upper = series.x.map((x, i) => `${f(sx(x))},${f(sy(series.upper![i]))}`);
      const lower = series.x.map((x, i) => `${f(sx(x))},${f(sy(series.lower![i]))}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    }
    const points = series.x.map((x, i) => `${f(sx(x))},${f(sy(series.y[i]))}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    const ly = margin.top + 10 + k * 20;
    const lx = margin.left + plotW + 14;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${escape(series.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** About `count` evenly spaced round values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(3)}`;
}

function formatTick(value: number): string {
  return `${+value.toPrecision(4)}`;
}

function f(value: number): string {
  return value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
