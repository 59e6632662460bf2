import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExperiment } from '../../src/experiment/resolve.ts';
import { loadTiming, prepareOutput, recordTiming, runDirectory, runExperiment } from '../../src/experiment/runner.ts';
import { writeReport } from '../../src/experiment/report.ts';
import { silentProgress } from '../../src/experiment/progress.ts';
import type { ProgressReporter } from '../../src/experiment/progress.ts';
import { PlasticdError } from '../../src/util/errors.ts';

const raw = {
  name: 'tiny',
  description: 'A tiny bit-flipping experiment.',
  base: {
    stream: { id: 'bit-flipping-resample', options: { flipAfter: 1000 } },
    agent: { kind: 'continual', hiddenUnits: [5], optimizer: { kind: 'sgd', learningRate: 0.01 } },
    networks: { engine: 'typed' },
    windowLength: 500,
    monitor: { probeSize: 64, audit: null, curvature: null, resetPolicy: { kind: 'none' } },
  },
  steps: 2000,
  methods: {
    bp: {},
    cbp: { monitor: { resetPolicy: { kind: 'replacement-rate', criterion: 'adaptable-contribution', replacementRate: 0.002, maturityThreshold: 50 } } },
  },
  seeds: [1, 2],
  report: { metrics: ['performance', 'model/hidden0/deadRatio'] },
};
const { experiment } = resolveExperiment(raw);
const COMMAND = 'npm run experiment -- tiny.yaml';

/** Records where each run (re)started. */
function recordingProgress(): ProgressReporter & { starts: Array<[string, number]> } {
  const starts: Array<[string, number]> = [];
  return { ...silentProgress, starts, runStarted: (id, _steps, at) => void starts.push([id, at]) };
}

