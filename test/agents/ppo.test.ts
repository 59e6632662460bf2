import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { PpoAgent, categoricalPolicyLoss, gaussianPolicyLoss, valueLoss, type LossStats, type PolicyBatch, type PpoConfig } from '../../agents/ppo.ts';
import { RolloutBuffer } from '../../agents/rollout-buffer.ts';
import { make } from '../../envs/index.ts';
import { captureEnvState, restoreEnvState } from '../../envs/stateful.ts';
import { initBackend } from '../../src/nn/backend.ts';
import type { OutputLoss } from '../../src/nn/types.ts';
import { allParameters, drive } from './helpers/drive.ts';

const SMALL: Partial<PpoConfig> = { numSteps: 64, numMinibatches: 2, updateEpochs: 2, actorHidden: [16], criticHidden: [16] };
const freshStats = (): LossStats => ({ policyLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0, valueLoss: 0 });

function cartPoleAgent(seed: number, config: Partial<PpoConfig> = SMALL, engine: 'typed' | 'tfjs' = 'typed') {
  const env = make('CartPole-v1');
  return { env, agent: new PpoAgent(config, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed, engine }) };
}

function pendulumAgent(seed: number, config: Partial<PpoConfig> = SMALL) {
  const env = make('Pendulum-v1');
  return { env, agent: new PpoAgent({ ...config, normalizeObservations: true, normalizeRewards: true, entropyCoef: 0.001 }, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed }) };
}

/** Central differences of a loss in each output entry (float32 steps measured exactly). */
function numericGradient(loss: OutputLoss, output: Float32Array, batchSize: number): Float64Array {
  const scratch = new Float32Array(output.length);
  const out = new Float64Array(output.length);
  for (let k = 0; k < output.length; k++) {
    const x = output[k];
    output[k] = x + 1e-3;
    const up = output[k];
    const lossUp = loss(output, batchSize, scratch.fill(0));
    output[k] = x - 1e-3;
    const down = output[k];
    const lossDown = loss(output, batchSize, scratch.fill(0));
    output[k] = x;
    out[k] = (lossUp - lossDown) / (up - down);
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * (1 + Math.abs(expected[i])), `${what}[${i}]: analytic ${actual[i]} vs numeric ${expected[i]}`);
  }
}

describe('PPO losses', () => {
  // Old log-probs chosen so some ratios sit inside the clip range and some outside (away from the kinks).
  const logits = Float32Array.from([0.3, -0.2, 0.5, 1.0, 0.1, -0.7, -0.4, 0.9, 0.2, 0.0, 0.6, -1.1]);
  const discreteBatch: PolicyBatch = {
    actions: Float32Array.from([2, 0, 1, 1]),
    oldLogProbs: Float32Array.from([-1.0, -0.6, -2.0, -0.9]),
    advantages: Float32Array.from([1.5, -0.8, 0.7, -1.2]),
  };

  it('gives the categorical surrogate-plus-entropy gradient that finite differences measure', () => {
    const loss = categoricalPolicyLoss(discreteBatch, 0.2, 0.05, freshStats());
    const analytic = new Float32Array(logits.length);
    loss(logits, 4, analytic);
    assertClose(analytic, numericGradient(loss, logits, 4), 2e-3, 'dL/dlogit');
    assert.ok(analytic.some((g) => Math.abs(g) > 1e-3), 'the gradient is not trivially zero');
  });

  it('clips: a sample whose ratio left the range in the advantage direction gets no policy gradient', () => {
    // log π(a=0 | logits 0,0) = −log 2; old log-prob −2 ⇒ ratio ≈ 3.7 > 1.2 with A > 0.
    const batch: PolicyBatch = { actions: Float32Array.from([0]), oldLogProbs: Float32Array.from([-2]), advantages: Float32Array.from([1]) };
    const stats = freshStats();
    const gradient = new Float32Array(2);
    const value = categoricalPolicyLoss(batch, 0.2, 0, stats)(Float32Array.from([0, 0]), 1, gradient);
    assert.deepEqual(Array.from(gradient), [0, 0]);
    assert.ok(Math.abs(value - -1.2) < 1e-9, `loss is −A·(1 + ε) = −1.2, got ${value}`);
    assert.equal(stats.clipFraction, 1);
  });

  it('gives the Gaussian mean and log-std gradients that finite differences measure', () => {
    const mean = Float32Array.from([0.1, -0.3, 0.5, 0.2, -0.6, 0.4]);
    const batch: PolicyBatch = {
      actions: Float32Array.from([0.4, -0.1, 0.2, 0.9, -0.2, 0.1]),
      oldLogProbs: Float32Array.from([-1.9, -2.4, -1.5]),
      advantages: Float32Array.from([0.9, -1.3, 0.5]),
    };
    const logStd = Float64Array.from([-0.2, 0.1]);
    const logStdGradient = new Float64Array(2);
    const loss = gaussianPolicyLoss(batch, logStd, logStdGradient, 0.2, 0.01, freshStats());
    const analytic = new Float32Array(mean.length);
    loss(mean, 3, analytic);
    const analyticLogStd = logStdGradient.slice();
    assertClose(analytic, numericGradient(loss, mean, 3), 2e-3, 'dL/dmean');
    const numericLogStd = new Float64Array(2);
    for (let d = 0; d < 2; d++) {
      const x = logStd[d];
      logStd[d] = x + 1e-5;
      const up = loss(mean, 3, new Float32Array(6));
      logStd[d] = x - 1e-5;
      const down = loss(mean, 3, new Float32Array(6));
      logStd[d] = x;
      numericLogStd[d] = (up - down) / 2e-5;
    }
    assertClose(analyticLogStd, numericLogStd, 1e-4, 'dL/dlogStd');
  });

  it('gives the clipped value-loss gradient that finite differences measure', () => {
    const values = Float32Array.from([1.0, 0.5, -0.3, 2.0]);
    const returns = Float32Array.from([1.5, 0.0, 0.9, 2.1]);
    const oldValues = Float32Array.from([0.7, 0.55, -0.2, 1.0]); // rows 0 and 3 moved beyond ±0.2
    for (const clip of [0.2, null]) {
      const loss = valueLoss(returns, oldValues, clip, 0.5, freshStats());
      const analytic = new Float32Array(4);
      loss(values, 4, analytic);
      assertClose(analytic, numericGradient(loss, values, 4), 2e-3, `dV/dv (clip ${clip})`);
    }
  });
});

