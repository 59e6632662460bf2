/**
 * Full classic-control episodes recorded with Gymnasium's own code (scripts/fixtures/
 * record_gymnasium_episodes.py, on glibc) replay through make(id) bit for bit: float32 observations,
 * terminated/truncated, float64 rewards and the float64 unwrapped state, to truncation at 500/200/999/200
 * steps where the episode runs that long, with float32 actions passed both as Float32Array and as
 * number[]. Bit-identity needs the C library's sin/cos/pow (src/util/libm.ts, through the native
 * addon) and glibc, where the recording was made; the JavaScript fallback has its own test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { libm } from '../../../src/util/libm.ts';
import { ENV_IDS, loadRecording, replay } from './gymnasium-episodes.ts';

const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
const skip =
  libm.source !== 'host'
    ? `needs the C library's libm through the native addon (${libm.reason})`
    : glibc === undefined
      ? 'the recordings were made with glibc; this C library rounds sin/cos/pow differently'
      : false;

const LIMITS: Record<string, number> = { 'CartPole-v1': 500, 'Acrobot-v1': 500, 'MountainCar-v0': 200, 'MountainCarContinuous-v0': 999, 'Pendulum-v1': 200 };

for (const id of ENV_IDS) {
  const recording = loadRecording(id);
  describe(`${id} against episodes recorded with Gymnasium`, () => {
    for (const episode of recording.episodes) {
      const length = episode.steps.length + episode.pastEnd.length;
      it(`replays "${episode.name}" (${length} steps) bit for bit`, { skip }, () => {
        assert.equal(replay(id, episode, { float32As: 'Float32Array', tolerance: 0 }), null);
        if (episode.actionKind === 'float32') {
          assert.equal(replay(id, episode, { float32As: 'number[]', tolerance: 0 }), null, 'number[] actions are float32 too');
        }
      });
    }

    it('covers truncation at the time limit, terminations and boundary states', () => {
      const ends = recording.episodes.map((e) => e.steps.at(-1)!);
      assert.ok(
        recording.episodes.some((e) => e.steps.length === LIMITS[id] && e.steps.at(-1)!.tr),
        `an episode runs to truncation at ${LIMITS[id]} steps`,
      );
      if (id !== 'Pendulum-v1') assert.ok(ends.filter((s) => s.te).length >= 3, 'at least three episodes terminate');
      assert.ok(recording.episodes.some((e) => e.stateAssigned), 'some episodes start from an assigned boundary state');
    });
  });
}

describe('The Gymnasium recordings', () => {
  it('include steps past a CartPole termination, clipped Acrobot velocities and both continuous action dtypes', () => {
    const cartPole = loadRecording('CartPole-v1').episodes;
    assert.ok(cartPole.some((e) => e.pastEnd.length === 3 && e.pastEnd.every((s) => s.r === 0)), 'reward 0 after the pole fell');
    assert.ok(cartPole.some((e) => e.kwargs.suttonBartoReward === true && e.pastEnd.some((s) => s.r === -1)), 'sutton-barto: -1 after the end');
    const acrobotObservations = loadRecording('Acrobot-v1').episodes.flatMap((e) => e.steps.map((s) => s.o));
    assert.ok(acrobotObservations.some((o) => Math.abs(o[4]!) === Math.fround(4 * Math.PI)), 'theta1 velocity at its 4 pi bound');
    assert.ok(acrobotObservations.some((o) => Math.abs(o[5]!) === Math.fround(9 * Math.PI)), 'theta2 velocity at its 9 pi bound');
    for (const id of ['MountainCarContinuous-v0', 'Pendulum-v1'] as const) {
      const kinds = new Set(loadRecording(id).episodes.map((e) => e.actionKind));
      assert.deepEqual([...kinds].sort(), ['float32', 'float64-array'], id);
    }
  });
});
