/**
 * sin, cos, pow and powf as Gymnasium's envs compute them: numpy and Python's `math` call the C
 * library's functions, so the classic-control envs call the same ones, through the optional native
 * addon (native/libm-kernels.c, built by `npm run build:native`), and then round exactly as
 * Gymnasium does on the same machine.
 *
 * Why it matters: glibc's sin/cos and pow(x, 2) are not correctly rounded (about 0.1% of results are
 * one ulp off), and V8's Math.sin/Math.cos (fdlibm) round about 3% of arguments differently from
 * glibc. In a chaotic system such as Acrobot one such ulp grows into a different float32 observation
 * within a few hundred steps.
 *
 * Without the addon (or with PLASTICD_LIBM=js) the fallback is V8's Math.sin/Math.cos and the
 * correctly rounded x·x for pow(x, 2): the same dynamics, but not bit-identical to Gymnasium.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Libm {
  sin(x: number): number;
  cos(x: number): number;
  /** C pow(x, y) in float64 (Python's `x ** y` on floats, numpy's on np.float64 scalars, math.pow). */
  pow(x: number, y: number): number;
  /** C powf(x, y) in float32 (numpy's `x ** y` on np.float32 scalars). */
  powf(x: number, y: number): number;
  /** 'host': the C library through the addon; 'javascript': the fallback. */
  readonly source: 'host' | 'javascript';
  /** Why the fallback is in use (empty for 'host'). */
  readonly reason: string;
}

interface LibmAddon {
  libmSin(x: number): number;
  libmCos(x: number): number;
  libmPow(x: number, y: number): number;
  libmPowf(x: number, y: number): number;
}

const ADDON_PATH = fileURLToPath(new URL('../../native/build/plasticd_blas.node', import.meta.url));

function jsPow(x: number, y: number): number {
  return y === 2 ? x * x : Math.pow(x, y);
}

function javascriptLibm(reason: string): Libm {
  return {
    sin: Math.sin,
    cos: Math.cos,
    pow: jsPow,
    powf: (x, y) => Math.fround(jsPow(Math.fround(x), Math.fround(y))),
    source: 'javascript',
    reason,
  };
}

function loadLibm(): Libm {
  if (process.env.PLASTICD_LIBM === 'js') return javascriptLibm('PLASTICD_LIBM=js');
  if (!existsSync(ADDON_PATH)) return javascriptLibm(`native addon not built (${ADDON_PATH}; run npm run build:native)`);
  let addon: Partial<LibmAddon>;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Partial<LibmAddon>;
  } catch (error) {
    return javascriptLibm(`native addon failed to load: ${(error as Error).message}`);
  }
  const { libmSin, libmCos, libmPow, libmPowf } = addon;
  if (libmSin === undefined || libmCos === undefined || libmPow === undefined || libmPowf === undefined) {
    return javascriptLibm('native addon predates the libm kernels (run npm run build:native)');
  }
  return { sin: libmSin, cos: libmCos, pow: libmPow, powf: libmPowf, source: 'host', reason: '' };
}

/** The functions the classic-control envs compute with; loaded once per thread. */
export const libm: Libm = loadLibm();
