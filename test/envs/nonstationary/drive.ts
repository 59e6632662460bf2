// Drives an env for a number of steps, resetting at episode ends, and records where shifts were reported.
import type { Env } from '../../../envs/core.ts';
import type { ShiftInfo } from '../../../envs/nonstationary/shift.ts';

export interface DriveLog {
  /** 1-based global step numbers whose info carried a shift. */
  shiftSteps: number[];
  shifts: ShiftInfo[];
  /** 1-based global step numbers that ended an episode. */
  episodeEnds: number[];
  rewards: number[];
  observations: number[][];
}

export function drive<A>(env: Env<any, A>, steps: number, action: (t: number) => A, log?: DriveLog): DriveLog {
  const out = log ?? { shiftSteps: [], shifts: [], episodeEnds: [], rewards: [], observations: [] };
  const offset = out.rewards.length;
  for (let t = 1; t <= steps; t++) {
    const result = env.step(action(offset + t));
    out.rewards.push(result.reward);
    out.observations.push(Array.from(result.observation as ArrayLike<number>));
    if (result.info.shift) {
      out.shiftSteps.push(offset + t);
      out.shifts.push(result.info.shift as ShiftInfo);
    }
    if (result.terminated || result.truncated) {
      out.episodeEnds.push(offset + t);
      env.reset();
    }
  }
  return out;
}
