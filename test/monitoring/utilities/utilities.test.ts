import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnitTracker } from '../../../monitoring/reset/unit-tracker.ts';
import { CRITERIA, UNIT_UTILITIES, getUtility } from '../../../monitoring/utilities/index.ts';
import type { CriterionName } from '../../../monitoring/utilities/index.ts';
import { Rng } from '../../../src/util/rng.ts';
import { makeLayerTrace, makeStepTrace } from './trace-fixture.ts';
import type { StatRows } from './trace-fixture.ts';

/**
 * A 2-input, 3-hidden-ReLU, 1-output network with per-sample loss ℓ = (y − t)², written out by hand:
 * a = relu(W1·x + b1), y = W2·a + b2, ∂ℓ/∂a_i = 2(y − t)·W2[i]. Returns the StepTrace rows for
 * reference r (the weights are taken as the post-update weights of the step).
 */
interface HandNetwork {
  w1: number[][];
  b1: number[];
  w2: number[];
  b2: number;
}

function handStats(net: HandNetwork, xs: number[][], targets: number[], r: ArrayLike<number>): StatRows {
  const units = net.w1.length;
  const zeros = () => new Array<number>(units).fill(0);
  const rows = {
    meanAbsActivation: zeros(),
    meanActivation: zeros(),
    fractionActive: zeros(),
    meanAbsGradient: zeros(),
    gxd: zeros(),
    gxdSigned: zeros(),
    meanAbsDifference: zeros(),
    meanAbsOutgoingWeight: net.w2.map(Math.abs),
    meanAbsIncomingWeight: net.w1.map((row) => row.reduce((s, w) => s + Math.abs(w), 0) / row.length),
  };
  xs.forEach((x, n) => {
    const a = net.w1.map((row, i) => Math.max(0, row[0] * x[0] + row[1] * x[1] + net.b1[i]));
    const y = a.reduce((s, ai, i) => s + net.w2[i] * ai, net.b2);
    const g = net.w2.map((w) => 2 * (y - targets[n]) * w);
    for (let i = 0; i < units; i++) {
      const m = 1 / xs.length;
      rows.meanAbsActivation[i] += m * Math.abs(a[i]);
      rows.meanActivation[i] += m * a[i];
      rows.fractionActive[i] += m * (a[i] > 0 ? 1 : 0);
      rows.meanAbsGradient[i] += m * Math.abs(g[i]);
      rows.gxd[i] += m * Math.abs(g[i] * (a[i] - r[i]));
      rows.gxdSigned[i] += m * g[i] * (a[i] - r[i]);
      rows.meanAbsDifference[i] += m * Math.abs(a[i] - r[i]);
    }
  });
  return rows;
}

const NET_STEP1: HandNetwork = { w1: [[1, -1], [0.5, 0.5], [-1, 0]], b1: [0, 0, 0.5], w2: [2, -1, 0.5], b2: 0 };
const XS_STEP1 = [[1, 0], [0, 2]];
const TARGETS_STEP1 = [1, 0];