describe('RolloutBuffer', () => {
  it('computes GAE and returns by hand, cutting at episode ends', () => {
    const buffer = new RolloutBuffer(3, 1, 1);
    const one = [0];
    buffer.add(one, one, 0, 1.0, 1, false);
    buffer.add(one, one, 0, 2.0, 0, true);
    buffer.add(one, one, 0, 0.5, 2, false);
    buffer.computeAdvantages(3.0, 0.9, 0.5);
    // t=2: δ = 2 + 0.9·3 − 0.5 = 4.2; t=1 (done): δ = 0 − 2 = −2; t=0: δ = 1 + 0.9·2 − 1 = 1.8, A = 1.8 + 0.45·(−2) = 0.9.
    assertClose(Array.from(buffer.advantages), [0.9, -2, 4.2], 1e-6, 'advantages');
    assertClose(Array.from(buffer.returns), [1.9, 0, 4.7], 1e-6, 'returns');
  });
});

describe('PpoAgent', () => {
  before(async () => {
    await initBackend();
  });

  it('acts within the action space, discrete and continuous', () => {
    const { env, agent } = cartPoleAgent(1);
    for (const action of drive(agent, env, 200).actions) assert.ok(env.actionSpace.contains(action));
    const pendulum = pendulumAgent(1, { ...SMALL, initialLogStd: 1 });
    const actions = drive(pendulum.agent, pendulum.env, 200).actions as Float32Array[];
    for (const action of actions) assert.ok(pendulum.env.actionSpace.contains(action), `action ${action[0]} outside [−2, 2]`);
    assert.ok(actions.some((a) => Math.abs(a[0]) === 2), 'std e¹ samples reach the bounds and are clipped');
  });

  it('takes the same actions and reaches the same parameters with the same seed', () => {
    const a = cartPoleAgent(7);
    const b = cartPoleAgent(7);
    assert.deepEqual(drive(a.agent, a.env, 300).actions, drive(b.agent, b.env, 300).actions);
    assert.deepEqual(allParameters(a.agent), allParameters(b.agent));
    const c = cartPoleAgent(8);
    assert.notDeepEqual(drive(c.agent, c.env, 300).actions, drive(cartPoleAgent(7).agent, make('CartPole-v1'), 300).actions);
  });

  for (const kind of ['discrete', 'continuous'] as const) {
    it(`continues identically after a save/restore mid-rollout (${kind})`, () => {
      const build = (seed: number) => (kind === 'discrete' ? cartPoleAgent(seed) : pendulumAgent(seed));
      const original = build(3);
      const first = drive(original.agent, original.env, 500 + 37);
      const saved = structuredClone(original.agent.state());
      const envState = structuredClone(captureEnvState(original.env));
      const uninterrupted = drive(original.agent, original.env, 500, first.observation);

      const resumed = build(99); // a different seed: everything must come from the state
      resumed.agent.restore(saved);
      restoreEnvState(resumed.env, envState);
      const continued = drive(resumed.agent, resumed.env, 500, first.observation);
      assert.deepEqual(continued.actions, uninterrupted.actions);
      assert.deepEqual(allParameters(resumed.agent), allParameters(original.agent));
      assert.deepEqual(resumed.agent.takeStats(), original.agent.takeStats());
    });
  }

  it('bootstraps a truncated step with γ·V(final observation) and does not on termination', () => {
    const { env, agent } = cartPoleAgent(2, { ...SMALL, numSteps: 4, numMinibatches: 1 });
    const observation = env.reset({ seed: 1 }).observation;
    const next = env.step(0).observation;
    const value = agent.networks().critic.predict(next, 1)[0];
    agent.observe({ observation, action: agent.act(observation) as number, reward: 1, nextObservation: next, terminated: false, truncated: true });
    agent.observe({ observation, action: agent.act(observation) as number, reward: 1, nextObservation: next, terminated: true, truncated: false });
    const rollout = agent.state().rollout;
    assert.ok(Math.abs(rollout.rewards[0] - (1 + 0.99 * value)) < 1e-5, `truncated reward ${rollout.rewards[0]} = 1 + 0.99·${value}`);
    assert.equal(rollout.rewards[1], 1);
    assert.deepEqual(Array.from(rollout.dones), [1, 1]);
  });

  it('keeps training after units of the actor and critic are reset mid-training', () => {
    const { env, agent } = cartPoleAgent(4);
    let sawUpdate = false;
    agent.hooks = {
      references: () => undefined,
      onTrace: (trace) => {
        assert.ok(Number.isFinite(trace.loss), `finite loss in ${trace.network}`);
        sawUpdate = true;
      },
    };
    const first = drive(agent, env, 200);
    agent.networks().actor.reinitializeUnits(0, [0, 1, 2, 3, 4]);
    agent.networks().critic.reinitializeUnits(0, [5, 6, 7]);
    drive(agent, env, 300, first.observation);
    assert.ok(sawUpdate);
    assert.ok(allParameters(agent).every(Number.isFinite));
    const stats = agent.takeStats();
    assert.ok(Number.isFinite(stats.meanLoss.actor) && Number.isFinite(stats.meanLoss.critic));
  });

  it('calls onTrace once per network update and asks for references by network name', () => {
    const { env, agent } = cartPoleAgent(5);
    const traced: string[] = [];
    const asked: string[] = [];
    agent.hooks = { references: (name) => (asked.push(name), undefined), onTrace: (trace) => void traced.push(trace.network) };
    drive(agent, env, 64);
    // One rollout of 64 steps: 2 epochs × 2 minibatches, each updating actor then critic.
    assert.deepEqual(traced, ['actor', 'critic', 'actor', 'critic', 'actor', 'critic', 'actor', 'critic']);
    assert.deepEqual(asked, traced);
    assert.deepEqual(agent.takeStats().updates, { actor: 4, critic: 4 });
  });

  it('keeps the tfjs tensor count flat over a thousand steps', () => {
    const { env, agent } = cartPoleAgent(6, SMALL, 'tfjs');
    const warm = drive(agent, env, 128);
    const before = tf.memory().numTensors;
    drive(agent, env, 1000, warm.observation);
    assert.equal(tf.memory().numTensors, before);
    agent.dispose();
  });

  it('learns something on CartPole-v1 in a few thousand steps (smoke)', () => {
    const { env, agent } = cartPoleAgent(1, { numSteps: 256, numMinibatches: 4, updateEpochs: 4, optimizer: { kind: 'adam', learningRate: 1e-3, epsilon: 1e-5 } });
    const { returns } = drive(agent, env, 6000);
    const early = returns.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
    const late = returns.slice(-10).reduce((a, b) => a + b, 0) / 10;
    assert.ok(late > early * 1.5, `last-10 return ${late.toFixed(1)} should beat the first-20 return ${early.toFixed(1)}`);
  });

  it('anneals the learning rate linearly to 0 over learningRateAnnealSteps, then stops learning', () => {
    // Rollouts of 64 steps, annealed over 128: the first trains at the full rate, the second at half, the third at 0.
    const annealed = pendulumAgent(5, { ...SMALL, learningRateAnnealSteps: 128 });
    const constant = pendulumAgent(5, SMALL);
    const first = drive(annealed.agent, annealed.env, 64);
    drive(constant.agent, constant.env, 64);
    assert.deepEqual(allParameters(annealed.agent), allParameters(constant.agent), 'the first rollout trains at the full rate');
    const second = drive(annealed.agent, annealed.env, 64, first.observation);
    drive(constant.agent, constant.env, 64, first.observation);
    const afterSecond = allParameters(annealed.agent);
    assert.notDeepEqual(afterSecond, allParameters(constant.agent), 'the second rollout trains at half the rate');
    const logStd = annealed.agent.state().logStd.slice();
    drive(annealed.agent, annealed.env, 64, second.observation);
    assert.deepEqual(allParameters(annealed.agent), afterSecond, 'at a rate of 0 the networks stop changing');
    assert.deepEqual(annealed.agent.state().logStd, logStd, 'and so does the log-std');
    assert.equal(annealed.agent.takeStats().updates.actor, 3 * 2 * 2, 'the updates still run');
  });

  it('rejects a rollout that does not split into minibatches', () => {
    const env = make('CartPole-v1');
    assert.throws(() => new PpoAgent({ numSteps: 10, numMinibatches: 4 }, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed: 1 }), /divisible/);
  });
});

