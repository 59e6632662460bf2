/**
 * The contract every agent kind meets inside the run loop (DQN, PPO discrete and continuous,
 * stream AC, the continual learner): actions within the action space, same seed ⇒ same run,
 * checkpoint/restore continues identically, no tensor growth on the tfjs engine, resets forced
 * mid-training keep training going, and a short smoke run.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/nn/backend.ts';
import type { RunEvent, WindowEvent } from '../../src/run/events.ts';
import { agentCases, codecRoundTrip, parameterBytes, startRun, stateBytes } from '../run/run-helpers.ts';

before(async () => {
  await initBackend();
});

const windows = (events: RunEvent[]) => events.filter((e): e is WindowEvent => e.kind === 'window');

for (const { name, spec } of agentCases('typed')) {
  describe(`agent contract: ${name}`, () => {
    it('acts within the action space (or predicts one target row per input, for streams)', () => {
      const { run } = startRun(spec);
      try {
        run.runFor(300); // past the first updates, so a trained policy acts too
        if (run.env) {
          const env = run.env;
          let { observation } = env.reset({ seed: 3 });
          for (let t = 0; t < 300; t++) {
            const action = run.agent.act(observation);
            assert.ok(env.actionSpace.contains(action), `action ${String(action)} at t=${t} is outside ${String(env.actionSpace)}`);
            const result = env.step(action);
            observation = result.terminated || result.truncated ? env.reset().observation : result.observation;
          }
        } else {
          const stream = run.stream!;
          const example = stream.next();
          const prediction = run.agent.act(example.input) as Float32Array;
          assert.equal(prediction.length, stream.targetSize);
          assert.ok(prediction.every(Number.isFinite));
        }
      } finally {
        run.dispose();
      }
    });

    it('gives the same events and parameters for the same seed, and different ones for another seed', () => {
      const a = startRun(spec);
      const b = startRun(spec);
      const c = startRun({ ...spec, seed: spec.seed + 1 });
      try {
        for (const r of [a, b, c]) r.run.runFor(600);
        assert.ok(a.events.length > 0);
        assert.deepStrictEqual(b.events, a.events);
        assert.deepStrictEqual(parameterBytes(b.run), parameterBytes(a.run));
        assert.notDeepStrictEqual(parameterBytes(c.run), parameterBytes(a.run));
      } finally {
        for (const r of [a, b, c]) r.run.dispose();
      }
    });

    it('continues bit for bit after state() → checkpoint codec → restore() into a fresh run, mid-episode', async () => {
      const uninterrupted = startRun(spec);
      const first = startRun(spec);
      try {
        uninterrupted.run.runFor(537);
        first.run.runFor(537);
        const saved = await codecRoundTrip(first.run.state());
        first.run.dispose();
        const resumed = startRun(spec);
        try {
          resumed.run.restore(saved);
          assert.deepStrictEqual(resumed.run.counters(), uninterrupted.run.counters());
          const before = uninterrupted.events.length;
          uninterrupted.run.runFor(700);
          resumed.run.runFor(700);
          const after = uninterrupted.events.slice(before);
          assert.ok(after.some((e) => e.kind === 'window'), 'the continuation crosses a window');
          assert.deepStrictEqual(resumed.events, after);
          assert.deepStrictEqual(parameterBytes(resumed.run), parameterBytes(uninterrupted.run));
          assert.ok((await stateBytes(resumed.run)).equals(await stateBytes(uninterrupted.run)), 'the whole run state matches byte for byte');
        } finally {
          resumed.run.dispose();
        }
      } finally {
        uninterrupted.run.dispose();
      }
    });

    it('keeps training with finite losses while a high replacement rate resets units mid-training', () => {
      const forced = { ...spec, monitor: { ...spec.monitor, resetPolicy: { replacementRate: 0.05, maturityThreshold: 5 } } };
      const { run, events } = startRun(forced);
      try {
        run.runFor(1000);
        const middle = parameterBytes(run);
        const resetsBefore = events.filter((e) => e.kind === 'reset').length;
        run.runFor(1000);
        const resets = events.filter((e) => e.kind === 'reset');
        assert.ok(resetsBefore > 0 && resets.length > resetsBefore, `resets happened in both halves (${resetsBefore}, ${resets.length})`);
        for (const w of windows(events)) {
          for (const network of w.report.networks) {
            if (network.updates > 0) assert.ok(Number.isFinite(network.loss), `window ${w.report.window} ${network.network} loss ${network.loss}`);
          }
        }
        const last = windows(events).at(-1)!.report;
        assert.ok(last.networks.every((n) => n.updates > 0), 'every network still updates in the last window');
        assert.notDeepStrictEqual(parameterBytes(run), middle, 'parameters keep changing');
        for (const tensor of Object.values(parameterBytes(run))) {
          assert.ok(new Float32Array(tensor.buffer, tensor.byteOffset, tensor.byteLength / 4).every(Number.isFinite));
        }
      } finally {
        run.dispose();
      }
    });

    it('smoke run: steps, windows with reports for every network, and episodes or shifts', () => {
      const { run, events } = startRun(spec);
      try {
        const counters = run.runFor(1500);
        assert.equal(counters.steps, 1500);
        assert.equal(counters.windows, 6);
        assert.deepStrictEqual(
          events.map((e) => e.seq),
          events.map((_, i) => i + 1),
        );
        const ws = windows(events);
        assert.equal(ws.length, 6);
        const names = Object.values(run.agent.networks()).map((n) => n.name).sort();
        assert.deepStrictEqual(ws[0].report.networks.map((n) => n.network).sort(), names);
        if (run.env) {
          assert.ok(counters.episodes > 0);
          assert.equal(events.filter((e) => e.kind === 'episode').length, counters.episodes);
          assert.equal(typeof counters.lastReturn, 'number');
        } else {
          assert.equal(counters.shifts, 3, 'bit-flipping flips a bit every 400 examples');
          assert.ok(Number.isFinite(ws.at(-1)!.report.performance.loss!));
        }
      } finally {
        run.dispose();
      }
    });
  });
}

describe('agent contract on the tfjs engine', () => {
  for (const { name, spec } of agentCases('tfjs')) {
    it(`${name}: holds a flat tensor count across training steps (1,000; 500 for stream AC), windows and a state/restore`, () => {
      const { run } = startRun(spec);
      try {
        const steps = spec.agent.kind === 'stream-ac' ? 500 : 1000;
        // Past the first window: the monitor keeps one working copy per network for GXD-F and the
        // audit, allocated once at the first window; after that nothing may grow.
        run.runFor(300);
        assert.ok(run.counters().windows >= 1);
        const baseline = tf.memory().numTensors;
        run.runFor(steps / 2);
        run.restore(run.state());
        run.runFor(steps / 2);
        assert.ok(run.counters().windows >= 3);
        assert.equal(tf.memory().numTensors, baseline);
      } finally {
        run.dispose();
      }
    });
  }
});
