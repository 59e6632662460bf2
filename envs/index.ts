/**
 * The public face of envs/: the Env contract, spaces, registry, wrappers, vector env, conformance
 * check, classic control, MuJoCo locomotion, nonstationary wrappers and supervised streams. Importing
 * this module registers every built-in id (classic control, MuJoCo, the plasticd/ nonstationary
 * variants); MuJoCo ids need `await loadMujoco()` before `make`.
 */
export * from './core.ts';
export * from './spaces.ts';
export * from './stateful.ts';
export * from './registration.ts';
export * from './wrappers/index.ts';
export * from './vector/sync-vector-env.ts';
export * from './check-env.ts';
export * from './classic-control/index.ts';
export * from './nonstationary/index.ts';
export * from './streams/index.ts';
export * from './mujoco/index.ts';

import './classic-control/registrations.ts';
import './mujoco/registrations.ts';
import './nonstationary/registrations.ts';
