import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShiftClock, ValueSource, deriveShiftRng, nextListIndex, parseSchedule } from '../../../envs/nonstationary/schedule.ts';
import { Rng } from '../../../src/util/rng.ts';

describe('parseSchedule', () => {
  it('accepts exactly one of every / everyAtEpisodeEnd', () => {
    assert.deepEqual(parseSchedule({ every: 5 }, 'X'), { kind: 'every', steps: 5 });
    assert.deepEqual(parseSchedule({ everyAtEpisodeEnd: 7 }, 'X'), { kind: 'everyAtEpisodeEnd', steps: 7 });
    assert.throws(() => parseSchedule({}, 'X'), /X: give exactly one of "every".*neither/);
    assert.throws(() => parseSchedule({ every: 1, everyAtEpisodeEnd: 2 }, 'X'), /both/);
  });

  it('rejects a non-positive or fractional step count', () => {
    assert.throws(() => parseSchedule({ every: 0 }, 'X'), /"every" must be a positive integer/);
    assert.throws(() => parseSchedule({ everyAtEpisodeEnd: 2.5 }, 'X'), /"everyAtEpisodeEnd" must be a positive integer/);
  });
});

describe('ShiftClock', () => {
  it('fires on steps N, 2N, 3N with an every-N schedule, regardless of episode ends', () => {
    const clock = new ShiftClock({ kind: 'every', steps: 3 });
    const fired = [];
    for (let t = 1; t <= 10; t++) if (clock.tick(t % 2 === 0)) fired.push(t);
    assert.deepEqual(fired, [3, 6, 9]);
    assert.equal(clock.shifts, 3);
    assert.equal(clock.totalSteps, 10);
  });

  it('fires at the first episode end at least N steps after the last shift', () => {
    const clock = new ShiftClock({ kind: 'everyAtEpisodeEnd', steps: 5 });
    const ends = new Set([2, 4, 6, 7, 9, 11, 12, 20]);
    const fired = [];
    for (let t = 1; t <= 20; t++) if (clock.tick(ends.has(t))) fired.push(t);
    // 6 is the first end with >= 5 steps; then 11 (5 steps after 6); then 20.
    assert.deepEqual(fired, [6, 11, 20]);
  });

  it('round-trips its state', () => {
    const clock = new ShiftClock({ kind: 'every', steps: 4 });
    for (let t = 0; t < 6; t++) clock.tick(false);
    const copy = new ShiftClock({ kind: 'every', steps: 4 });
    copy.restore(JSON.parse(JSON.stringify(clock.state())));
    assert.equal(copy.tick(false), false);
    assert.equal(copy.tick(false), true);
    assert.equal(copy.totalSteps, 8);
  });
});

describe('deriveShiftRng', () => {
  it('gives the same stream for the same seeds and salt and different ones otherwise', () => {
    const a = deriveShiftRng('physics', [1]);
    const b = deriveShiftRng('physics', [1]);
    assert.deepEqual([a.nextUint32(), a.nextUint32()], [b.nextUint32(), b.nextUint32()]);
    const first = (salt: string, seeds: number[]) => deriveShiftRng(salt, seeds).nextUint32();
    assert.notEqual(first('physics', [1]), first('physics', [2]));
    assert.notEqual(first('physics', [1]), first('reward', [1]));
    assert.notEqual(first('physics', [1, 5]), first('physics', [1]));
    assert.notEqual(first('physics', [1]), new Rng(1).nextUint32());
  });
});

describe('ValueSource', () => {
  it('cycles a list in order starting from its first value', () => {
    const source = new ValueSource({ values: [3, 1, 2] }, 'T');
    const rng = new Rng(0);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => source.next(rng)), [3, 1, 2, 3, 1]);
  });

  it('draws a random list value that differs from the current one', () => {
    const source = new ValueSource({ values: [1, 2], order: 'random' }, 'T');
    const rng = new Rng(4);
    const drawn = Array.from({ length: 8 }, () => source.next(rng));
    for (let i = 1; i < drawn.length; i++) assert.notEqual(drawn[i], drawn[i - 1]);
  });

  it('draws log-uniformly within [low, high] with a median near the geometric mean', () => {
    const source = new ValueSource({ low: 0.02, high: 2 }, 'T');
    const rng = new Rng(9);
    const values = Array.from({ length: 4000 }, () => source.next(rng)).sort((x, y) => x - y);
    assert.ok(values[0]! >= 0.02 && values[values.length - 1]! <= 2);
    const median = values[2000]!;
    assert.ok(Math.abs(Math.log(median) - Math.log(0.2)) < 0.15, `median ${median}`);
  });

  it('explains bad specs', () => {
    assert.throws(() => new ValueSource({}, 'P'), /P: give either "values".*got neither/);
    assert.throws(() => new ValueSource({ values: [1], low: 1, high: 2 }, 'P'), /not both/);
    assert.throws(() => new ValueSource({ low: 0, high: 2 }, 'P'), /0 < low <= high/);
    assert.throws(() => new ValueSource({ values: [] }, 'P'), /non-empty list/);
    assert.throws(() => new ValueSource({ values: [1], order: 'shuffle' as never }, 'P'), /"cycle" or "random"/);
  });

  it('picks the next list index as documented', () => {
    const rng = new Rng(1);
    assert.equal(nextListIndex(rng, 3, -1, 'cycle'), 0);
    assert.equal(nextListIndex(rng, 3, 2, 'cycle'), 0);
    assert.equal(nextListIndex(rng, 1, 0, 'random'), 0);
  });
});
