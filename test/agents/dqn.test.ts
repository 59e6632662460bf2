import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { CARTPOLE_DQN_CONFIG, DqnAgent, type DqnConfig } from '../../agents/dqn.ts';
import { make } from '../../envs/index.ts';
import { captureEnvState, restoreEnvState } from '../../envs/stateful.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { allParameters, drive } from './helpers/drive.ts';

const SMALL: Partial<DqnConfig> = { hidden: [16, 16], learningStarts: 100, explorationSteps: 500, trainFrequency: 4, batchSize: 32, targetUpdateInterval: 20, bufferSize: 2000, gradientSteps: 1 };

function cartPoleAgent(seed: number, config: Partial<DqnConfig> = SMALL, engine: 'typed' | 'tfjs' = 'typed') {
  const env = make('CartPole-v1');
  return { env, agent: new DqnAgent(config, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed, engine }) };
}

/** The Q-network optimizer's config, read from its saved state. */
function optimizerConfig(agent: DqnAgent): { learningRate: number; maxGradNorm?: number } {
  return (agent.networks().q.state().optimizer as { config: { learningRate: number; maxGradNorm?: number } }).config;
}

describe('DqnAgent', () => {
  before(async () => {
    await initBackend();
  });

  it('acts within the action space', () => {
    const { env, agent } = cartPoleAgent(1);
    const { actions } = drive(agent, env, 300);
    for (const action of actions) assert.ok(env.actionSpace.contains(action));
    assert.deepEqual(new Set(actions), new Set([0, 1]));
  });

  it('decays ε linearly from startEpsilon to endEpsilon over explorationSteps', () => {
    const { env, agent } = cartPoleAgent(1, { ...SMALL, startEpsilon: 1, endEpsilon: 0.1, explorationSteps: 200 });
    assert.equal(agent.epsilon, 1);
    drive(agent, env, 100);
    assert.ok(Math.abs(agent.epsilon - 0.55) < 1e-12);
    drive(agent, env, 200);
    assert.equal(agent.epsilon, 0.1);
  });

  it('takes the same actions and reaches the same parameters with the same seed', () => {
    const a = cartPoleAgent(7);
    const b = cartPoleAgent(7);
    assert.deepEqual(drive(a.agent, a.env, 400).actions, drive(b.agent, b.env, 400).actions);
    assert.deepEqual(allParameters(a.agent), allParameters(b.agent));
    const c = cartPoleAgent(8);
    assert.notDeepEqual(allParameters(c.agent), allParameters(cartPoleAgent(7).agent));
  });

  it('continues identically after a save/restore mid-training', () => {
    const original = cartPoleAgent(3);
    const first = drive(original.agent, original.env, 333);
    const saved = structuredClone(original.agent.state());
    const envState = structuredClone(captureEnvState(original.env));
    const uninterrupted = drive(original.agent, original.env, 500, first.observation);

    const resumed = cartPoleAgent(99);
    resumed.agent.restore(saved);
    restoreEnvState(resumed.env, envState);
    const continued = drive(resumed.agent, resumed.env, 500, first.observation);
    assert.deepEqual(continued.actions, uninterrupted.actions);
    assert.deepEqual(allParameters(resumed.agent), allParameters(original.agent));
    assert.deepEqual(resumed.agent.state().target.parameters, original.agent.state().target.parameters);
    assert.deepEqual(resumed.agent.takeStats(), original.agent.takeStats());
  });

  it('stores terminated but not truncated as the end of the MDP, so truncation bootstraps', () => {
    const { env, agent } = cartPoleAgent(2);
    const observation = env.reset({ seed: 1 }).observation;
    agent.observe({ observation, action: 1, reward: 1, nextObservation: observation, terminated: false, truncated: true });
    agent.observe({ observation, action: 0, reward: 1, nextObservation: observation, terminated: true, truncated: false });
    const buffer = agent.state().buffer;
    assert.deepEqual(Array.from(buffer.terminated), [0, 1]);
    assert.deepEqual(Array.from(buffer.actions), [1, 0]);
  });

  it('syncs the target network to q every targetUpdateInterval updates and not in between', () => {
    const { env, agent } = cartPoleAgent(4, { ...SMALL, learningStarts: 10, trainFrequency: 1, targetUpdateInterval: 5 });
    drive(agent, env, 10 + 5); // exactly 5 updates: a sync just happened
    let state = agent.state();
    assert.equal(agent.networks().q.updates, 5);
    assert.deepEqual(state.target.parameters, state.q.parameters);
    drive(agent, env, 2);
    state = agent.state();
    assert.notDeepEqual(state.target.parameters, state.q.parameters);
  });

  it('moves the target only τ of the way with Polyak averaging', () => {
    const { env, agent } = cartPoleAgent(4, { ...SMALL, learningStarts: 10, trainFrequency: 1, targetUpdateInterval: 5, tau: 0.25 });
    drive(agent, env, 14);
    const before = agent.state();
    drive(agent, env, 1);
    const after = agent.state();
    const key = Object.keys(after.q.parameters)[0];
    for (let i = 0; i < 10; i++) {
      const expected = 0.25 * after.q.parameters[key][i] + 0.75 * before.target.parameters[key][i];
      assert.ok(Math.abs(after.target.parameters[key][i] - expected) < 1e-6);
    }
  });

  it('exposes only q to the monitor and reports each update through the hooks', () => {
    const { env, agent } = cartPoleAgent(5, { ...SMALL, learningStarts: 10, trainFrequency: 1, gradientSteps: 2 });
    const traced: string[] = [];
    const asked: string[] = [];
    agent.hooks = { references: (name) => (asked.push(name), undefined), onTrace: (trace) => void traced.push(trace.network) };
    drive(agent, env, 15);
    assert.deepEqual(Object.keys(agent.networks()), ['q']);
    assert.equal(traced.length, 10);
    assert.ok(traced.every((n) => n === 'q') && asked.every((n) => n === 'q') && asked.length === 10);
  });

  for (const doubleDqn of [true, false]) {
    it(`keeps training after units of q are reset mid-training (doubleDqn ${doubleDqn})`, () => {
      const { env, agent } = cartPoleAgent(6, { ...SMALL, doubleDqn });
      const first = drive(agent, env, 300);
      agent.networks().q.reinitializeUnits(0, [0, 1, 2, 3, 4, 5]);
      agent.networks().q.reinitializeUnits(1, [7]);
      drive(agent, env, 300, first.observation);
      assert.ok(allParameters(agent).every(Number.isFinite));
      assert.ok(Number.isFinite(agent.takeStats().meanLoss.q));
    });
  }

  it('keeps the tfjs tensor count flat over two thousand steps', () => {
    const { env, agent } = cartPoleAgent(6, { ...SMALL, hidden: [16], trainFrequency: 8 }, 'tfjs');
    const warm = drive(agent, env, 200);
    const before = tf.memory().numTensors;
    drive(agent, env, 2000, warm.observation);
    assert.equal(tf.memory().numTensors, before);
    agent.dispose();
  });

  it('runs on CartPole-v1 and its TD targets grow as values are learned (smoke)', () => {
    const { env, agent } = cartPoleAgent(1, { ...SMALL, hidden: [64], learningStarts: 200, explorationSteps: 2000, trainFrequency: 4, batchSize: 32, targetUpdateInterval: 25 });
    drive(agent, env, 1000);
    const early = agent.takeStats();
    const { returns } = drive(agent, env, 2000);
    const late = agent.takeStats();
    assert.ok(returns.length > 20);
    assert.ok(Number.isFinite(late.meanLoss.q));
    assert.equal(late.updates.q, (3000 - 200) / 4);
    // Rewards are 1 per step: bootstrapped targets must climb well above one step's reward.
    assert.ok(late.extra.meanTdTarget > 5 && late.extra.meanTdTarget > 2 * early.extra.meanTdTarget, `TD targets ${early.extra.meanTdTarget} → ${late.extra.meanTdTarget}`);
  });

  it("with tdLoss 'mse' minimises the squared TD error: twice the Huber loss while every error is below huberDelta", () => {
    const config = { ...SMALL, learningStarts: 10, trainFrequency: 1, huberDelta: 100 };
    const huber = cartPoleAgent(9, { ...config, tdLoss: 'huber' });
    const mse = cartPoleAgent(9, { ...config, tdLoss: 'mse' });
    drive(huber.agent, huber.env, 11); // one update, on the same sampled batch
    drive(mse.agent, mse.env, 11);
    const huberLoss = huber.agent.takeStats().meanLoss.q;
    const mseLoss = mse.agent.takeStats().meanLoss.q;
    assert.ok(huberLoss > 0);
    assert.ok(Math.abs(mseLoss - 2 * huberLoss) < 1e-6 * mseLoss, `mse ${mseLoss} vs 2 × huber ${2 * huberLoss}`);
  });

  it('anneals the learning rate linearly to 0 over learningRateAnnealSteps env steps, and keeps it constant by default', () => {
    const { env, agent } = cartPoleAgent(1, { ...SMALL, optimizer: { kind: 'adam', learningRate: 1e-3 }, learningRateAnnealSteps: 400 });
    assert.equal(agent.learningRate, 1e-3);
    drive(agent, env, 200);
    assert.ok(Math.abs(agent.learningRate - 5e-4) < 1e-12);
    assert.ok(Math.abs(optimizerConfig(agent).learningRate - 5e-4) < 1e-6, 'the optimizer got the annealed rate at the last update');
    drive(agent, env, 300);
    assert.equal(agent.learningRate, 0);
    assert.equal(optimizerConfig(agent).learningRate, 0, 'learning stops');
    const constant = cartPoleAgent(1, { ...SMALL, optimizer: { kind: 'adam', learningRate: 1e-3 } });
    drive(constant.agent, constant.env, 300);
    assert.equal(optimizerConfig(constant.agent).learningRate, 1e-3);
  });

  it('hands maxGradNorm to the Q-network optimizer only', () => {
    const { agent } = cartPoleAgent(1, { ...SMALL, maxGradNorm: 10 });
    assert.equal(optimizerConfig(agent).maxGradNorm, 10);
    const plain = cartPoleAgent(1, SMALL);
    assert.equal(optimizerConfig(plain.agent).maxGradNorm, undefined);
  });

  it('accepts the CleanRL CartPole preset', () => {
    const { agent } = cartPoleAgent(1, CARTPOLE_DQN_CONFIG);
    assert.equal(agent.config.tdLoss, 'mse');
    assert.equal(agent.config.targetUpdateInterval * agent.config.trainFrequency, 500, 'a target sync every 500 env steps, as CleanRL');
    agent.dispose();
  });

  it('rejects continuous action spaces and bad configs with actionable errors', () => {
    const env = make('Pendulum-v1');
    assert.throws(() => new DqnAgent({}, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed: 1 }), /Discrete action space/);
    const cartPole = make('CartPole-v1');
    assert.throws(() => new DqnAgent({ gamma: 2 }, { observationSpace: cartPole.observationSpace, actionSpace: cartPole.actionSpace, seed: 1 }));
  });
});