describe('runExperiment', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'plasticd-experiment-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs a tiny experiment end to end and writes the config, run logs, summary, report and plots', async () => {
    const out = join(root, 'straight');
    const result = await runExperiment({ experiment, outDir: out, workers: 2, chunkMs: 5 });
    assert.equal(result.status, 'complete');
    assert.deepEqual(result.finished, ['bp-seed1', 'bp-seed2', 'cbp-seed1', 'cbp-seed2']);
    await writeReport({ experiment, outDir: out, command: COMMAND });
    const stored = JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8'));
    assert.equal(stored.runs.length, 4);
    const log = (await readFile(join(runDirectory(out, 'cbp-seed2'), 'run-log.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(log.filter((event) => event.kind === 'window').length, 4, 'one window event per 500 examples');
    assert.ok(log.some((event) => event.kind === 'shift'), 'the stream shifts every 1000 examples');
    assert.ok(log.some((event) => event.kind === 'reset'), 'cbp resets units');
    const csv = (await readFile(join(out, 'summary.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv[0], 'run,variant,method,seed,phase,from,to,metric,value');
    assert.equal(csv.length, 1 + 4 * 3 * 2, 'a row per run × phase × metric');
    const report = await readFile(join(out, 'report.md'), 'utf8');
    assert.match(report, /npm run experiment -- tiny\.yaml/);
    assert.match(report, /\| \*\*cbp\*\* \| [0-9.]+ ± [0-9.]+ \|/);
    assert.match(report, /!\[[^\]]+\]\(plots\/learning-curve\.svg\)/);
    const plots = await readdir(join(out, 'plots'));
    assert.ok(plots.includes('learning-curve.svg'));
    assert.ok(existsSync(join(out, 'timing.json')));
  });

  it('resumes an interrupted experiment from its checkpoints to a byte-identical report', async () => {
    const out = join(root, 'interrupted');
    const controller = new AbortController();
    // Interrupt as soon as the first run reports progress: it is then far from its end, so it stops mid-run.
    const first: ProgressReporter = {
      ...silentProgress,
      runProgress: (_run, step) => {
        if (step > 0) controller.abort();
      },
    };
    const stopped = await runExperiment({
      experiment,
      outDir: out,
      workers: 1,
      chunkMs: 1,
      checkpointEverySeconds: 0.02,
      signal: controller.signal,
      progress: first,
    });
    assert.equal(stopped.status, 'interrupted');
    assert.ok(stopped.unfinished.length > 0);
    const second = recordingProgress();
    const resumed = await runExperiment({ experiment, outDir: out, workers: 2, progress: second });
    assert.equal(resumed.status, 'complete');
    assert.ok(
      second.starts.some(([, at]) => at > 0 && at < experiment.steps),
      `some run resumed from a mid-run checkpoint (starts: ${JSON.stringify(second.starts)})`,
    );
    assert.ok(!second.starts.some(([id]) => stopped.finished.includes(id)), 'finished runs are skipped');
    await writeReport({ experiment, outDir: out, command: COMMAND });
    const straight = join(root, 'straight');
    for (const file of ['report.md', 'summary.csv', 'plots/learning-curve.svg', 'plots/layer-deadRatio.svg']) {
      assert.equal(await readFile(join(out, file), 'utf8'), await readFile(join(straight, file), 'utf8'), `${file} differs`);
    }
  });

  it('keeps finished runs when seeds are added or only the report changes', async () => {
    const out = join(root, 'straight');
    const grown = resolveExperiment({ ...raw, seeds: [1, 2, 3], report: { ...raw.report, phases: [{ name: 'all', from: 0, to: 2000 }] } }).experiment;
    const progress = recordingProgress();
    const result = await runExperiment({ experiment: grown, outDir: out, workers: 2, chunkMs: 5, progress });
    assert.equal(result.status, 'complete');
    assert.deepEqual(progress.starts.map(([id]) => id).sort(), ['bp-seed3', 'cbp-seed3'], 'only the new seed runs');
    await writeReport({ experiment: grown, outDir: out, command: COMMAND });
    assert.match(await readFile(join(out, 'report.md'), 'utf8'), /all 0–2k/);
    const relabelled = resolveExperiment({ ...raw, seeds: [1, 2, 3], base: { ...raw.base, description: 'reworded' } }).experiment;
    await prepareOutput(out, relabelled, false);
    assert.equal(JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8')).runs[0].spec.description, 'reworded', 'a reworded description keeps the runs');
    const changedSpec = resolveExperiment({ ...raw, methods: { ...raw.methods, bp: { agent: { optimizer: { kind: 'sgd', learningRate: 0.02 } } } } }).experiment;
    await assert.rejects(prepareOutput(out, changedSpec, false), (error: unknown) => {
      assert.ok(error instanceof PlasticdError);
      assert.match(error.message, /differs at 'runs\['bp-seed1'\]\.spec\.agent\.optimizer\.learningRate'/);
      return true;
    });
  });

  it('writes a run\'s time to timing.json as soon as it ends, so a killed invocation keeps it', async () => {
    const out = join(root, 'timing');
    await prepareOutput(out, resolveExperiment(raw).experiment, false);
    const timing = await loadTiming(out);
    // Two runs ending at once (two threads): both entries reach the file, whichever write lands last.
    await Promise.all([recordTiming(out, timing, 'bp-seed1', 12.5, 2000), recordTiming(out, timing, 'cbp-seed1', 7.25, 1500)]);
    await recordTiming(out, timing, 'bp-seed1', 1.5, 2000);
    assert.deepEqual(await loadTiming(out), { runs: { 'bp-seed1': { seconds: 14, steps: 2000 }, 'cbp-seed1': { seconds: 7.25, steps: 1500 } }, totalSeconds: 0 });
  });

  it('refuses an output folder holding a different configuration unless restarting', async () => {
    const out = join(root, 'straight');
    const changed = resolveExperiment({ ...raw, steps: 3000 }).experiment;
    await assert.rejects(prepareOutput(out, changed, false), (error: unknown) => {
      assert.ok(error instanceof PlasticdError);
      assert.equal(error.code, 'experiment_changed');
      assert.match(error.message, /differs at 'steps'.*--restart/s);
      return true;
    });
    await prepareOutput(out, changed, true);
    assert.ok(!existsSync(join(out, 'runs')), 'restart clears the earlier runs');
    assert.equal(JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8')).steps, 3000);
  });
});
