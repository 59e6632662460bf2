import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WindowReport } from '../../monitoring/types.ts';
import type { RunSeries } from '../../src/experiment/series.ts';
import { writePlots } from '../../src/experiment/plots.ts';
import { downsample, episodeRows, groupByMethod, shiftMarkers } from '../../src/experiment/plots/plot-data.ts';
import { Rng } from '../../src/util/rng.ts';

/** A synthetic run: `windows` windows of 100 steps, layers 'q/hidden0' and 'q/hidden1', a shift every `shiftEvery` steps. */
function syntheticRun(method: string, seed: number, options: { windows: number; shiftEvery?: number; episodes?: boolean }): RunSeries {
  const rng = new Rng(seed * 7919 + method.length);
  const level = method === 'backprop' ? 0.6 : 0.2;
  const windows: RunSeries['windows'] = [];
  for (let i = 1; i <= options.windows; i++) {
    const step = i * 100;
    const loss = 1 / (1 + i / 50) + 0.05 * rng.random();
    const layer = (name: string, index: number) => ({
      network: 'q',
      layer: name,
      index,
      units: 32,
      deadRatio: Math.min(1, level * (i / options.windows) + 0.05 * rng.random()),
      dormantRatio: 0.1,
      dormantRatioTau01: 0.2,
      saturatedRatio: null,
      duplicateRatio: 0,
      duplicatePearsonRatio: 0,
      effectiveRank: 20 - 10 * level + rng.random(),
      srank: 16,
      stableRank: 2,
      participationRatio: 3,
      weightMagnitude: 0.1 + 0.001 * i,
      utilities: {},
      resets: 0,
    });
    const report: WindowReport = {
      window: i,
      step,
      networks: [{ network: 'q', weightMagnitude: 0.1, drift: 0.01 * i, gradNorm: 1, updateNorm: 0.01, loss, curvatureSrank: null, updates: 100, resets: {} }],
      layers: [layer('hidden0', 0), layer('hidden1', 1)],
      performance: { loss },
      audit: [],
      durationSeconds: 0,
    };
    windows.push({ step, performance: loss, performanceKind: 'loss', report });
  }
  const last = options.windows * 100;
  const shifts: number[] = [];
  if (options.shiftEvery) for (let s = options.shiftEvery; s < last; s += options.shiftEvery) shifts.push(s);
  const episodes = options.episodes ? Array.from({ length: 50 }, (_, k) => ({ step: (k + 1) * (last / 50), return: 10 + k + rng.random() })) : [];
  return { runId: `${method}-seed${seed}`, method, seed, windows, shifts, episodes };
}

/**
 * Well-formedness check of an XML document: every tag closes in order, attributes are quoted,
 * text holds no raw '<' or bare '&'. (Node has no XML parser; this is enough for generated SVG.)
 */
function assertWellFormedXml(text: string): void {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  let i = 0;
  let roots = 0;
  while (i < text.length) {
    const open = text.indexOf('<', i);
    const chunk = text.slice(i, open === -1 ? text.length : open);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(chunk), `bare & in text near ${i}`);
    if (open === -1) break;
    tag.lastIndex = open;
    const m = tag.exec(text);
    assert.ok(m, `malformed tag at ${open}: ${text.slice(open, open + 60)}`);
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
    i = tag.lastIndex;
  }
  assert.deepStrictEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'one root element');
}

const markPaths = (svg: string, mark: 'area' | 'line') =>
  [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^>]*><path d="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('plot data', () => {
  it('downsamples by averaging equal-count buckets', () => {
    const points = [1, 2, 3, 4, 5, 6].map((v) => ({ step: v * 10, mean: v, standardError: v / 10 }));
    assert.deepStrictEqual(downsample(points, 3), [
      { step: 15, mean: 1.5, standardError: 0.15000000000000002 },
      { step: 35, mean: 3.5, standardError: 0.35 },
      { step: 55, mean: 5.5, standardError: 0.55 },
    ]);
    assert.equal(downsample(points, 6), points);
  });

  it('thins shift markers to every k-th when there are too many', () => {
    const runs = [syntheticRun('a', 1, { windows: 100, shiftEvery: 100 })];
    const markers = shiftMarkers(runs, 40);
    assert.equal(markers.total, 99);
    assert.equal(markers.every, 3);
    assert.deepStrictEqual(markers.steps.slice(0, 3), [300, 600, 900]);
    assert.equal(markers.steps.length, 33);
    assert.deepStrictEqual(shiftMarkers(runs.map((r) => ({ ...r, shifts: [500, 200, 500] })), 40).steps, [200, 500]);
  });

  it('draws one marker for shifts that land a few steps apart in each run (episode-end shifts)', () => {
    // 8 runs shifting at the first episode end after every 300k of 3M steps: 72 distinct steps, 9 shifts.
    const runs = Array.from({ length: 8 }, (_, i) => ({ ...syntheticRun('a', i, { windows: 10 }), shifts: Array.from({ length: 9 }, (_, k) => (k + 1) * 300_000 + 13 * i + k) }));
    const markers = shiftMarkers(runs, 40);
    assert.deepStrictEqual(markers, { steps: Array.from({ length: 9 }, (_, k) => (k + 1) * 300_000 + k), total: 9, every: 1 });
    // Few enough distinct steps to draw them all: each is drawn, however close.
    assert.deepStrictEqual(shiftMarkers(runs.slice(0, 2).map((r) => ({ ...r, shifts: r.shifts.slice(0, 3) })), 40).steps.length, 6);
  });

  it('bins episode returns per run, then averages the bins over runs', () => {
    const run = (seed: number, returns: Array<[number, number]>): RunSeries => ({ runId: `m-${seed}`, method: 'm', seed, windows: [], shifts: [], episodes: returns.map(([step, r]) => ({ step, return: r })) });
    // Bins of width 50 over (0, 100]: run 1 has bin means 2 and 10, run 2 has 4 and nothing.
    const rows = episodeRows(groupByMethod([run(1, [[10, 1], [50, 3], [100, 10]]), run(2, [[20, 4]])]), 2);
    assert.deepStrictEqual(
      rows.map((r) => [r.step, r.mean, r.lower, r.upper]),
      [
        [50, 3, 2, 4],
        [100, 10, 10, 10],
      ],
    );
  });
});

