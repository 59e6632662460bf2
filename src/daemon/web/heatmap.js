// Per-unit utility heatmap on a canvas: rows are the layer's units, columns the `units` snapshots
// over time (oldest left), colour the log10 of the utility on a viridis-like ramp, scaled to the
// layer's visible range. Zero or negative utilities (dead units) get the darkest colour.

const RAMP = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function rampColor(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - k;
  const [a, b] = [RAMP[k], RAMP[k + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Range of log10 utilities over the columns (finite, positive utilities only); null when none. */
export function logRange(columns) {
  let min = Infinity;
  let max = -Infinity;
  for (const { values } of columns) {
    for (const u of values) {
      if (!(u > 0) || !Number.isFinite(u)) continue;
      const l = Math.log10(u);
      if (l < min) min = l;
      if (l > max) max = l;
    }
  }
  if (min === Infinity) return null;
  if (max - min < 1e-6) return [min - 0.5, max + 0.5];
  return [min, max];
}

/**
 * Draws `columns` ([{ step, values: Float32Array }]) into `canvas` at its CSS size, newest at the
 * right edge, on `empty` where there are no snapshots yet. Returns the log range used, or null.
 */
export function drawHeatmap(canvas, columns, background, empty) {
  const dpr = window.devicePixelRatio || 1;
  const cssWidth = Math.max(50, canvas.clientWidth);
  const cssHeight = Math.max(30, canvas.clientHeight);
  if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(cssHeight * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = empty;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const range = logRange(columns);
  const units = columns.reduce((most, column) => Math.max(most, column.values.length), 0);
  if (columns.length === 0 || units === 0) return null;
  const image = new ImageData(columns.length, units);
  const [lo, hi] = range ?? [0, 1];
  columns.forEach(({ values }, col) => {
    for (let row = 0; row < units; row++) {
      const u = values[row];
      const t = u > 0 && Number.isFinite(u) ? (Math.log10(u) - lo) / (hi - lo) : 0;
      const [r, g, b] = rampColor(t);
      const at = (row * columns.length + col) * 4;
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = b;
      image.data[at + 3] = row < values.length ? 255 : 0;
    }
  });
  // Scale the cells up without smoothing; at most LIMITS.unitColumns columns fill the width from the right.
  const source = new OffscreenCanvas(columns.length, units);
  source.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = background; // units that a snapshot lacks (a layer that grew) stay this colour
  const cellWidth = canvas.width / Math.max(columns.length, 16);
  const width = Math.min(canvas.width, cellWidth * columns.length);
  ctx.fillRect(canvas.width - width, 0, width, canvas.height);
  ctx.drawImage(source, canvas.width - width, 0, width, canvas.height);
  return range;
}
