/**
 * How the unit tracker's typed arrays travel in its JSON-able state: every Float64Array is stored
 * as the base64 of its little-endian IEEE-754 bytes. This is exact (a resumed run continues bit for
 * bit), keeps NaN and ±Infinity (which JSON number arrays cannot), and is about half the size of a
 * decimal array.
 */
import { PlasticdError } from '../../src/util/errors.ts';

export const FLOAT64_ENCODING = 'float64le-base64' as const;

export function encodeFloat64(values: Float64Array): string {
  const bytes = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) bytes.writeDoubleLE(values[i], i * 8);
  return bytes.toString('base64');
}

/** Decodes into a new array of `length` values; throws when the data has another length. */
export function decodeFloat64(encoded: string, length: number, what: string): Float64Array {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== length * 8) {
    throw new PlasticdError(
      'invalid_tracker_state',
      `Tracker state field ${what} holds ${bytes.length / 8} values; expected ${length}.`,
    );
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}
