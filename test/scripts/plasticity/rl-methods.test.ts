import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentSpec } from '../../../src/config/agent-spec.ts';
import { DEFAULT_RL_SETTINGS, RL_METHOD_NAMES, methodSpec, parseRlMethods } from '../../../scripts/plasticity/rl-methods.ts';

describe('nonstationary RL method specs', () => {
  it('builds a valid AgentSpec for every method and both agents', () => {
    for (const agent of ['dqn', 'ppo'] as const) {
      for (const nonstationaryAdam of [false, true]) {
        for (const method of RL_METHOD_NAMES) {
          const spec = parseAgentSpec(methodSpec(method, { ...DEFAULT_RL_SETTINGS, agent, nonstationaryAdam }, 3));
          assert.equal(spec.seed, 3);
          assert.equal(spec.agent.kind, agent);
        }
      }
    }
  });

  it('changes only the reset policy and the reference between methods', () => {
    const [plain, gxd, cbp] = RL_METHOD_NAMES.map((method) => parseAgentSpec(methodSpec(method, DEFAULT_RL_SETTINGS, 1)));
    assert.deepEqual(gxd.agent, plain.agent);
    assert.deepEqual(cbp.env, plain.env);
    assert.equal(plain.monitor.resetPolicy.kind, 'none');
    assert.equal(gxd.monitor.resetPolicy.criterion, 'gxd');
    assert.equal(gxd.monitor.reference, 'running-mean');
    assert.equal(cbp.monitor.resetPolicy.criterion, 'contribution');
    assert.equal(cbp.monitor.reference, 'zero');
    assert.equal(cbp.monitor.resetPolicy.replacementRate, gxd.monitor.resetPolicy.replacementRate);
  });

  it('uses Adam with β1 = β2 = 0.99 when asked for non-stationary Adam', () => {
    const spec = parseAgentSpec(methodSpec('plain', { ...DEFAULT_RL_SETTINGS, nonstationaryAdam: true }, 0));
    assert.deepEqual((spec.agent as { optimizer?: unknown }).optimizer, { kind: 'adam', learningRate: 2.3e-3, beta1: 0.99, beta2: 0.99 });
  });

  it('rejects unknown method names', () => {
    assert.deepEqual(parseRlMethods('plain, cbp'), ['plain', 'cbp']);
    assert.throws(() => parseRlMethods('plain,redo'), /unknown method 'redo'/);
  });
});
