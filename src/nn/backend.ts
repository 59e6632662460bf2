/**
 * TF.js backend selection for plasticd. 'auto' tries, fastest first: tfjs-node-gpu, tfjs-node (both
 * optional, user-installed, loaded with a dynamic import), wasm (its .wasm files read from
 * node_modules by file path, kernels patched in wasm-kernels.ts), the OpenBLAS-backed 'cpu-blas'
 * (optional native addon, native/), then the pure-JS cpu backend, which always works and stays
 * the test oracle (its elementwise kernels sped up in cpu-kernels.ts, same values).
 * `PLASTICD_BACKEND` or the `backend` option forces one; a forced backend that cannot load throws.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { PlasticdError } from '../util/errors.ts';
import { registerBlasKernels, type BlasKernelInfo } from '../../native/blas-kernels.ts';
import { patchCpuKernels } from './cpu-kernels.ts';
import { patchWasmKernels } from './wasm-kernels.ts';

/** In 'auto' order, fastest first (measured: bench/nn.bench.ts; cpu-blas loses to wasm on every shape). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu-blas', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = 'auto' | BackendName;

export interface BackendCandidate {
  name: BackendName;
  available: boolean;
  /** Why it was (not) usable, e.g. the import error. Empty when it was not tried. */
  reason: string;
}

export interface BackendInfo {
  /** The plasticd backend name (what the user asks for). */
  name: BackendName;
  /** The tfjs backend name it runs on (`tensorflow` for both tfjs-node variants). */
  tfjsBackend: string;
  /** One line for logs and build_info: why this one was chosen. */
  reason: string;
  /** Every backend considered, in the order tried. */
  candidates: BackendCandidate[];
  /** For 'cpu-blas': the BLAS library and its configuration. */
  blas?: BlasKernelInfo;
}

export interface InitBackendOptions {
  backend?: BackendChoice;
  /** Environment to read PLASTICD_BACKEND from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Told once per fresh selection (never by default: the caller logs the returned info). */
  log?: (message: string) => void;
}

const require = createRequire(import.meta.url);
/** In-flight or finished initialisations, keyed by the resolved request. */
const pending = new Map<BackendChoice, Promise<BackendInfo>>();
let current: BackendInfo | null = null;

/** The backend the last successful initBackend selected, or null before any. */
export function currentBackend(): BackendInfo | null {
  return current;
}

export function isBackendChoice(value: string): value is BackendChoice {
  return value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Selects and activates a backend. Calling it again with the same request returns the same
 * result without re-initialising; a different request switches the active backend.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  registerGradients();
  const requested = resolveRequest(options);
  let promise = pending.get(requested);
  if (promise === undefined) {
    promise = select(requested);
    pending.set(requested, promise);
    promise.then(
      (info) => options.log?.(`tfjs backend ${info.name}: ${info.reason}`),
      () => pending.delete(requested),
    );
  }
  const info = await promise;
  if (tf.getBackend() !== info.tfjsBackend) {
    // Another request switched away in between; switch back (the backend is already initialised).
    await tf.setBackend(info.tfjsBackend);
  }
  current = info;
  return info;
}

let gradientsRegistered = false;

/**
 * @tensorflow/tfjs-core's Node bundle ships no gradient functions (the tfjs union package adds
 * them); without this, tf.grad / variableGrads / optimizer.minimize throw "gradient function not
 * found". The registration module exists only as ES modules with extensionless imports, which
 * Node's ESM loader rejects, so it is loaded through require (tsx transpiles it). The gradient
 * registry is a tfjs global, shared with the bundle we import. Idempotent.
 */
export function registerGradients(): void {
  if (gradientsRegistered) return;
  try {
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
  } catch (error) {
    throw new PlasticdError(
      'backend_gradients',
      `Could not register TF.js gradient functions (${errorText(error)}); run plasticd through tsx (npm start).`,
    );
  }
  gradientsRegistered = true;
}

function resolveRequest(options: InitBackendOptions): BackendChoice {
  const env = options.env ?? process.env;
  const fromEnv = env.PLASTICD_BACKEND?.trim();
  const requested = options.backend ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : fromEnv);
  if (!isBackendChoice(requested)) {
    const source = options.backend !== undefined ? 'the backend option' : 'PLASTICD_BACKEND';
    throw new PlasticdError(
      'invalid_backend',
      `Unknown backend '${requested}' from ${source}; expected one of auto, ${BACKEND_NAMES.join(', ')}.`,
    );
  }
  return requested;
}

