import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DqnAgent, type DqnConfig } from '../../agents/dqn.ts';
import type { ReplayBatch } from '../../agents/replay-buffer.ts';
import { Box, Discrete } from '../../envs/spaces.ts';

/**
 * A 3-state chain with one-hot observations and actions 0 = left, 1 = right, γ = 0.9.
 * Right from state 2 pays 10 and terminates; left from state 0 stays there and pays 0.5; every other
 * move pays 0. Left from state 1 is stored as a time-limit truncation: it must still bootstrap.
 */
const GAMMA = 0.9;
interface ChainTransition {
  state: number;
  action: number;
  reward: number;
  next: number;
  terminated: boolean;
  truncated: boolean;
}
const CHAIN: ChainTransition[] = [
  { state: 0, action: 0, reward: 0.5, next: 0, terminated: false, truncated: false },
  { state: 0, action: 1, reward: 0, next: 1, terminated: false, truncated: false },
  { state: 1, action: 0, reward: 0, next: 0, terminated: false, truncated: true },
  { state: 1, action: 1, reward: 0, next: 2, terminated: false, truncated: false },
  { state: 2, action: 0, reward: 0, next: 1, terminated: false, truncated: false },
  { state: 2, action: 1, reward: 10, next: 2, terminated: true, truncated: false },
];

