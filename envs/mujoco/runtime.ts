/**
 * The MuJoCo physics engine: Google DeepMind's official WebAssembly build (`@mujoco/mujoco`, pinned to
 * an exact version because two MuJoCo versions integrate differently), loaded once per thread.
 * Loading is asynchronous (the wasm module compiles) while `make(id)` is synchronous, so a MuJoCo env
 * can only be made after `await loadMujoco()`; plasticd's run builder does that for MuJoCo ids.
 */
import type { MainModule } from '@mujoco/mujoco';
import { PlasticdError } from '../../src/util/errors.ts';

let engine: MainModule | null = null;
let loading: Promise<MainModule> | null = null;

/** Loads the engine (once per thread; later calls return the same module). */
export function loadMujoco(): Promise<MainModule> {
  if (engine !== null) return Promise.resolve(engine);
  loading ??= import('@mujoco/mujoco').then(async ({ default: factory }) => {
    engine = await factory();
    return engine;
  });
  return loading;
}

/** The loaded engine; a clear error when `loadMujoco()` has not finished. */
export function mujoco(): MainModule {
  if (engine === null) {
    throw new PlasticdError('mujoco_not_loaded', 'MuJoCo is not loaded yet: await loadMujoco() (from envs/index.ts) before making a MuJoCo env');
  }
  return engine;
}

export function isMujocoLoaded(): boolean {
  return engine !== null;
}
