import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { make, captureEnvState, restoreEnvState, type Env } from '../../envs/index.ts';
import {
  StreamAcAgent,
  categoricalPolicyObjective,
  gaussianPolicyObjective,
  streamAcConfigSchema,
  type StreamAcAction,
  type StreamAcConfigInput,
} from '../../agents/stream-ac.ts';
import { SampleMeanStd, StreamObservationNormalizer } from '../../agents/observation-normalizer.ts';
import { StreamRewardScaler } from '../../agents/reward-scaler.ts';
import type { AgentHooks } from '../../agents/agent.ts';
import type { NetworkEngine } from '../../src/nn/index.ts';
import { initBackend } from '../../src/nn/backend.ts';
import type { Network, NetworkState, TrainStepInput } from '../../src/nn/types.ts';
import type { OptimizerSnapshot } from '../../src/nn/state.ts';
import { OBGD_TRACE_SLOT } from '../../src/nn/optimizers/obgd.ts';

// The tfjs-engine test needs a backend; the rest run on the typed engine.
before(() => initBackend({ backend: 'cpu' }));

const SMALL: StreamAcConfigInput = { hiddenUnits: [16, 16] };

function createAgent(envId: string, seed: number, config: StreamAcConfigInput = SMALL, extra: { hooks?: AgentHooks; engine?: NetworkEngine } = {}) {
  const env = make(envId);
  const agent = new StreamAcAgent({ observationSpace: env.observationSpace, actionSpace: env.actionSpace, config, seed, engine: extra.engine ?? 'typed', hooks: extra.hooks });
  return { env, agent };
}

interface Drive {
  observation: Float32Array;
  actions: StreamAcAction[];
  episodeReturns: number[];
  episodeEnds: number;
}

/** Runs the agent-env loop for `steps` steps from `observation` (reset with `seed` when omitted). */
function drive(agent: StreamAcAgent, env: Env<Float32Array, StreamAcAction>, steps: number, start: { seed?: number; observation?: Float32Array }): Drive {
  let observation = start.observation ?? env.reset({ seed: start.seed }).observation;
  const result: Drive = { observation, actions: [], episodeReturns: [], episodeEnds: 0 };
  let episodeReturn = 0;
  for (let t = 0; t < steps; t++) {
    const action = agent.act(observation);
    result.actions.push(typeof action === 'number' ? action : action.slice());
    const step = env.step(action);
    agent.observe({ observation, action, reward: step.reward, nextObservation: step.observation, terminated: step.terminated, truncated: step.truncated });
    episodeReturn += step.reward;
    if (step.terminated || step.truncated) {
      result.episodeReturns.push(episodeReturn);
      result.episodeEnds++;
      episodeReturn = 0;
      observation = env.reset().observation;
    } else {
      observation = step.observation;
    }
  }
  result.observation = observation;
  return result;
}

function parameters(network: Network): number[] {
  return network.layerWeights().flatMap((layer) => [...layer.weight, ...layer.bias, ...(layer.layerNormGain ?? []), ...(layer.layerNormBias ?? [])]);
}

describe('streamAcConfigSchema', () => {
  it('defaults to the reference code hyperparameters', () => {
    assert.deepEqual(streamAcConfigSchema.parse({}), {
      learningRate: 1,
      gamma: 0.99,
      lambda: 0.8,
      kappaPolicy: 3,
      kappaValue: 2,
      entropyCoefficient: 0.01,
      hiddenUnits: [128, 128],
      sparsity: 0.9,
      normalizeObservations: true,
      scaleRewards: true,
    });
  });

  it('rejects unknown keys and out-of-range values', () => {
    assert.throws(() => streamAcConfigSchema.parse({ lr: 1 }));
    assert.throws(() => streamAcConfigSchema.parse({ lambda: 1.5 }));
    assert.throws(() => streamAcConfigSchema.parse({ sparsity: 1 }));
  });
});

