import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContinualAgent } from '../../agents/continual.ts';
import type { ContinualConfig } from '../../agents/continual.ts';
import type { AgentHooks } from '../../agents/agent.ts';
import type { StepTrace } from '../../src/nn/types.ts';
import { TRACE_STATS } from '../../src/nn/types.ts';
import { Rng } from '../../src/util/rng.ts';

type Config = Partial<ContinualConfig> & Pick<ContinualConfig, 'inputSize' | 'outputSize'>;

/** y = 0.5·x0 − x1 + 0.25·x2 + 0.1, x uniform in [−1, 1]^3. */
function linearExample(rng: Rng, inputs: Float32Array, targets: Float32Array, row = 0): void {
  for (let j = 0; j < 3; j++) inputs[row * 3 + j] = rng.uniform(-1, 1);
  const x = inputs.subarray(row * 3, row * 3 + 3);
  targets[row] = 0.5 * x[0] - x[1] + 0.25 * x[2] + 0.1;
}

/** Eight tight clusters on a circle of radius 2 with alternating labels: far from linearly separable, so an untrained net is near chance. */
function ringExample(rng: Rng, inputs: Float32Array, targets: Float32Array, labels: Int32Array): void {
  const cluster = rng.int(8);
  const label = cluster % 2;
  const angle = (cluster * Math.PI) / 4;
  inputs[0] = 2 * Math.cos(angle) + rng.normal(0, 0.15);
  inputs[1] = 2 * Math.sin(angle) + rng.normal(0, 0.15);
  targets.fill(0);
  targets[label] = 1;
  labels[0] = label;
}

function regressionAgent(overrides: Partial<Config> = {}, hooks?: AgentHooks): ContinualAgent {
  return new ContinualAgent({ inputSize: 3, outputSize: 1, hiddenUnits: [16], optimizer: { kind: 'sgd', learningRate: 0.05 }, seed: 3, ...overrides }, hooks);
}

