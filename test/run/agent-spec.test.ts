import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentSpec, describeEnvOf } from '../../src/config/agent-spec.ts';
import { PlasticdError } from '../../src/util/errors.ts';

const invalid = (input: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseAgentSpec(input),
    (error: unknown) => error instanceof PlasticdError && error.code === 'invalid_spec' && pattern.test(error.message),
  );

describe('parseAgentSpec', () => {
  it('fills every default into a minimal DQN spec', () => {
    const spec = parseAgentSpec({ id: 'dqn-1', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' } });
    assert.equal(spec.description, '');
    assert.equal(spec.seed, 0);
    assert.equal(spec.windowLength, 1000);
    assert.equal(spec.monitor.windowLength, 1000);
    assert.equal(spec.monitor.resetPolicy.kind, 'replacement-rate');
    assert.deepStrictEqual(spec.networks, { engine: 'auto' });
    assert.deepStrictEqual(spec.env, { id: 'CartPole-v1', kwargs: {}, wrappers: [] });
    assert.deepStrictEqual(spec.regularizers, {});
    assert.deepStrictEqual(spec.agent, { kind: 'dqn' });
    assert.equal(describeEnvOf(spec), 'CartPole-v1');
  });

  it('parses its own output to the same spec (the daemon stores parsed specs and re-reads them)', () => {
    for (const input of [
      { id: 'a', env: { id: 'CartPole-v1', wrappers: [{ kind: 'rescale-action' }] }, agent: { kind: 'stream-ac', lambda: 0.5 }, windowLength: 300, networks: { hidden: [8] } },
      { id: 'b', stream: { id: 'bit-flipping' }, agent: { kind: 'continual' }, regularizers: { l2Init: {} }, monitor: { audit: null } },
    ]) {
      const once = parseAgentSpec(input);
      assert.deepStrictEqual(parseAgentSpec(JSON.parse(JSON.stringify(once))), once);
    }
  });

  it('copies windowLength into the monitor config', () => {
    const spec = parseAgentSpec({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'ppo' }, windowLength: 250 });
    assert.equal(spec.windowLength, 250);
    assert.equal(spec.monitor.windowLength, 250);
    const fromMonitor = parseAgentSpec({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'ppo' }, monitor: { windowLength: 300 } });
    assert.equal(fromMonitor.windowLength, 300);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'ppo' }, windowLength: 250, monitor: { windowLength: 300 } }, /windowLength/);
  });

  it('accepts a stream spec for the continual learner, with batch size 1 by default', () => {
    const spec = parseAgentSpec({ id: 'bits', stream: { id: 'bit-flipping' }, agent: { kind: 'continual', hiddenUnits: [5] } });
    assert.deepStrictEqual(spec.stream, { id: 'bit-flipping', options: {}, batchSize: 1 });
    assert.equal(describeEnvOf(spec), 'stream:bit-flipping');
  });

  it('leaves stream-ac keys unset so the agent applies its own defaults', () => {
    const spec = parseAgentSpec({ id: 's', env: { id: 'CartPole-v1' }, agent: { kind: 'stream-ac', lambda: 0.5 } });
    assert.deepStrictEqual(spec.agent, { kind: 'stream-ac', lambda: 0.5 });
  });

  it('parses env wrappers with their option defaults', () => {
    const spec = parseAgentSpec({
      id: 'p',
      env: { id: 'Pendulum-v1', maxEpisodeSteps: 100, wrappers: [{ kind: 'normalize-observation' }, { kind: 'rescale-action' }, { kind: 'clip-action' }] },
      agent: { kind: 'ppo' },
    });
    assert.deepStrictEqual(spec.env!.wrappers, [
      { kind: 'normalize-observation', options: {} },
      { kind: 'rescale-action', options: { min: -1, max: 1 } },
      { kind: 'clip-action', options: {} },
    ]);
    assert.equal(spec.env!.maxEpisodeSteps, 100);
  });

  it('rejects bad ids, unknown keys and unknown agent kinds, naming the key', () => {
    invalid({ id: 'Bad Id', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' } }, /^Invalid agent spec: id:/);
    invalid({ id: '-x', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' } }, /id:/);
    invalid({ id: 'x'.repeat(64), env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' } }, /id:/);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn', gama: 0.9 } }, /agent/);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'sac' } }, /agent/);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' }, monitor: { replacmentRate: 1 } }, /monitor/);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' }, seeed: 1 }, /seeed|Unrecognized/);
    invalid({ id: 'a', env: { id: 'CartPole-v1', wrappers: [{ kind: 'frame-stack' }] }, agent: { kind: 'dqn' } }, /env\.wrappers/);
  });

  it('needs exactly one of env and stream, matching the agent kind', () => {
    invalid({ id: 'a', agent: { kind: 'dqn' } }, /env: /);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, stream: { id: 'bit-flipping' }, agent: { kind: 'dqn' } }, /exactly one/);
    invalid({ id: 'a', env: { id: 'CartPole-v1' }, agent: { kind: 'continual' } }, /continual/);
    invalid({ id: 'a', stream: { id: 'bit-flipping' }, agent: { kind: 'ppo' } }, /acts in an env/);
  });
});