/** Q* by value iteration on the chain (terminal transitions do not bootstrap; truncated ones do). */
function optimalQ(): number[][] {
  const q = [
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  for (let sweep = 0; sweep < 500; sweep++) {
    for (const t of CHAIN) q[t.state][t.action] = t.reward + (t.terminated ? 0 : GAMMA * Math.max(...q[t.next]));
  }
  return q;
}

function oneHot(state: number): Float32Array {
  const x = new Float32Array(3);
  x[state] = 1;
  return x;
}

function chainAgent(config: Partial<DqnConfig>, seed = 1): DqnAgent {
  return new DqnAgent(
    { hidden: [32], gamma: GAMMA, bufferSize: CHAIN.length, learningStarts: CHAIN.length, trainFrequency: 1, batchSize: 32, targetUpdateInterval: 25, optimizer: { kind: 'adam', learningRate: 3e-3 }, ...config },
    { observationSpace: new Box(0, 1, [3]), actionSpace: new Discrete(2), seed, engine: 'typed' },
  );
}

/** Feeds the chain's transitions round-robin: the buffer (capacity 6) always holds exactly the dataset. */
function trainOnChain(agent: DqnAgent, updates: number): void {
  for (let k = 0; k < CHAIN.length + updates; k++) {
    const t = CHAIN[k % CHAIN.length];
    agent.observe({ observation: oneHot(t.state), action: t.action, reward: t.reward, nextObservation: oneHot(t.next), terminated: t.terminated, truncated: t.truncated });
  }
}

function learnedQ(agent: DqnAgent): number[][] {
  return [0, 1, 2].map((s) => Array.from(agent.networks().q.predict(oneHot(s), 1)));
}

describe('DqnAgent known answers', () => {
  it('the chain MDP has the hand-computed Q*', () => {
    const q = optimalQ();
    assert.ok(Math.abs(q[2][1] - 10) < 1e-9);
    assert.ok(Math.abs(q[1][1] - 9) < 1e-9);
    assert.ok(Math.abs(q[0][1] - 8.1) < 1e-9);
    assert.ok(Math.abs(q[2][0] - 8.1) < 1e-9);
    assert.ok(Math.abs(q[0][0] - (0.5 + 0.9 * 8.1)) < 1e-9);
    assert.ok(Math.abs(q[1][0] - 0.9 * 8.1) < 1e-9, 'the truncated transition bootstraps');
  });

  for (const tdLoss of ['huber', 'mse'] as const) {
    for (const doubleDqn of [false, true]) {
      it(`converges to Q* on a fixed 3-state chain dataset (${tdLoss}, doubleDqn ${doubleDqn})`, () => {
        const agent = chainAgent({ tdLoss, doubleDqn });
        trainOnChain(agent, 3000);
        const expected = optimalQ();
        const learned = learnedQ(agent);
        for (let s = 0; s < 3; s++) {
          for (let a = 0; a < 2; a++) {
            assert.ok(Math.abs(learned[s][a] - expected[s][a]) < 0.1, `Q(${s}, ${a}) = ${learned[s][a].toFixed(3)}, Q* = ${expected[s][a].toFixed(3)}; all ${JSON.stringify(learned)}`);
          }
        }
        agent.dispose();
      });
    }
  }

  /** A batch of four next observations: two terminal, one truncated (bootstraps), one plain. */
  function handBatch(): ReplayBatch {
    const nextObservations = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, -0.5, 2]);
    return {
      batchSize: 4,
      observations: new Float32Array(12),
      actions: new Float32Array([0, 1, 1, 0]),
      rewards: new Float32Array([1, -2, 0.5, 3]),
      nextObservations,
      terminated: new Float32Array([1, 0, 0, 1]),
    };
  }

  for (const doubleDqn of [false, true]) {
    it(`computes TD targets of a hand-built batch as r + γ(1 − terminated)·Q_target(s', a*) (doubleDqn ${doubleDqn})`, () => {
      const agent = chainAgent({ doubleDqn, gamma: 0.8 });
      // Give the target network other weights than q, so the two can be told apart.
      const other = chainAgent({ doubleDqn }, 2);
      const state = agent.state();
      state.target = { ...state.target, parameters: other.state().q.parameters };
      agent.restore(state);
      const batch = handBatch();
      const targets = agent.tdTargets(batch, new Float32Array(4));
      for (let b = 0; b < 4; b++) {
        const next = batch.nextObservations.subarray(3 * b, 3 * b + 3);
        const online = Array.from(agent.networks().q.predict(next, 1));
        const target = Array.from(other.networks().q.predict(next, 1));
        const chooser = doubleDqn ? online : target;
        const best = chooser[0] >= chooser[1] ? 0 : 1;
        const expected = batch.rewards[b] + (batch.terminated[b] ? 0 : 0.8 * target[best]);
        assert.ok(Math.abs(targets[b] - expected) < 1e-5, `row ${b}: ${targets[b]} vs ${expected}`);
      }
      // Terminal rows are exactly the reward.
      assert.equal(targets[0], 1);
      assert.equal(targets[3], 3);
      agent.dispose();
      other.dispose();
    });
  }

  it('bootstraps double DQN from the target value of the online argmax, never above plain DQN’s max', () => {
    // Sanity check of the previous test: with random nets the two argmaxes differ on some row.
    const plain = chainAgent({ doubleDqn: false });
    const double = chainAgent({ doubleDqn: true });
    const other = chainAgent({}, 2);
    for (const agent of [plain, double]) {
      const state = agent.state();
      state.target = { ...state.target, parameters: other.state().q.parameters };
      agent.restore(state);
    }
    const batch = handBatch();
    batch.terminated.fill(0);
    const a = plain.tdTargets(batch, new Float32Array(4));
    const b = double.tdTargets(batch, new Float32Array(4));
    for (let k = 0; k < 4; k++) assert.ok(a[k] >= b[k] - 1e-6, 'plain DQN bootstraps from the max, so it is never below double DQN');
  });

  it('stores copies of the observations: mutating the caller’s arrays after observe changes nothing', () => {
    const agent = chainAgent({ learningStarts: 100 });
    const observation = oneHot(0);
    const nextObservation = oneHot(1);
    agent.observe({ observation, action: 1, reward: 0, nextObservation, terminated: false, truncated: false });
    observation.fill(7);
    nextObservation.fill(9);
    const buffer = agent.state().buffer;
    assert.deepEqual(Array.from(buffer.observations), [1, 0, 0]);
    assert.deepEqual(Array.from(buffer.nextObservations), [0, 1, 0]);
    agent.dispose();
  });
});
