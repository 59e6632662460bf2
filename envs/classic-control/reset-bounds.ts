/**
 * Reset-option parsing shared by the classic-control envs, a port of Gymnasium's
 * `gymnasium/envs/classic_control/utils.py` (`verify_number_and_cast`, `maybe_parse_reset_bounds`).
 * Deliberate deviation: an option whose value is `undefined` counts as absent (a JS object spread
 * leaves such keys behind), where Python's `float(None)` would raise.
 */
import { PlasticdError } from '../../src/util/errors.ts';

const SPECIAL_FLOATS: Record<string, number> = {
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
};

/** Python's `float(x)` for the values a JSON option can hold: numbers, numeric strings, booleans. */
export function verifyNumberAndCast(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const text = x.trim().toLowerCase().replace(/_/g, '');
    if (text in SPECIAL_FLOATS) return SPECIAL_FLOATS[text]!;
    const value = text === '' ? NaN : Number(text);
    if (!Number.isNaN(value) && !/^[+-]?0[box]/.test(text)) return value;
  }
  throw new PlasticdError('invalid_reset_option', `An option (${formatOption(x)}) could not be converted to a float.`);
}

/**
 * The `[low, high]` range for the initial-state draw: `options.low` / `options.high` where given,
 * else the env's defaults. Throws when low > high.
 */
export function maybeParseResetBounds(options: Record<string, unknown> | null | undefined, defaultLow: number, defaultHigh: number): [number, number] {
  if (options === null || options === undefined) return [defaultLow, defaultHigh];
  const low = verifyNumberAndCast(options.low !== undefined ? options.low : defaultLow);
  const high = verifyNumberAndCast(options.high !== undefined ? options.high : defaultHigh);
  if (low > high) {
    throw new PlasticdError('invalid_reset_option', `Lower bound (${low}) must be lower than higher bound (${high}).`);
  }
  return [low, high];
}

function formatOption(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