describe('SampleMeanStd and the stream normalisers', () => {
  it('normalises each observation with statistics that include it (first one to zero)', () => {
    const normalizer = new StreamObservationNormalizer(1);
    const out = new Float32Array(1);
    assert.equal(normalizer.observe([5], out)[0], 0);
    // mean 4, unbiased variance 2 after [5, 3].
    assert.ok(Math.abs(normalizer.observe([3], out)[0] - -1 / Math.sqrt(2 + 1e-8)) < 1e-6);
  });

  it('computes the unbiased variance, 1 before the second sample', () => {
    const stats = new SampleMeanStd(1);
    stats.update([2]);
    assert.equal(stats.varianceAt(0), 1);
    for (const x of [4, 6, 8]) stats.update([x]);
    assert.equal(stats.meanAt(0), 5);
    assert.ok(Math.abs(stats.varianceAt(0) - 20 / 3) < 1e-12);
  });

  it('scales rewards by the std of the discounted return trace, reset at episode ends', () => {
    const scaler = new StreamRewardScaler({ gamma: 0.5 });
    assert.ok(Math.abs(scaler.scale(1, false) - 1 / Math.sqrt(1 + 1e-8)) < 1e-12); // trace 1, var 1
    // trace 0.5·1 + 1 = 1.5; samples [1, 1.5] → unbiased var 0.125.
    assert.ok(Math.abs(scaler.scale(1, false) - 1 / Math.sqrt(0.125 + 1e-8)) < 1e-9);
    // done: trace restarts at the reward, 2; samples [1, 1.5, 2] → var 0.25.
    assert.ok(Math.abs(scaler.scale(2, true) - 2 / Math.sqrt(0.25 + 1e-8)) < 1e-9);
  });
});

describe('policy objectives', () => {
  const check = (f: (output: Float32Array, gradient: Float32Array) => number, output: Float32Array) => {
    const gradient = new Float32Array(output.length);
    f(output, gradient);
    for (let k = 0; k < output.length; k++) {
      const plus = output.slice();
      const minus = output.slice();
      plus[k] += 1e-3;
      minus[k] -= 1e-3;
      const numeric = (f(plus, new Float32Array(output.length)) - f(minus, new Float32Array(output.length))) / 2e-3;
      assert.ok(Math.abs(numeric - gradient[k]) < 2e-3, `output ${k}: analytic ${gradient[k]}, numeric ${numeric}`);
    }
  };

  it('gives the categorical log π(a) + w·H and its gradient', () => {
    const parts = new Float64Array(2);
    const value = categoricalPolicyObjective(new Float32Array([0, Math.log(3)]), 2, 1, 0, new Float32Array(2), new Float64Array(2), parts);
    assert.ok(Math.abs(value - Math.log(0.75)) < 1e-6);
    assert.ok(Math.abs(parts[1] - -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))) < 1e-6);
    for (const weight of [0, 0.5, -0.3]) {
      check((o, g) => categoricalPolicyObjective(o, 3, 2, weight, g, new Float64Array(3), new Float64Array(2)), new Float32Array([0.3, -1.2, 0.7]));
    }
  });

  it('gives the Gaussian log-density with softplus std plus w·H and its gradient', () => {
    const parts = new Float64Array(2);
    // μ = 0, σ = softplus(u) = 1 with u = log(e − 1); a = 1: log N = −½ − ½ log 2π.
    const u = Math.log(Math.E - 1);
    gaussianPolicyObjective(new Float32Array([0, u]), 1, [1], 0, new Float32Array(2), new Float64Array(1), parts);
    assert.ok(Math.abs(parts[0] - (-0.5 - 0.5 * Math.log(2 * Math.PI))) < 1e-6);
    assert.ok(Math.abs(parts[1] - (0.5 + 0.5 * Math.log(2 * Math.PI))) < 1e-6);
    for (const weight of [0, 0.4, -0.2]) {
      check((o, g) => gaussianPolicyObjective(o, 2, [0.3, -0.5], weight, g, new Float64Array(2), new Float64Array(2)), new Float32Array([0.1, -0.2, 0.4, -0.6]));
    }
  });
});

