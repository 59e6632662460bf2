import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WindowReport } from '../../monitoring/types.ts';
import { RunLog } from '../../src/daemon/store/run-log.ts';
import type { EpisodeEvent, RunEvent, ShiftEvent, WindowEvent } from '../../src/run/events.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { aggregate, phaseMean, readRunSeries, scalarKeys, windowScalar } from '../../src/experiment/series.ts';
import type { RunSeries } from '../../src/experiment/series.ts';
import { startRun } from '../run/run-helpers.ts';

const isCode = (code: string) => (error: unknown) => error instanceof PlasticdError && error.code === code;

/** A window report with one network 'm' and one layer 'm/h0'; only the fields the tests read matter. */
function report(step: number, performance: WindowReport['performance'], deadRatio: number): WindowReport {
  return {
    window: step / 100,
    step,
    networks: [{ network: 'm', weightMagnitude: 1, drift: 0, gradNorm: 0, updateNorm: 0, loss: 0.5, curvatureSrank: null, updates: 10, resets: {} }],
    layers: [
      {
        network: 'm',
        layer: 'h0',
        index: 0,
        units: 4,
        deadRatio,
        dormantRatio: 0,
        dormantRatioTau01: 0,
        saturatedRatio: null,
        duplicateRatio: 0,
        duplicatePearsonRatio: 0,
        effectiveRank: 3,
        srank: 3,
        stableRank: 1,
        participationRatio: 1,
        weightMagnitude: 0.2,
        utilities: {},
        resets: 0,
      },
    ],
    performance,
    audit: [],
    durationSeconds: 0,
  };
}

/** A series whose window i (0-based) ends at step 100·(i+1) and has loss values[i]. */
function lossSeries(method: string, seed: number, values: Array<number | null>): RunSeries {
  return {
    runId: `${method}-seed${seed}`,
    method,
    seed,
    windows: values.map((v, i) => {
      const r = report(100 * (i + 1), v === null ? {} : { loss: v }, 0.25 * seed);
      return { step: r.step, performance: v, performanceKind: v === null ? null : 'loss', report: r };
    }),
    shifts: [],
    episodes: [],
  };
}

describe('aggregate', () => {
  it('gives the mean and the standard error across runs at every window', () => {
    const runs = [lossSeries('bp', 1, [1, 2, 3]), lossSeries('bp', 2, [3, 2, 5]), lossSeries('bp', 3, [5, 2, 7])];
    const result = aggregate(runs, 'performance');
    assert.deepStrictEqual(result.step, [100, 200, 300]);
    assert.deepStrictEqual(result.mean, [3, 2, 5]);
    assert.deepStrictEqual(result.n, [3, 3, 3]);
    // values 1,3,5: sample sd 2, standard error 2/√3; all equal: 0
    assert.ok(Math.abs(result.standardError[0] - 2 / Math.sqrt(3)) < 1e-12);
    assert.equal(result.standardError[1], 0);
    assert.ok(Math.abs(result.standardError[2] - 2 / Math.sqrt(3)) < 1e-12);
  });

  it('counts only the runs that have a value, and leaves out windows where none has', () => {
    const runs = [lossSeries('bp', 1, [2, null, 4, 8]), lossSeries('bp', 2, [4, null, null])];
    const result = aggregate(runs, 'performance');
    assert.deepStrictEqual(result.step, [100, 300, 400]);
    assert.deepStrictEqual(result.mean, [3, 4, 8]);
    assert.deepStrictEqual(result.n, [2, 1, 1]);
    assert.deepStrictEqual(result.standardError.slice(1), [0, 0]);
  });

  it('aggregates a per-layer metric by its network/layer/metric key', () => {
    const result = aggregate([lossSeries('bp', 1, [1]), lossSeries('bp', 3, [1])], 'm/h0/deadRatio');
    assert.deepStrictEqual(result.mean, [0.5]);
    assert.ok(Math.abs(result.standardError[0] - 0.25) < 1e-12);
  });
});

describe('phaseMean', () => {
  const series = lossSeries('bp', 1, [1, 2, 3, 4, 5]);
  it('averages the windows whose end step lies in (from, to]', () => {
    assert.equal(phaseMean(series, 'performance', 100, 300), 2.5);
    assert.equal(phaseMean(series, 'performance', 0, 500), 3);
    assert.equal(phaseMean(series, 'performance', 350, 10_000), 4.5);
  });
  it('is null when no window ends in the phase or none has a value', () => {
    assert.equal(phaseMean(series, 'performance', 500, 1000), null);
    assert.equal(phaseMean(lossSeries('bp', 1, [null, null]), 'performance', 0, 1000), null);
  });
});

