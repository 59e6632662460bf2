/**
 * The unit tracker's per-step update in C (native/tracker-kernels.c, in the optional addon), or null
 * where the addon is missing or predates it. It evaluates the criteria that declare a `formula`
 * (unit-utility.ts) with the same float64 expressions, in the same order, as LayerState.update's JS
 * loops, so both give bit-identical trackers (test/monitoring/reset/native-tracker.test.ts).
 * PLASTICD_NATIVE_TRACKER=0 forces the JS loops.
 */
import { loadBlasAddon } from '../../native/blas-kernels.ts';

export interface NativeTrackerKernel {
  trackerUpdate(
    stats: Float32Array, units: number, decay: number, ages: Float64Array, decayPowers: Float64Array, meanActivation: Float64Array,
    meanRow: number, reference: Float32Array | null, utilities: Float64Array, scores: Float64Array, formulas: Int32Array,
  ): void;
}

let cached: NativeTrackerKernel | null | undefined;

export function nativeTrackerKernel(): NativeTrackerKernel | null {
  if (cached !== undefined) return cached;
  const addon = process.env.PLASTICD_NATIVE_TRACKER === '0' ? null : (loadBlasAddon() as unknown as Record<string, unknown> | null);
  cached = addon !== null && typeof addon.trackerUpdate === 'function' ? (addon as unknown as NativeTrackerKernel) : null;
  return cached;
}