describe('writePlots', () => {
  let dir: string;
  let runs: RunSeries[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plasticd-plots-'));
    runs = [];
    for (const method of ['backprop', 'continual backprop']) for (const seed of [1, 2, 3]) runs.push(syntheticRun(method, seed, { windows: 700, shiftEvery: 1000, episodes: true }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a learning curve with a standard-error band, shift markers and both methods in the legend', async () => {
    const out = join(dir, 'a');
    const files = await writePlots(out, runs, { title: 'Test', xLabel: 'examples', metrics: ['deadRatio'] });
    assert.deepStrictEqual(
      files.map((f) => f.file),
      ['plots/learning-curve.svg', 'plots/episode-returns.svg', 'plots/layer-deadRatio.svg'],
    );
    assert.match(files[0].caption, /mean ± standard error over 3 seeds per method/);
    assert.match(files[0].caption, /every 2nd of 69 shifts/);
    const svg = await readFile(join(out, files[0].file), 'utf8');
    assertWellFormedXml(svg);
    assert.ok(svg.startsWith('<svg'));
    assert.ok(svg.includes('>backprop</text>') && svg.includes('>continual backprop</text>'), 'legend names the methods');
    assert.ok(svg.includes('>examples</text>'), 'x axis label');
    assert.ok(svg.includes('loss (per window)'), 'y axis label');
    const bands = markPaths(svg, 'area');
    assert.equal(bands.length, 2, 'one band per method');
    assert.ok(bands.every((d) => d.endsWith('Z') && d.length > 100), 'bands are closed areas');
    const lines = markPaths(svg, 'line');
    assert.equal(lines.length, 2);
    for (const d of lines) assert.ok(d.split('L').length <= 500, `a line has at most 500 points, got ${d.split('L').length}`);
    assert.equal((svg.match(/stroke-dasharray="3,3"/g) ?? []).length, 34, 'every second of 69 shifts is marked');
  });

  it('draws one panel per layer for a per-layer metric', async () => {
    const out = join(dir, 'b');
    const files = await writePlots(out, runs, { title: 'Test', xLabel: 'examples', metrics: ['effectiveRank'] });
    const svg = await readFile(join(out, 'plots/layer-effectiveRank.svg'), 'utf8');
    assertWellFormedXml(svg);
    assert.ok(svg.includes('>q/hidden0</text>') && svg.includes('>q/hidden1</text>'), 'panel headers name the layers');
    assert.equal(markPaths(svg, 'line').length, 4, 'two methods in two panels');
    assert.match(files.at(-1)!.caption, /^Effective rank per layer against examples/);
  });

  it('is byte-identical for identical input and keeps every file under 200 KB', async () => {
    // Runs given in another order within each method: the output must not depend on it.
    const options = { title: 'Test', xLabel: 'examples', metrics: ['saturatedRatio', 'drift'] };
    const first = await writePlots(join(dir, 'c1'), runs, options);
    const second = await writePlots(join(dir, 'c2'), [...runs].reverse().sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0)), options);
    assert.deepStrictEqual(first, second);
    assert.ok(first.some((f) => f.file === 'plots/network-drift.svg'));
    assert.ok(!first.some((f) => f.file.includes('saturatedRatio')), 'no chart for a metric without data');
    for (const { file } of first) {
      const a = await readFile(join(dir, 'c1', file));
      const b = await readFile(join(dir, 'c2', file));
      assert.ok(a.equals(b), `${file} differs between two renders`);
      assert.ok((await stat(join(dir, 'c1', file))).size < 200_000, `${file} is under 200 KB`);
    }
  });

  it('returns no plots for no runs', async () => {
    assert.deepStrictEqual(await writePlots(join(dir, 'd'), [], { title: 'Test', xLabel: 'examples' }), []);
  });
});