describe('ContinualAgent', () => {
  it('learns a fixed linear regression online', () => {
    const agent = regressionAgent();
    const rng = new Rng(1);
    const batch = { inputs: new Float32Array(3), targets: new Float32Array(1) };
    const losses: number[] = [];
    for (let t = 0; t < 3000; t++) {
      linearExample(rng, batch.inputs, batch.targets);
      losses.push(agent.learn(batch).loss);
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const early = mean(losses.slice(0, 200));
    const late = mean(losses.slice(-500));
    assert.ok(late < 0.01, `late online MSE ${late} should be below 0.01`);
    assert.ok(late < early / 10, `late MSE ${late} should be a tenth of the early ${early}`);

    // The prediction (act) agrees with the target on fresh points.
    const test = { inputs: new Float32Array(3), targets: new Float32Array(1) };
    linearExample(new Rng(99), test.inputs, test.targets);
    const prediction = agent.act(test.inputs);
    assert.equal(prediction.length, 1);
    assert.ok(Math.abs(prediction[0] - test.targets[0]) < 0.15, `prediction ${prediction[0]} vs target ${test.targets[0]}`);
    agent.dispose();
  });

  it('improves its online accuracy on a tiny fixed classification, measured before each update', () => {
    const agent = new ContinualAgent({
      task: 'classification',
      inputSize: 2,
      outputSize: 2,
      hiddenUnits: [16],
      optimizer: { kind: 'sgd', learningRate: 0.05 },
      seed: 5,
    });
    const rng = new Rng(2);
    const batch = { inputs: new Float32Array(2), targets: new Float32Array(2), labels: new Int32Array(1) };
    const hits: number[] = [];
    for (let t = 0; t < 1500; t++) {
      ringExample(rng, batch.inputs, batch.targets, batch.labels);
      // The reported hit must be the pre-update prediction's.
      const before = agent.act(batch.inputs);
      const predicted = before.indexOf(Math.max(...before));
      const result = agent.learn(batch);
      assert.equal(result.correct, predicted === batch.labels[0] ? 1 : 0, `step ${t}: correct must score the output before the update`);
      hits.push(result.correct);
    }
    const accuracy = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const early = accuracy(hits.slice(0, 100));
    const late = accuracy(hits.slice(-500));
    assert.ok(late > 0.95, `late online accuracy ${late} should exceed 0.95`);
    assert.ok(late > early + 0.3, `accuracy should improve: early ${early}, late ${late}`);
    const stats = agent.takeStats();
    assert.equal(stats.updates.model, 1500);
    assert.ok(Math.abs(stats.extra.accuracy - accuracy(hits)) < 1e-12);
    assert.ok(Number.isNaN(agent.takeStats().meanLoss.model), 'takeStats resets the accumulators');
    agent.dispose();
  });

  it('continues identically after state() / restore() into a fresh agent', () => {
    const rng = new Rng(7);
    const data = Array.from({ length: 120 }, () => {
      const example = { inputs: new Float32Array(3), targets: new Float32Array(1) };
      linearExample(rng, example.inputs, example.targets);
      return example;
    });
    const first = regressionAgent({ optimizer: { kind: 'adam', learningRate: 0.01 } });
    for (const example of data.slice(0, 60)) first.learn(example);
    const saved = structuredClone(first.state());
    const continued = data.slice(60).map((example) => first.learn(example).loss);

    const second = regressionAgent({ optimizer: { kind: 'adam', learningRate: 0.01 } });
    second.learn(data[0]); // diverge first, so restore must overwrite everything
    second.restore(saved);
    const resumed = data.slice(60).map((example) => second.learn(example).loss);
    assert.deepEqual(resumed, continued);
    assert.deepEqual(Array.from(second.act(data[0].inputs)), Array.from(first.act(data[0].inputs)));
    assert.equal(second.examplesSeen, first.examplesSeen);
    assert.equal(second.networks().model.updates, 120);
    first.dispose();
    second.dispose();
  });

  it('rejects a state saved with another config', () => {
    const saved = regressionAgent().state();
    const other = regressionAgent({ hiddenUnits: [8] });
    assert.throws(() => other.restore(saved), { code: 'agent_state_mismatch' });
    other.dispose();
  });

  it('calls onTrace once per update and passes the hooks reference into the step', () => {
    const traces: StepTrace[] = [];
    const asked: string[] = [];
    const reference = new Float32Array(16).fill(1000);
    const hooks: AgentHooks = {
      references: (network) => {
        asked.push(network);
        return [reference];
      },
      onTrace: (trace) => traces.push(trace),
    };
    const agent = regressionAgent({}, hooks);
    const rng = new Rng(4);
    const batch = { inputs: new Float32Array(3 * 4), targets: new Float32Array(4) };
    for (let t = 0; t < 5; t++) {
      for (let row = 0; row < 4; row++) linearExample(rng, batch.inputs, batch.targets, row);
      const result = agent.learn(batch);
      assert.equal(traces.length, t + 1, 'one trace per update');
      assert.equal(traces[t].step, t + 1);
      assert.equal(traces[t].network, 'model');
      assert.equal(traces[t].batchSize, 4);
      assert.equal(result.batchSize, 4);
      assert.equal(result.loss, traces[t].loss);
    }
    assert.deepEqual(asked, ['model', 'model', 'model', 'model', 'model']);
    // With r = 1000 every |a − r| is about 1000: the reference reached the trace.
    const difference = traces[4].layers[0].row('meanAbsDifference');
    assert.equal(TRACE_STATS.includes('meanAbsDifference'), true);
    for (const value of difference) assert.ok(value > 900, `mean|a − r| = ${value} should reflect r = 1000`);
    assert.equal(agent.examplesSeen, 20);
    agent.dispose();
  });

  it('learns through the Agent contract: observe() reads nextObservation as the target', () => {
    let updates = 0;
    const agent = regressionAgent({}, { references: () => undefined, onTrace: () => updates++ });
    const observation = Float32Array.of(0.2, -0.4, 0.6);
    const target = Float32Array.of(2);
    const before = Math.abs(agent.act(observation)[0] - 2);
    for (let t = 0; t < 50; t++) {
      agent.observe({ observation, action: agent.act(observation), reward: 0, nextObservation: target, terminated: false, truncated: false });
    }
    assert.equal(updates, 50);
    assert.ok(Math.abs(agent.act(observation)[0] - 2) < before / 10, 'the prediction moved to the target');
    assert.equal(agent.kind, 'continual');
    assert.deepEqual(Object.keys(agent.networks()), ['model']);
    agent.dispose();
  });

  it('rejects batches whose targets do not match the inputs', () => {
    const agent = regressionAgent();
    assert.throws(() => agent.learn({ inputs: new Float32Array(6), targets: new Float32Array(1) }), { code: 'invalid_batch' });
    assert.throws(() => agent.learn({ inputs: new Float32Array(4), targets: new Float32Array(1) }), { code: 'invalid_batch' });
    agent.dispose();
  });
});
