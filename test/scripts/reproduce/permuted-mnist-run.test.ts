import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { PermutedMnistRun, runPermutedMnistGroup } from '../../../scripts/reproduce/permuted-mnist-run.ts';
import type { PermutedMnistJob } from '../../../scripts/reproduce/permuted-mnist-run.ts';

const job = (dir: string, method: 'bp' | 'gxd'): PermutedMnistJob => ({
  method,
  seed: 3,
  tasks: 3,
  examplesPerTask: 200,
  hiddenUnits: [64, 64, 64],
  probeSize: 64,
  checkpointFile: join(dir, `${method}.v8`),
  progressFile: join(dir, `${method}.json`),
});

/** The saved state without the timing fields, which legitimately differ between invocations. */
function savedState(file: string): unknown {
  const saved = deserialize(readFileSync(file)) as { result: Record<string, unknown> };
  delete saved.result.wallSeconds;
  delete saved.result.microsecondsPerExample;
  return saved;
}

describe('PermutedMnistRun', () => {
  it('resumes from its checkpoint bit-identically to an uninterrupted run', () => {
    const straight = mkdtempSync(join(tmpdir(), 'pm-straight-'));
    const resumed = mkdtempSync(join(tmpdir(), 'pm-resumed-'));
    try {
      const [expected] = runPermutedMnistGroup([job(straight, 'gxd')]);
      const first = new PermutedMnistRun(job(resumed, 'gxd'));
      first.runTask();
      first.dispose();
      const second = new PermutedMnistRun(job(resumed, 'gxd'));
      assert.equal(second.tasksDone, 1);
      while (!second.done) second.runTask();
      const actual = second.snapshot();
      second.dispose();
      assert.equal(actual.tasksDone, 3);
      assert.deepEqual(actual.accuracy, expected.accuracy);
      assert.deepEqual(actual.loss, expected.loss);
      assert.deepEqual(actual.probes, expected.probes);
      assert.deepEqual(actual.resetsPerTask, expected.resetsPerTask);
      assert.ok(actual.resetsPerTask.flat().some((count) => count > 0), 'GXD reset units, so the tracker state was exercised');
      assert.deepEqual(savedState(join(resumed, 'gxd.v8')), savedState(join(straight, 'gxd.v8')));
    } finally {
      rmSync(straight, { recursive: true, force: true });
      rmSync(resumed, { recursive: true, force: true });
    }
  });

  it('interleaves a group task by task and stops at the deadline with every run checkpointed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-group-'));
    try {
      // A deadline already past: no task runs, and the runs report zero tasks done.
      const stopped = runPermutedMnistGroup([job(dir, 'bp'), job(dir, 'gxd')], Date.now() - 1);
      assert.deepEqual(stopped.map((run) => run.tasksDone), [0, 0]);
      const finished = runPermutedMnistGroup([job(dir, 'bp'), job(dir, 'gxd')]);
      assert.deepEqual(finished.map((run) => run.tasksDone), [3, 3]);
      // A finished run resumed again does nothing more and returns the same results.
      const again = runPermutedMnistGroup([job(dir, 'bp')]);
      assert.deepEqual(again[0].accuracy, finished[0].accuracy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint written for another job', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-mismatch-'));
    try {
      const run = new PermutedMnistRun(job(dir, 'gxd'));
      run.runTask();
      run.dispose();
      assert.throws(() => new PermutedMnistRun({ ...job(dir, 'gxd'), examplesPerTask: 201 }), /checkpoint .* is for/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