async function select(requested: BackendChoice): Promise<BackendInfo> {
  const order: readonly BackendName[] = requested === 'auto' ? BACKEND_NAMES : [requested];
  const candidates: BackendCandidate[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name);
    candidates.push({ name, available: attempt.ok, reason: attempt.reason });
    if (attempt.ok) {
      const why = requested === 'auto' ? `auto: fastest available (${attempt.reason})` : `forced: ${attempt.reason}`;
      const info: BackendInfo = { name, tfjsBackend: attempt.tfjsBackend, reason: why, candidates };
      if (attempt.blas !== undefined) info.blas = attempt.blas;
      return info;
    }
  }
  const tried = candidates.map((c) => `${c.name}: ${c.reason}`).join('; ');
  throw new PlasticdError(
    'backend_unavailable',
    requested === 'auto'
      ? `No TF.js backend could be initialised (${tried}).`
      : `Backend '${requested}' was requested (option or PLASTICD_BACKEND) but cannot be used: ${tried}. ` +
          `Use 'auto' or another backend.`,
    { candidates },
  );
}

interface Attempt {
  ok: boolean;
  reason: string;
  tfjsBackend: string;
  blas?: BlasKernelInfo;
}

async function tryBackend(name: BackendName): Promise<Attempt> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        return await tryTfjsNode('@tensorflow/tfjs-node-gpu');
      case 'tensorflow':
        return await tryTfjsNode('@tensorflow/tfjs-node');
      case 'cpu-blas':
        return await tryCpuBlas();
      case 'wasm':
        return await tryWasm();
      case 'cpu':
        patchCpuKernels();
        return await activate('cpu', 'pure-JS cpu backend');
    }
  } catch (error) {
    return { ok: false, reason: errorText(error), tfjsBackend: '' };
  }
}

/** tfjs-node and tfjs-node-gpu both register the tfjs backend 'tensorflow'; they are not dependencies. */
async function tryTfjsNode(pkg: string): Promise<Attempt> {
  const loaded = tf.findBackend('tensorflow') !== null;
  if (!loaded) {
    try {
      // A variable specifier keeps TypeScript and bundlers from resolving the optional package.
      const specifier: string = pkg;
      await import(specifier);
    } catch (error) {
      const text = errorText(error);
      const missing = /Cannot find (module|package)/.test(text);
      return { ok: false, reason: missing ? `${pkg} is not installed` : `${pkg} failed to load: ${text}`, tfjsBackend: '' };
    }
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return {
      ok: false,
      reason: `${pkg} loaded but registered into another copy of @tensorflow/tfjs-core (install a matching 4.22 version)`,
      tfjsBackend: '',
    };
  }
  return activate('tensorflow', `${pkg} (libtensorflow)`);
}

async function tryWasm(): Promise<Attempt> {
  // Point the loader at the package's own dist folder by file path (no fetch, no bundler guesswork).
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const simd = join(dist, 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(simd)) return { ok: false, reason: `no .wasm files in ${dist}`, tfjsBackend: '' };
  if (tf.findBackend('wasm') === null) {
    try {
      setWasmPaths(`${dist}/`);
    } catch {
      // Already initialised once (setWasmPaths refuses after init); the paths are set.
    }
  }
  patchWasmKernels();
  return activate('wasm', 'wasm backend (XNNPACK, SIMD, single thread)');
}

async function tryCpuBlas(): Promise<Attempt> {
  patchCpuKernels(); // before cpu-blas copies the cpu kernels
  const blas = registerBlasKernels({ backendName: 'cpu-blas', sourceBackend: 'cpu', createBackend: () => new MathBackendCPU() });
  if (!blas.available) return { ok: false, reason: blas.reason, tfjsBackend: '' };
  const attempt = await activate('cpu-blas', `cpu backend with ${blas.reason}`);
  attempt.blas = blas;
  return attempt;
}

async function activate(tfjsBackend: string, description: string): Promise<Attempt> {
  const ok = await quietly(() => tf.setBackend(tfjsBackend));
  if (!ok) return { ok: false, reason: `tf.setBackend('${tfjsBackend}') failed to initialise ${description}`, tfjsBackend };
  await tf.ready();
  // The JS cpu backend prints a banner urging tfjs-node on first use; our candidates list says it.
  const instance = tf.backend() as unknown as { firstUse?: boolean };
  if (instance.firstUse === true) instance.firstUse = false;
  return { ok: true, reason: description, tfjsBackend };
}

/** tfjs reports init failures with console.warn; keep them out of our output (we report them). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
