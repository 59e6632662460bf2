export { AntEnv } from './ant.ts';
export type { AntKwargs } from './ant.ts';
export { HalfCheetahEnv } from './half-cheetah.ts';
export type { HalfCheetahKwargs } from './half-cheetah.ts';
export { MujocoEnv } from './mujoco-env.ts';
export type { MujocoAction, MujocoSnapshot } from './mujoco-env.ts';
export { isMujocoLoaded, loadMujoco } from './runtime.ts';
export { MUJOCO_ENV_IDS } from './registrations.ts';