describe('StreamAcAgent', () => {
  it('starts from the sparse init: ⌈0.9·fan_in⌉ zero weights per unit and zero biases', () => {
    const { agent } = createAgent('CartPole-v1', 1);
    for (const network of [agent.actor, agent.critic]) {
      const current = network.layerWeights();
      const initial = network.initialLayerWeights();
      for (const [index, layer] of current.entries()) {
        const zeros = Math.ceil(0.9 * layer.fanIn);
        for (let unit = 0; unit < layer.fanOut; unit++) {
          const row = layer.weight.subarray(unit * layer.fanIn, (unit + 1) * layer.fanIn);
          assert.equal(row.filter((w) => w === 0).length, zeros, `${network.name} layer ${layer.name} unit ${unit}`);
        }
        assert.ok(layer.bias.every((b) => b === 0));
        assert.deepEqual(initial[index].weight, layer.weight, 'the initial parameters are the sparse ones');
      }
    }
    agent.dispose();
  });

  it('acts within the action space, discrete and continuous', () => {
    for (const id of ['CartPole-v1', 'Pendulum-v1']) {
      const { env, agent } = createAgent(id, 3);
      const { actions } = drive(agent, env, 300, { seed: 3 });
      for (const action of actions) assert.ok(env.actionSpace.contains(action), `${id}: ${String(action)}`);
      if (id === 'CartPole-v1') assert.deepEqual(new Set(actions), new Set([0, 1]));
      agent.dispose();
    }
  });

  it('reproduces the same trajectory and parameters from the same seed', () => {
    const run = (seed: number) => {
      const { env, agent } = createAgent('CartPole-v1', seed);
      const result = drive(agent, env, 400, { seed: 11 });
      const out = { actions: result.actions, actor: parameters(agent.actor), critic: parameters(agent.critic) };
      agent.dispose();
      return out;
    };
    const a = run(5);
    assert.deepEqual(run(5), a);
    assert.notDeepEqual(run(6).actions, a.actions);
  });

  it('normalises every observation exactly once (count = 1 + steps + resets)', () => {
    const { env, agent } = createAgent('CartPole-v1', 2);
    const result = drive(agent, env, 250, { seed: 2 });
    assert.ok(result.episodeEnds > 0);
    assert.equal(agent.state().observationNormalizer.count, 1 + 250 + result.episodeEnds);
    agent.dispose();
  });

  for (const id of ['CartPole-v1', 'Pendulum-v1']) {
    it(`continues identically after save/restore mid-training (${id})`, () => {
      const { env, agent } = createAgent(id, 9);
      const first = drive(agent, env, 220, { seed: 4 });
      const saved = structuredClone(agent.state());
      const envSaved = captureEnvState(env);
      const uninterrupted = drive(agent, env, 200, { observation: first.observation });

      const { env: env2, agent: resumed } = createAgent(id, 1234); // a different seed: restore must overwrite everything
      resumed.restore(saved);
      env2.reset({ seed: 0 });
      restoreEnvState(env2, envSaved);
      const continued = drive(resumed, env2, 200, { observation: first.observation });
      assert.deepEqual(continued.actions, uninterrupted.actions);
      assert.deepEqual(parameters(resumed.actor), parameters(agent.actor));
      assert.deepEqual(parameters(resumed.critic), parameters(agent.critic));
      assert.deepEqual(resumed.takeStats(), agent.takeStats());
      agent.dispose();
      resumed.dispose();
    });
  }

  it('refuses a state written with another config', () => {
    const { agent } = createAgent('CartPole-v1', 1);
    const { agent: other } = createAgent('CartPole-v1', 1, { ...SMALL, gamma: 0.9 });
    assert.throws(() => other.restore(agent.state()), /config/);
    assert.throws(() => other.restore({ kind: 'dqn' }), /stream-ac/);
    agent.dispose();
    other.dispose();
  });

  it('resets both eligibility traces at every episode end, and only there', () => {
    const { env, agent } = createAgent('CartPole-v1', 4);
    const calls = { actor: 0, critic: 0 };
    for (const network of [agent.actor, agent.critic]) {
      const original = network.resetEligibilityTraces.bind(network);
      network.resetEligibilityTraces = () => {
        calls[network.name as 'actor' | 'critic']++;
        original();
      };
    }
    const result = drive(agent, env, 300, { seed: 8 });
    assert.ok(result.episodeEnds >= 2);
    assert.deepEqual(calls, { actor: result.episodeEnds, critic: result.episodeEnds });

    const traceNorm = (state: NetworkState) => {
      const slots = (state.optimizer as OptimizerSnapshot).slots[OBGD_TRACE_SLOT];
      return Object.values(slots).reduce((sum, values) => sum + values.reduce((a, v) => a + Math.abs(v), 0), 0);
    };
    const s = env.reset({ seed: 3 }).observation;
    const next = env.step(0).observation;
    for (const terminated of [false, true]) {
      agent.observe({ observation: s, action: agent.act(s), reward: 1, nextObservation: next, terminated, truncated: false });
      const { actor, critic } = agent.state().networks;
      if (terminated) assert.deepEqual([traceNorm(actor), traceNorm(critic)], [0, 0], 'traces are zero after an episode end');
      else assert.ok(traceNorm(actor) > 0 && traceNorm(critic) > 0, 'traces are non-zero mid-episode');
    }
    agent.dispose();
  });

  it('bootstraps from s′ on truncation but not on termination (δ handed to ObGD)', () => {
    const { env, agent } = createAgent('CartPole-v1', 6, { ...SMALL, normalizeObservations: false, scaleRewards: false });
    const signals: Record<string, number[]> = { actor: [], critic: [] };
    for (const network of [agent.actor, agent.critic]) {
      const original = network.trainStep.bind(network);
      network.trainStep = (args: TrainStepInput) => {
        signals[network.name].push(args.signal!);
        return original(args);
      };
    }
    const s = env.reset({ seed: 1 }).observation;
    const next = new Float32Array([0.1, -0.2, 0.05, 0.3]);
    for (const [terminated, truncated] of [[true, false], [false, true]]) {
      const before = agent.critic.predict(new Float32Array([...s, ...next]), 2);
      const action = agent.act(s);
      agent.observe({ observation: s, action, reward: 1, nextObservation: next, terminated, truncated });
      const expected = 1 + (terminated ? 0 : 0.99 * before[1]) - before[0];
      const delta = signals.critic.at(-1)!;
      assert.ok(Math.abs(delta - expected) < 1e-5, `terminated=${terminated}: δ ${delta}, expected ${expected}`);
      assert.equal(signals.actor.at(-1), delta, 'the actor steps with the same δ');
    }
    agent.dispose();
  });

  it('reports every update through hooks.onTrace and asks hooks.references per network', () => {
    const traces: string[] = [];
    const asked: string[] = [];
    const hooks: AgentHooks = { onTrace: (trace) => traces.push(trace.network), references: (name) => (asked.push(name), undefined) };
    const { env, agent } = createAgent('CartPole-v1', 1, SMALL, { hooks });
    drive(agent, env, 30, { seed: 1 });
    assert.equal(traces.length, 60);
    assert.deepEqual(traces.slice(0, 4), ['actor', 'critic', 'actor', 'critic']);
    assert.deepEqual(asked.slice(0, 2), ['actor', 'critic']);
    const stats = agent.takeStats();
    assert.deepEqual(stats.updates, { actor: 30, critic: 30 });
    assert.ok(Number.isFinite(stats.meanLoss.critic) && stats.meanLoss.critic >= 0);
    assert.ok(stats.extra.policyEntropy > 0 && stats.extra.policyEntropy <= Math.log(2) + 1e-6);
    assert.ok(Number.isNaN(agent.takeStats().meanLoss.actor), 'the accumulators restart after takeStats');
    agent.dispose();
  });

  it('keeps training when units are reset mid-training', () => {
    let agentRef: StreamAcAgent | undefined;
    let resets = 0;
    const hooks: AgentHooks = {
      references: () => undefined,
      onTrace: (trace) => {
        if (trace.step % 50 === 0 && agentRef) {
          const network = trace.network === 'actor' ? agentRef.actor : agentRef.critic;
          network.reinitializeUnits(trace.step % 100 === 0 ? 0 : 1, [0, 1, 2], { outgoing: 'zero' });
          resets++;
        }
      },
    };
    const { env, agent } = createAgent('CartPole-v1', 12, SMALL, { hooks });
    agentRef = agent;
    const before = parameters(agent.critic);
    drive(agent, env, 400, { seed: 12 });
    assert.equal(resets, 16);
    assert.equal(agent.actor.updates, 400);
    for (const value of [...parameters(agent.actor), ...parameters(agent.critic)]) assert.ok(Number.isFinite(value));
    assert.notDeepEqual(parameters(agent.critic), before);
    const snapshot = parameters(agent.critic);
    drive(agent, env, 20, { seed: 13 });
    assert.notDeepEqual(parameters(agent.critic), snapshot, 'still learning after the resets');
    agent.dispose();
  });

  it('holds a flat tensor count on the tfjs engine', () => {
    const empty = tf.memory().numTensors;
    const { env, agent } = createAgent('CartPole-v1', 2, { hiddenUnits: [8] }, { engine: 'tfjs' });
    let observation = drive(agent, env, 20, { seed: 2 }).observation;
    const baseline = tf.memory().numTensors;
    observation = drive(agent, env, 100, { observation }).observation;
    agent.restore(agent.state());
    drive(agent, env, 20, { observation });
    assert.equal(tf.memory().numTensors, baseline);
    agent.dispose();
    assert.equal(tf.memory().numTensors, empty);
  });

  it('smoke: runs 1,000 steps on CartPole-v1 with the default networks', () => {
    const { env, agent } = createAgent('CartPole-v1', 0, {});
    const result = drive(agent, env, 1000, { seed: 0 });
    assert.ok(result.episodeReturns.length > 0);
    const stats = agent.takeStats();
    assert.ok(Number.isFinite(stats.meanLoss.actor) && Number.isFinite(stats.meanLoss.critic));
    for (const value of parameters(agent.actor)) assert.ok(Number.isFinite(value));
    agent.dispose();
  });
});
