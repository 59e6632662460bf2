// A one-layer tracker fed a fixed per-unit score, for the reset-policy tests.
import { UnitTracker } from '../../../monitoring/reset/unit-tracker.ts';
import type { UnitTrackerConfig } from '../../../monitoring/reset/unit-tracker.ts';
import type { ResetEvent } from '../../../monitoring/reset/reset-event.ts';
import type { ResetPolicy } from '../../../monitoring/reset/reset-policy.ts';
import { Rng } from '../../../src/util/rng.ts';
import type { StatRows } from '../utilities/trace-fixture.ts';
import { makeLayerTrace, makeStepTrace } from '../utilities/trace-fixture.ts';

export interface Run {
  tracker: UnitTracker;
  /** Every event, in order. */
  events: ResetEvent[];
  /** Age of each chosen unit at the moment it was chosen. */
  agesAtSelection: number[];
}

/** Runs `steps` updates with the same rows each step, selecting and applying resets after each. */
export function runPolicy(
  policy: ResetPolicy,
  rows: StatRows,
  steps: number,
  config: Partial<UnitTrackerConfig> = { criterion: 'gxd', decay: 0.99 },
  seed = 1,
): Run {
  const units = Object.values(rows)[0]!.length;
  const tracker = new UnitTracker({ network: 'net', layers: [{ name: 'hidden0', units }], config, rng: new Rng(seed) });
  const trace = makeStepTrace(0, [makeLayerTrace(0, units, rows)]);
  const run: Run = { tracker, events: [], agesAtSelection: [] };
  for (let step = 1; step <= steps; step++) {
    trace.step = step;
    tracker.update(trace);
    for (const event of tracker.selectResets(policy)) {
      const ages = tracker.ages(event.layer);
      run.agesAtSelection.push(...event.units.map((u) => ages[u]));
      run.events.push(event);
      tracker.resetUnits(event.layer, event.units);
    }
  }
  return run;
}
