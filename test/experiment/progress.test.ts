import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration } from '../../src/experiment/progress.ts';

function fakeStream(): NodeJS.WriteStream & { text: string } {
  const stream = { text: '', isTTY: false, write(chunk: string) {
    stream.text += chunk;
    return true;
  } };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('createProgress (plain lines)', () => {
  it('counts restored steps as done but not as speed when estimating the time left', () => {
    const stream = fakeStream();
    let now = 0;
    const progress = createProgress({ stream, tty: false, lineEverySeconds: 10, clock: () => now });
    progress.begin({ runs: 2, finishedRuns: 1, steps: 2000, doneSteps: 1000 });
    progress.runStarted('b-seed1', 1000, 500);
    now = 10;
    progress.runProgress('b-seed1', 750); // 250 steps in 10 s; 250 left → 10 s
    progress.runEnded('b-seed1', 'finished');
    const lines = stream.text.trim().split('\n');
    assert.equal(lines[0], '[experiment] 50.0% of steps, runs 1/2 done, ETA ?');
    assert.equal(lines[1], '[experiment] b-seed1: resumed at step 500 (1000 steps)');
    assert.equal(lines[2], '[experiment] 87.5% of steps, runs 1/2 done, ETA 10s');
    assert.match(lines[3], /b-seed1: finished; 87\.5% of steps, runs 2\/2 done/);
  });

  it('takes a run resumed elsewhere back to its checkpoint instead of counting its steps twice', () => {
    const stream = fakeStream();
    let now = 0;
    const progress = createProgress({ stream, tty: false, lineEverySeconds: 10, clock: () => now });
    progress.begin({ runs: 1, finishedRuns: 0, steps: 1000, doneSteps: 0 });
    progress.runStarted('a-seed1', 1000, 0);
    progress.runProgress('a-seed1', 600); // its worker dies at 600; the checkpoint was at 400
    progress.runStarted('a-seed1', 1000, 400);
    now = 10;
    progress.runProgress('a-seed1', 700);
    assert.equal(stream.text.trim().split('\n').at(-1), '[experiment] 70.0% of steps, runs 0/1 done, ETA 4s');
  });

  it('formats durations as s, m s and h m', () => {
    assert.equal(formatDuration(42.4), '42s');
    assert.equal(formatDuration(125), '2m05s');
    assert.equal(formatDuration(3 * 3600 + 7 * 60), '3h07m');
    assert.equal(formatDuration(Number.NaN), '?');
  });
});
