/**
 * Walker2d-v5: a planar two-legged robot rewarded for walking along +x, after Gymnasium 1.x
 * `gymnasium/envs/mujoco/walker2d_v5.py` (the Hopper of Erez, Tassa & Todorov 2011 with a second leg):
 * 6 hinge motors with gear 100, frame skip 4 (dt 0.008 s), reward = x velocity of the rootx slider + 1
 * while healthy − 1e-3·Σa². Healthy: torso z strictly inside (0.8, 2) and its angle strictly inside
 * (−1, 1); unlike Hopper there is no bound on the rest of the state. Observation (17): qpos without x
 * (8), then qvel clipped to ±10 (9). Reset: qpos and qvel each + U(±5e-3). The model is Gymnasium's
 * `assets/walker2d_v5.xml`: both feet with friction 1.9 (v4's right foot had 0.9).
 */
import { readFileSync } from 'node:fs';
import { PlanarLocomotionEnv } from './hopper.ts';
import type { PlanarLocomotionConfig } from './hopper.ts';

export interface Walker2dKwargs {
  frameSkip?: number;
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  healthyReward?: number;
  terminateWhenUnhealthy?: boolean;
  healthyZRange?: [number, number];
  healthyAngleRange?: [number, number];
  resetNoiseScale?: number;
  excludeCurrentPositionsFromObservation?: boolean;
  renderMode?: null;
}

const WALKER2D: PlanarLocomotionConfig = {
  envName: 'Walker2dEnv',
  xml: readFileSync(new URL('./assets/walker2d_v5.xml', import.meta.url), 'utf8'),
  kwargNames: [
    'frameSkip', 'forwardRewardWeight', 'ctrlCostWeight', 'healthyReward', 'terminateWhenUnhealthy', 'healthyZRange', 'healthyAngleRange',
    'resetNoiseScale', 'excludeCurrentPositionsFromObservation', 'renderMode',
  ],
  healthyStateRange: null,
  healthyZRange: [0.8, 2.0],
  healthyAngleRange: [-1.0, 1.0],
};

export class Walker2dEnv extends PlanarLocomotionEnv {
  constructor(kwargs: Walker2dKwargs | Record<string, unknown> = {}) {
    super(WALKER2D, kwargs);
  }
}
