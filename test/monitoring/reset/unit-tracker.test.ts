import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { applyResets } from '../../../monitoring/reset/apply-resets.ts';
import type { ResettableNetwork } from '../../../monitoring/reset/apply-resets.ts';
import { ReplacementRatePolicy } from '../../../monitoring/reset/replacement-rate-policy.ts';
import { ThresholdPolicy } from '../../../monitoring/reset/threshold-policy.ts';
import { DEFAULT_UNIT_TRACKER_CONFIG, UnitTracker } from '../../../monitoring/reset/unit-tracker.ts';
import type { UnitTrackerConfig } from '../../../monitoring/reset/unit-tracker.ts';
import type { ResetEvent } from '../../../monitoring/reset/reset-event.ts';
import type { StepTrace } from '../../../src/nn/types.ts';
import { Rng } from '../../../src/util/rng.ts';
import { makeLayerTrace, makeStepTrace } from '../utilities/trace-fixture.ts';

const LAYERS = [
  { name: 'hidden0', units: 5 },
  { name: 'hidden1', units: 4 },
];
const NETWORK: ResettableNetwork = {
  name: 'net',
  hiddenLayers: LAYERS.map((l, index) => ({ ...l, index, activation: 'relu' as const })),
  reinitializeUnits() {},
};
const CONFIG: Partial<UnitTrackerConfig> = { decay: 0.9, criteria: ['gxd', 'contribution', 'random', 'redo'], criterion: 'random' };

/** A trace with seeded random non-negative statistics. */
function randomTrace(step: number, rng: Rng): StepTrace {
  return makeStepTrace(
    step,
    LAYERS.map((l, index) => {
      const trace = makeLayerTrace(index, l.units);
      for (let k = 0; k < trace.stats.length; k++) trace.stats[k] = rng.random() * 2;
      return trace;
    }),
  );
}

/** Steps `from..to`: update, select with both policies, apply. Returns the events. */
function drive(tracker: UnitTracker, from: number, to: number, traceRng: Rng): ResetEvent[] {
  const rate = new ReplacementRatePolicy({ replacementRate: 0.05, maturityThreshold: 3, accumulate: false });
  const threshold = new ThresholdPolicy({ threshold: 0.5, every: 7, maturityThreshold: 3 });
  const events: ResetEvent[] = [];
  for (let step = from; step <= to; step++) {
    tracker.update(randomTrace(step, traceRng));
    for (const [policy, criterion] of [[rate, 'random'], [threshold, 'redo']] as const) {
      const chosen = tracker.selectResets(policy, criterion);
      applyResets(NETWORK, tracker, chosen);
      events.push(...chosen);
    }
  }
  return events;
}