/** Per-step score of each criterion from the trace rows, the formulas of algorithms.md §2.0–2.5. */
function expectedScores(rows: StatRows): Record<Exclude<CriterionName, 'random'>, number[]> {
  const f = (stat: keyof StatRows) => Array.from(rows[stat]!, (v) => Math.fround(v));
  const absA = f('meanAbsActivation');
  const out = f('meanAbsOutgoingWeight');
  const inc = f('meanAbsIncomingWeight');
  const diff = f('meanAbsDifference');
  const layerMean = absA.reduce((s, v) => s + v, 0) / absA.length;
  return {
    gxd: f('gxd'),
    contribution: absA.map((v, i) => v * out[i]),
    'zero-contribution': diff.map((v, i) => v * out[i]),
    'adaptable-contribution': diff.map((v, i) => (out[i] * v) / inc[i]),
    activation: absA,
    gradient: f('meanAbsGradient'),
    redo: absA.map((v) => v / (layerMean + 1e-9)),
  };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

const TRACKED = CRITERIA.filter((c) => c !== 'random') as Exclude<CriterionName, 'random'>[];

describe('unit utilities on a hand-computed 2-3-1 ReLU network', () => {
  it('computes the trace of the first step by hand (r = 0)', () => {
    const rows = handStats(NET_STEP1, XS_STEP1, TARGETS_STEP1, [0, 0, 0]);
    // a(x1) = (1, 0.5, 0), a(x2) = (0, 1, 0.5); y = (1.5, −0.75); ∂ℓ/∂a = (2, −1, 0.5) and (−3, 1.5, −0.75).
    assertClose(rows.meanAbsActivation!, [0.5, 0.75, 0.25]);
    assertClose(rows.meanAbsGradient!, [2.5, 1.25, 0.625]);
    assertClose(rows.gxd!, [1, 1, 0.1875]);
    assertClose(rows.gxdSigned!, [1, 0.5, -0.1875]);
    assertClose(rows.meanAbsIncomingWeight!, [1, 0.5, 0.5]);
  });

  it('gives each criterion its per-step score on the first step', () => {
    const tracker = new UnitTracker({ network: 'net', layers: [{ name: 'hidden0', units: 3 }], config: { decay: 0.9 }, rng: new Rng(1) });
    const rows = handStats(NET_STEP1, XS_STEP1, TARGETS_STEP1, tracker.references()[0]);
    tracker.update(makeStepTrace(1, [makeLayerTrace(0, 3, rows)]));
    const byHand: Record<Exclude<CriterionName, 'random'>, number[]> = {
      gxd: [1, 1, 0.1875],
      contribution: [1, 0.75, 0.125],
      'zero-contribution': [1, 0.75, 0.125],
      'adaptable-contribution': [1, 1.5, 0.25], // 2·0.5/1, 1·0.75/0.5, 0.5·0.25/0.5
      activation: [0.5, 0.75, 0.25],
      gradient: [2.5, 1.25, 0.625],
      redo: [1, 1.5, 0.5],
    };
    for (const criterion of TRACKED) {
      assertClose(tracker.stepScores(0, criterion), byHand[criterion], 1e-6, criterion);
      // After one step the bias-corrected average is the score itself.
      assertClose(tracker.utilities(0, criterion), byHand[criterion], 1e-6, `${criterion} Û`);
    }
    // The next step's GXD reference is the bias-corrected running mean: after one step, the batch mean.
    assertClose(tracker.references()[0], [0.5, 0.75, 0.25]);
  });

  it('keeps the bias-corrected running average of every criterion over three steps', () => {
    const decay = 0.9;
    const tracker = new UnitTracker({ network: 'net', layers: [{ name: 'hidden0', units: 3 }], config: { decay }, rng: new Rng(1) });
    const steps = [
      { net: NET_STEP1, xs: XS_STEP1, targets: TARGETS_STEP1 },
      { net: { w1: [[0.8, -1], [0.5, 0.7], [-1, 0.2]], b1: [0.1, 0, 0.5], w2: [1.5, -1.2, 0.4], b2: 0.1 }, xs: [[1, 1], [2, 0], [0, 1]], targets: [0, 1, -1] },
      { net: { w1: [[0.6, -0.9], [0.4, 0.9], [-1.1, 0.3]], b1: [0.2, -0.1, 0.4], w2: [1.2, -1.3, 0.6], b2: 0 }, xs: [[0.5, -1], [1, 2]], targets: [2, 0.5] },
    ];
    const history: Record<string, number[][]> = {};
    const means: number[][] = [];
    for (let t = 0; t < steps.length; t++) {
      const { net, xs, targets } = steps[t];
      const reference = Array.from(tracker.references()[0]);
      if (t > 0) {
        // r = ā bias-corrected with age t: Σ_k (1−η)η^{t−1−k} m_k / (1 − η^t).
        const expectedReference = [0, 1, 2].map(
          (i) => means.reduce((s, m, k) => s + (1 - decay) * decay ** (t - 1 - k) * m[i], 0) / (1 - decay ** t),
        );
        assertClose(reference, expectedReference, 1e-6, `reference at step ${t + 1}`);
      }
      const rows = handStats(net, xs, targets, reference);
      means.push(Array.from(rows.meanActivation!, Math.fround));
      tracker.update(makeStepTrace(t + 1, [makeLayerTrace(0, 3, rows)]));
      const expected = expectedScores(rows);
      for (const criterion of TRACKED) {
        assertClose(tracker.stepScores(0, criterion), expected[criterion], 1e-6, `${criterion} step ${t + 1}`);
        (history[criterion] ??= []).push(expected[criterion]);
      }
    }
    assert.deepEqual(Array.from(tracker.ages(0)), [3, 3, 3]);
    for (const criterion of TRACKED) {
      const u = history[criterion];
      const expected = [0, 1, 2].map(
        (i) => u.reduce((s, scores, k) => s + (1 - decay) * decay ** (2 - k) * scores[i], 0) / (1 - decay ** 3),
      );
      assertClose(tracker.utilities(0, criterion), expected, 1e-6, `${criterion} Û after 3 steps`);
    }
  });

  it('gives a dead unit zero utility under every criterion but gradient', () => {
    const tracker = new UnitTracker({ network: 'net', layers: [{ name: 'hidden0', units: 3 }], rng: new Rng(1) });
    const dead = { ...NET_STEP1, w1: [[-1, -1], ...NET_STEP1.w1.slice(1)], b1: [-1, 0, 0.5] };
    tracker.update(makeStepTrace(1, [makeLayerTrace(0, 3, handStats(dead, XS_STEP1, TARGETS_STEP1, [0, 0, 0]))]));
    for (const criterion of TRACKED) {
      const u0 = tracker.utilities(0, criterion)[0];
      if (criterion === 'gradient') assert.ok(u0 > 0, 'a dead ReLU still receives gradient through W_out');
      else assert.equal(u0, 0, criterion);
    }
  });
});

describe('utility registry', () => {
  it('knows every criterion by name and rejects unknown names with a usable message', () => {
    for (const name of ['gxd', 'contribution', 'adaptable-contribution', 'activation', 'gradient', 'redo', 'random']) {
      assert.equal(getUtility(name).name, name);
    }
    assert.equal(Object.keys(UNIT_UTILITIES).length, CRITERIA.length);
    assert.throws(() => getUtility('dormancy'), (e: Error & { code?: string }) => e.code === 'unknown_criterion' && /expected one of/.test(e.message));
  });

  it('draws the random criterion from the seeded Rng, the same for the same seed', () => {
    const scores = (seed: number) => {
      const out = new Float64Array(5);
      UNIT_UTILITIES.random.score(makeLayerTrace(0, 5), out, new Rng(seed));
      return Array.from(out);
    };
    assert.deepEqual(scores(7), scores(7));
    assert.notDeepEqual(scores(7), scores(8));
    assert.ok(scores(7).every((v) => v >= 0 && v < 1));
  });
});
