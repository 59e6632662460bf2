/**
 * Registers Gymnasium's MuJoCo locomotion ids with the limits and reward thresholds of
 * gymnasium/envs/__init__.py (v5). Making one needs the engine loaded first: `await loadMujoco()`.
 */
import { register } from '../registration.ts';
import { AntEnv } from './ant.ts';
import { HalfCheetahEnv } from './half-cheetah.ts';
import { HopperEnv } from './hopper.ts';
import { Walker2dEnv } from './walker2d.ts';

/** The ids whose env needs `await loadMujoco()` before `make`. */
export const MUJOCO_ENV_IDS = new Set(['Ant-v5', 'HalfCheetah-v5', 'Hopper-v5', 'Walker2d-v5', 'plasticd/SlipperyAnt-v5']);

register({
  id: 'Ant-v5',
  entryPoint: (kwargs) => new AntEnv(kwargs),
  maxEpisodeSteps: 1000,
  rewardThreshold: 6000.0,
  description: 'MuJoCo quadruped rewarded for running along +x (needs await loadMujoco()).',
});

register({
  id: 'HalfCheetah-v5',
  entryPoint: (kwargs) => new HalfCheetahEnv(kwargs),
  maxEpisodeSteps: 1000,
  rewardThreshold: 4800.0,
  description: 'MuJoCo planar cheetah rewarded for running along +x (needs await loadMujoco()).',
});

register({
  id: 'Hopper-v5',
  entryPoint: (kwargs) => new HopperEnv(kwargs),
  maxEpisodeSteps: 1000,
  rewardThreshold: 3800.0,
  description: 'MuJoCo planar one-legged hopper rewarded for hopping along +x (needs await loadMujoco()).',
});

// Gymnasium registers Walker2d-v5 without a reward threshold.
register({
  id: 'Walker2d-v5',
  entryPoint: (kwargs) => new Walker2dEnv(kwargs),
  maxEpisodeSteps: 1000,
  description: 'MuJoCo planar biped rewarded for walking along +x (needs await loadMujoco()).',
});
