/**
 * Registers Gymnasium's MuJoCo locomotion ids with the limits and reward thresholds of
 * gymnasium/envs/__init__.py (v5). Making one needs the engine loaded first: `await loadMujoco()`.
 */
import { register } from '../registration.ts';
import { AntEnv } from './ant.ts';
import { HalfCheetahEnv } from './half-cheetah.ts';

/** The ids whose env needs `await loadMujoco()` before `make`. */
export const MUJOCO_ENV_IDS = new Set(['Ant-v5', 'HalfCheetah-v5', 'plasticd/SlipperyAnt-v5']);

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
