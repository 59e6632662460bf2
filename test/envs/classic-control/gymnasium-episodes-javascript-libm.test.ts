/**
 * Without the native addon (here forced with PLASTICD_LIBM=js) the classic-control envs compute sin
 * and cos with V8's Math.sin/Math.cos (fdlibm, which rounds ~3% of arguments differently from glibc)
 * and pow(x, 2) as x * x. The dynamics are the same; what that costs against Gymnasium is measured
 * here on the same recordings: every env but Acrobot still gives Gymnasium's float32 observations
 * and flags, with rewards and float64 states within 1e-9 (they drift by some ulps), while chaotic
 * Acrobot follows them for the first 100 steps and then may part (3 of its 17 episodes do).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

process.env.PLASTICD_LIBM = 'js';
const { libm } = await import('../../../src/util/libm.ts');
const { ENV_IDS, loadRecording, replay } = await import('./gymnasium-episodes.ts');

describe('Classic control with the JavaScript libm fallback', () => {
  it('uses the fallback when PLASTICD_LIBM=js', () => {
    assert.equal(libm.source, 'javascript');
    assert.match(libm.reason, /PLASTICD_LIBM=js/);
  });

  for (const id of ENV_IDS) {
    const chaotic = id === 'Acrobot-v1';
    it(`${chaotic ? 'follows the first 100 steps of' : 'matches'} every ${id} episode recorded with Gymnasium`, () => {
      for (const episode of loadRecording(id).episodes) {
        const difference = replay(id, episode, { float32As: 'Float32Array', tolerance: 1e-9, ...(chaotic ? { steps: 100 } : {}) });
        assert.equal(difference, null, episode.name);
      }
    });
  }
});
