import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyResets } from '../../../monitoring/reset/apply-resets.ts';
import type { ResettableNetwork } from '../../../monitoring/reset/apply-resets.ts';
import { ReplacementRatePolicy } from '../../../monitoring/reset/replacement-rate-policy.ts';
import { UnitTracker } from '../../../monitoring/reset/unit-tracker.ts';
import type { UnitTrackerConfig } from '../../../monitoring/reset/unit-tracker.ts';
import type { ReinitializeOptions } from '../../../src/nn/types.ts';
import { Rng } from '../../../src/util/rng.ts';
import { makeLayerTrace, makeStepTrace } from '../utilities/trace-fixture.ts';

interface Call {
  layer: number;
  units: number[];
  options: ReinitializeOptions | undefined;
}

/** Records reinitializeUnits calls; a 3-4 network (hidden layers only, as Network.hiddenLayers lists them). */
function recordingNetwork(): ResettableNetwork & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    name: 'net',
    hiddenLayers: [
      { index: 0, name: 'hidden0', units: 3, activation: 'relu' },
      { index: 1, name: 'hidden1', units: 4, activation: 'relu' },
    ],
    calls,
    reinitializeUnits(layer, units, options) {
      const copy: ReinitializeOptions | undefined = options && { ...options };
      if (options?.biasTransfer !== undefined) copy!.biasTransfer = Array.from(options.biasTransfer);
      calls.push({ layer, units: Array.from(units), options: copy });
    },
  };
}

/** Two steps with known batch-mean activations; with η = 0.5, ā = (0.25·m1 + 0.5·m2) / (1 − 0.5²) after step 2. */
function trackedTwoSteps(network: ResettableNetwork, config: Partial<UnitTrackerConfig>): UnitTracker {
  const tracker = UnitTracker.forNetwork(network, new Rng(3), { decay: 0.5, ...config });
  const steps = [
    { l0: [1, 2, 3], l1: [0.5, 0.5, 0.5, 0.5], gxd0: [0.3, 0.1, 0.2], gxd1: [0.4, 0.3, 0.2, 0.1] },
    { l0: [4, 2, 0], l1: [1.5, 0.5, 2.5, 0.5], gxd0: [0.3, 0.1, 0.2], gxd1: [0.4, 0.3, 0.2, 0.1] },
  ];
  steps.forEach((s, k) =>
    tracker.update(
      makeStepTrace(k + 1, [
        makeLayerTrace(0, 3, { meanActivation: s.l0, meanAbsActivation: s.l0, gxd: s.gxd0 }),
        makeLayerTrace(1, 4, { meanActivation: s.l1, meanAbsActivation: s.l1, gxd: s.gxd1 }),
      ]),
    ),
  );
  return tracker;
}

describe('applyResets', () => {
  it('reinitialises the chosen units with zeroed outgoing weights and their ā moved into the next bias', () => {
    const network = recordingNetwork();
    const tracker = trackedTwoSteps(network, { reference: 'running-mean' });
    // ρ·|eligible| = 0.5·3 → 1 unit of layer 0 (unit 1, GXD 0.1); 0.5·4 → 2 units of layer 1 (units 3 and 2).
    const events = tracker.selectResets(new ReplacementRatePolicy({ replacementRate: 0.5, maturityThreshold: 1 }));
    applyResets(network, tracker, events);
    assert.deepEqual(network.calls, [
      { layer: 0, units: [1], options: { outgoing: 'zero', biasTransfer: [2] } },
      { layer: 1, units: [3, 2], options: { outgoing: 'zero', biasTransfer: [(0.25 * 0.5 + 0.5 * 0.5) / 0.75, (0.25 * 0.5 + 0.5 * 2.5) / 0.75] } },
    ]);
  });

  it('clears exactly those units’ utilities, running means, references and ages', () => {
    const network = recordingNetwork();
    const tracker = trackedTwoSteps(network, {});
    const before = [0, 1].map((l) => ({ ages: tracker.ages(l), mean: tracker.meanActivations(l), gxd: tracker.utilities(l, 'gxd'), ref: Array.from(tracker.references()[l]) }));
    applyResets(network, tracker, tracker.selectResets(new ReplacementRatePolicy({ replacementRate: 0.5, maturityThreshold: 1 })));
    const resetUnits = [[1], [3, 2]];
    for (const l of [0, 1]) {
      const after = { ages: tracker.ages(l), mean: tracker.meanActivations(l), gxd: tracker.utilities(l, 'gxd'), ref: Array.from(tracker.references()[l]) };
      for (let i = 0; i < after.ages.length; i++) {
        const cleared = resetUnits[l].includes(i);
        for (const key of ['ages', 'mean', 'gxd', 'ref'] as const) {
          assert.equal(after[key][i], cleared ? 0 : before[l][key][i], `layer ${l} unit ${i} ${key}`);
        }
        for (const criterion of tracker.config.criteria) {
          if (cleared) assert.equal(tracker.utilities(l, criterion)[i], 0, `${criterion} of reset unit`);
        }
      }
    }
  });

  it('transfers no bias when the reference is zero', () => {
    const network = recordingNetwork();
    const tracker = trackedTwoSteps(network, { reference: 'zero' });
    assert.deepEqual(Array.from(tracker.references()[0]), [0, 0, 0]);
    applyResets(network, tracker, tracker.selectResets(new ReplacementRatePolicy({ replacementRate: 0.5, maturityThreshold: 1 })));
    assert.deepEqual(network.calls[0], { layer: 0, units: [1], options: { outgoing: 'zero' } });
  });

  it('refuses an event for the output layer, touching nothing', () => {
    const network = recordingNetwork();
    const tracker = trackedTwoSteps(network, {});
    const [event] = tracker.selectResets(new ReplacementRatePolicy({ replacementRate: 0.5, maturityThreshold: 1 }));
    const outputLayer = { ...event, layer: 2, layerName: 'output' };
    assert.throws(() => applyResets(network, tracker, [event, outputLayer]), /output layer is never reset/);
    assert.equal(network.calls.length, 0);
    assert.equal(tracker.ages(0)[event.units[0]], 2);
  });

  it('refuses events chosen at an earlier step', () => {
    const network = recordingNetwork();
    const tracker = trackedTwoSteps(network, {});
    const events = tracker.selectResets(new ReplacementRatePolicy({ replacementRate: 0.5, maturityThreshold: 1 }));
    tracker.update(makeStepTrace(3, [makeLayerTrace(0, 3), makeLayerTrace(1, 4)]));
    assert.throws(() => applyResets(network, tracker, events), (e: Error & { code?: string }) => e.code === 'stale_reset');
  });
});
