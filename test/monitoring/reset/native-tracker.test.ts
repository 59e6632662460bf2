import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nativeTrackerKernel } from '../../../monitoring/reset/native-tracker.ts';
import { UnitTracker } from '../../../monitoring/reset/unit-tracker.ts';
import { CRITERIA } from '../../../monitoring/utilities/unit-utility.ts';
import { makeLayerTrace } from '../../../src/nn/trace.ts';
import { TRACE_STATS } from '../../../src/nn/types.ts';
import type { StepTrace } from '../../../src/nn/types.ts';
import { Rng } from '../../../src/util/rng.ts';

const skip = nativeTrackerKernel() === null ? 'the native addon (npm run build:native) is missing' : false;
// 37 units go through the C kernel; 5 stay below NATIVE_MIN_UNITS (layer-state.ts) and check the mixed case.
const LAYERS = [{ name: 'hidden0', units: 37 }, { name: 'hidden1', units: 5 }];

/** Random traces with the corner cases of real ones: dead units (all-zero rows), zero incoming weights, tiny values. */
function traces(count: number, seed: number): StepTrace[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, step) => ({
    network: 'model', step: step + 1, batchSize: 4, loss: 1, gradNorm: 1, updateNorm: 0.1,
    layers: LAYERS.map(({ name, units }, index) => {
      const stats = new Float32Array(TRACE_STATS.length * units);
      for (let k = 0; k < stats.length; k++) stats[k] = rng.random() < 0.1 ? 0 : rng.random() * 10 ** (rng.int(33) - 30);
      for (let r = 0; r < TRACE_STATS.length; r++) stats[r * units] = 0; // unit 0 is dead, incoming weights included
      return makeLayerTrace(index, name, units, stats);
    }),
  }));
}

describe('native unit-tracker update (native/tracker-kernels.c)', { skip }, () => {
  for (const reference of ['running-mean', 'zero'] as const) {
    it(`matches the JS loops bit for bit over 2,000 steps with resets, every criterion, reference ${reference}`, () => {
      const config = { decay: 0.99, reference, criterion: 'gxd' as const, criteria: [...CRITERIA] };
      const make = (native: boolean) => new UnitTracker({ network: 'model', layers: LAYERS, config, rng: new Rng(4), native });
      const js = make(false);
      const c = make(true);
      for (const trace of traces(2000, 9)) {
        js.update(trace);
        c.update(trace);
        if (trace.step % 150 === 0) for (const tracker of [js, c]) tracker.resetUnits(trace.step % 2, [1, 3]);
      }
      assert.deepEqual(c.state(), js.state());
      for (let l = 0; l < LAYERS.length; l++) {
        assert.deepEqual(c.references()[l], js.references()[l]);
        for (const criterion of CRITERIA) assert.deepEqual(c.stepScores(l, criterion), js.stepScores(l, criterion), criterion);
      }
    });
  }
});