describe('windowScalar and scalarKeys', () => {
  const series = lossSeries('bp', 2, [0.7]);
  const window = series.windows[0];
  it('reads performance, performance fields, network and layer metrics', () => {
    assert.equal(windowScalar(window, 'performance'), 0.7);
    assert.equal(windowScalar(window, 'performance/loss'), 0.7);
    assert.equal(windowScalar(window, 'performance/accuracy'), null);
    assert.equal(windowScalar(window, 'm/h0/deadRatio'), 0.5);
    assert.equal(windowScalar(window, 'm/updates'), 10);
    assert.equal(windowScalar(window, 'm/curvatureSrank'), null);
    assert.equal(windowScalar(window, 'm/h0/saturatedRatio'), null);
    assert.equal(windowScalar(window, 'm/h9/deadRatio'), null);
    assert.equal(windowScalar(window, 'm/h0/utilities'), null);
  });
  it('lists only keys with a value, performance first, then network metrics, then layer metrics', () => {
    const keys = scalarKeys(series);
    assert.deepStrictEqual(keys.slice(0, 3), ['performance', 'performance/loss', 'm/weightMagnitude']);
    assert.ok(keys.includes('m/h0/deadRatio'));
    assert.ok(!keys.includes('m/curvatureSrank'));
    assert.ok(!keys.includes('m/h0/saturatedRatio'));
    assert.ok(keys.indexOf('m/updates') < keys.indexOf('m/h0/deadRatio'));
  });
});

describe('readRunSeries', () => {
  let dir: string;
  let logPath: string;
  let events: RunEvent[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plasticd-series-'));
    logPath = join(dir, 'run-log.jsonl');
    const spec = {
      id: 'dqn-drift',
      seed: 5,
      env: { id: 'plasticd/DriftingCartPole-v1', kwargs: { every: 300 } },
      agent: { kind: 'dqn', learningStarts: 100, batchSize: 16, bufferSize: 1000 },
      networks: { engine: 'typed', hidden: [8] },
      windowLength: 200,
      monitor: { probeSize: 32, audit: null, curvature: null, resetPolicy: { kind: 'none' } },
    };
    const collected = startRun(spec);
    collected.run.runFor(1000);
    collected.run.dispose();
    events = collected.events;
    const log = await RunLog.open(logPath);
    for (const event of events) log.append(event);
    await log.close();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the windows, shifts and episodes of a real run log', async () => {
    const series = await readRunSeries(logPath, { runId: 'none-seed5', method: 'none', seed: 5 });
    assert.equal(series.runId, 'none-seed5');
    assert.equal(series.method, 'none');
    assert.equal(series.seed, 5);
    const windows = events.filter((e): e is WindowEvent => e.kind === 'window');
    assert.equal(series.windows.length, 5);
    assert.deepStrictEqual(series.windows.map((w) => w.step), [200, 400, 600, 800, 1000]);
    assert.deepStrictEqual(series.shifts, [300, 600, 900]);
    const episodes = events.filter((e): e is EpisodeEvent => e.kind === 'episode');
    assert.ok(episodes.length > 10);
    assert.deepStrictEqual(series.episodes, episodes.map((e) => ({ step: e.step, return: e.return })));
    for (const [i, w] of series.windows.entries()) {
      const expected = windows[i].report.performance.episodeReturn ?? null;
      assert.equal(w.performance, expected);
      assert.equal(w.performanceKind, expected === null ? null : 'episodeReturn');
    }
    assert.ok(series.windows.some((w) => w.performance !== null && w.performance > 0), 'episode returns reach the windows');
    assert.ok(scalarKeys(series).includes('q/hidden0/deadRatio'));
    assert.equal(windowScalar(series.windows[2], 'q/hidden0/srank'), windows[2].report.layers[0].srank);
    assert.ok(events.some((e) => e.kind === 'shift' && (e as ShiftEvent).shiftKind === 'physics'));
  });

  it('ignores a torn last line but refuses damage in the middle', async () => {
    const torn = join(dir, 'torn.jsonl');
    const text = await readFile(logPath, 'utf8');
    await writeFile(torn, text);
    await appendFile(torn, '{"seq":99999,"kind":"window","report":{"wind');
    const series = await readRunSeries(torn, { runId: 'x', method: 'none', seed: 5 });
    assert.equal(series.windows.length, 5);

    const damaged = join(dir, 'damaged.jsonl');
    const lines = text.split('\n');
    lines.splice(3, 0, '{"seq":3,"kind":"window","rep');
    await writeFile(damaged, lines.join('\n'));
    await assert.rejects(readRunSeries(damaged, { runId: 'x', method: 'none', seed: 5 }), isCode('series-corrupt'));
  });

  it('names the run and the path when the log cannot be read', async () => {
    await assert.rejects(readRunSeries(join(dir, 'missing.jsonl'), { runId: 'gxd-seed1', method: 'gxd', seed: 1 }), (error: unknown) => {
      return isCode('series-read')(error) && (error as Error).message.includes('gxd-seed1') && (error as Error).message.includes('missing.jsonl');
    });
  });
});