describe('UnitTracker', () => {
  it('uses the defaults of algorithms.md: η 0.99, reference ā, GXD, every criterion but random tracked', () => {
    const tracker = new UnitTracker({ network: 'net', layers: LAYERS, rng: new Rng(1) });
    assert.equal(tracker.config.decay, 0.99);
    assert.equal(tracker.config.reference, 'running-mean');
    assert.equal(tracker.config.criterion, 'gxd');
    assert.deepEqual(tracker.config.criteria, DEFAULT_UNIT_TRACKER_CONFIG.criteria);
    assert.ok(!tracker.config.criteria.includes('random'));
  });

  it('tracks only hidden layers: a trace with an extra (output) layer is refused', () => {
    const tracker = UnitTracker.forNetwork(NETWORK, new Rng(1));
    assert.equal(tracker.layers.length, 2);
    const trace = makeStepTrace(1, [makeLayerTrace(0, 5), makeLayerTrace(1, 4), makeLayerTrace(2, 1)]);
    assert.throws(() => tracker.update(trace), (e: Error & { code?: string }) => e.code === 'trace_mismatch' && /output layer/.test(e.message));
    assert.throws(() => tracker.resetUnits(2, [0]), /output layer is never reset/);
  });

  it('rejects bad config with the key and the expected values', () => {
    assert.throws(() => new UnitTracker({ network: 'n', layers: LAYERS, config: { decay: 1 }, rng: new Rng(1) }), /'decay' must be in \[0, 1\)/);
    assert.throws(() => new UnitTracker({ network: 'n', layers: LAYERS, config: { criterion: 'nope' as 'gxd' }, rng: new Rng(1) }), /Unknown reset criterion 'nope'/);
  });

  it('hands out the same reference arrays every step, holding the bias-corrected ā', () => {
    const tracker = new UnitTracker({ network: 'net', layers: LAYERS, rng: new Rng(1) });
    const refs = tracker.references();
    tracker.update(randomTrace(1, new Rng(2)));
    assert.equal(tracker.references(), refs);
    assert.deepEqual(Array.from(refs[1]), Array.from(tracker.meanActivations(1), Math.fround));
  });

  it('continues identically after state() → JSON → restore() in the middle of a run', () => {
    const straight = new UnitTracker({ network: 'net', layers: LAYERS, config: CONFIG, rng: new Rng(11) });
    const straightEvents = drive(straight, 1, 80, new Rng(5));

    const first = new UnitTracker({ network: 'net', layers: LAYERS, config: CONFIG, rng: new Rng(11) });
    const traceRng = new Rng(5);
    const firstEvents = drive(first, 1, 40, traceRng);
    const saved = JSON.parse(JSON.stringify(first.state()));
    assert.equal(saved.encoding, 'float64le-base64');
    const resumed = new UnitTracker({ network: 'net', layers: LAYERS, config: CONFIG, rng: new Rng(999) });
    resumed.restore(saved);
    const laterEvents = drive(resumed, 41, 80, traceRng);

    assert.ok(straightEvents.length > 10, `${straightEvents.length} events`);
    assert.ok(laterEvents.length > 0);
    assert.deepEqual([...firstEvents, ...laterEvents], straightEvents);
    assert.deepEqual(resumed.state(), straight.state());
    assert.deepEqual(Array.from(resumed.references()[0]), Array.from(straight.references()[0]));
  });

  it('refuses a state from a tracker with another config', () => {
    const a = new UnitTracker({ network: 'net', layers: LAYERS, config: CONFIG, rng: new Rng(1) });
    const b = new UnitTracker({ network: 'net', layers: LAYERS, config: { ...CONFIG, decay: 0.5 }, rng: new Rng(1) });
    assert.throws(() => b.restore(a.state()), (e: Error & { code?: string }) => e.code === 'tracker_state_mismatch');
  });

  it('allocates nothing per update: no garbage per step, and a flat heap over 100k updates', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // 64-64 keeps the test fast; per-step garbage (a boxed number, an iterator) does not depend on the width.
    const layers = [{ name: 'hidden0', units: 64 }, { name: 'hidden1', units: 64 }];
    const tracker = new UnitTracker({ network: 'net', layers, rng: new Rng(1) });
    const rng = new Rng(2);
    const trace = makeStepTrace(0, layers.map((l, i) => makeLayerTrace(i, l.units)));
    for (const layer of trace.layers) for (let k = 0; k < layer.stats.length; k++) layer.stats[k] = rng.random();
    // A step that selects nothing must not allocate either: a threshold policy between its checks.
    const policy = new ThresholdPolicy({ every: 1_000_000 });
    let step = 0;
    const run = (count: number) => {
      for (let k = 0; k < count; k++) {
        trace.step = ++step;
        tracker.update(trace);
        tracker.selectResets(policy);
      }
    };
    run(2000); // let the JIT settle

    // Garbage: heap growth over 10k steps with no collection inside the round. One boxed number per
    // step would be ≥ 16 bytes × 10k = 160 kB in every such round. Until the JIT has optimised the
    // hot loop (slow on a loaded machine) a round may allocate, so we look for one clean round.
    const gcStarts: number[] = [];
    const observer = new PerformanceObserver((list) => gcStarts.push(...list.getEntries().map((e) => e.startTime)));
    observer.observe({ entryTypes: ['gc'] });
    const rounds: { start: number; end: number; growth: number }[] = [];
    let clean: number[] = [];
    for (let batch = 0; batch < 6 && !clean.some((g) => g < 32_000); batch++) {
      for (let round = 0; round < 4; round++) {
        gc();
        const start = performance.now();
        const before = process.memoryUsage().heapUsed;
        run(10_000);
        const growth = process.memoryUsage().heapUsed - before;
        rounds.push({ start, end: performance.now(), growth });
      }
      await new Promise((resolve) => setTimeout(resolve, 10)); // let the gc entries arrive
      clean = rounds.filter((r) => !gcStarts.some((t) => t >= r.start && t <= r.end)).map((r) => r.growth);
    }
    observer.disconnect();
    assert.ok(clean.some((g) => g < 32_000), `heap growth per 10k steps in rounds without a collection: ${clean.join(', ')} bytes`);

    // Retained: the heap after a collection stays flat over 100k updates.
    gc();
    const retainedBefore = process.memoryUsage().heapUsed;
    run(100_000);
    gc();
    const retainedAfter = process.memoryUsage().heapUsed;
    assert.ok(retainedAfter - retainedBefore < 256_000, `heap grew by ${retainedAfter - retainedBefore} bytes`);
  });
});
