/** Test helper: the run loop's act → step → observe cycle for a fixed number of env steps. */
import type { Agent } from '../../../agents/agent.ts';
import type { Env } from '../../../envs/core.ts';

export interface DriveResult<A> {
  actions: A[];
  returns: number[];
  /** The observation to act on next, so a drive can be continued (e.g. after a restore). */
  observation: Float32Array;
}

export function drive<A>(agent: Agent<Float32Array, A>, env: Env<Float32Array, A>, steps: number, observation?: Float32Array, onStep?: (step: number) => void): DriveResult<A> {
  let obs = observation ?? env.reset({ seed: 0 }).observation;
  const actions: A[] = [];
  const returns: number[] = [];
  let episodeReturn = 0;
  for (let step = 0; step < steps; step++) {
    const action = agent.act(obs);
    actions.push(action);
    const result = env.step(action);
    agent.observe({ observation: obs, action, reward: result.reward, nextObservation: result.observation, terminated: result.terminated, truncated: result.truncated });
    episodeReturn += result.reward;
    obs = result.observation;
    if (result.terminated || result.truncated) {
      returns.push(episodeReturn);
      episodeReturn = 0;
      obs = env.reset().observation;
    }
    onStep?.(step);
  }
  return { actions, returns, observation: obs };
}

/** Every parameter of every network of the agent, concatenated in a fixed order. */
export function allParameters(agent: Agent<Float32Array, unknown>): number[] {
  const out: number[] = [];
  for (const name of Object.keys(agent.networks()).sort()) {
    for (const layer of agent.networks()[name].layerWeights()) out.push(...layer.weight, ...layer.bias);
  }
  return out;
}
