import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wrapperChain } from '../../envs/core.ts';
import { NO_HOOKS } from '../../agents/agent.ts';
import { ContinualAgent } from '../../agents/continual.ts';
import { StreamAcAgent } from '../../agents/stream-ac.ts';
import { CONTINUOUS_PPO_CONFIG, DEFAULT_PPO_CONFIG, PpoAgent } from '../../agents/ppo.ts';
import { parseAgentSpec } from '../../src/config/agent-spec.ts';
import { buildRun, deriveSeeds } from '../../src/run/build-run.ts';
import { Rng } from '../../src/util/rng.ts';

describe('deriveSeeds', () => {
  it('forks env, agent, monitor and stream seeds from the spec seed in a fixed order', () => {
    const root = new Rng(11);
    const env = root.fork().nextUint32();
    const agent = root.fork().nextUint32();
    const monitor = root.fork();
    const stream = root.fork().nextUint32();
    const derived = deriveSeeds(11);
    assert.deepStrictEqual(derived.seeds, { env, agent, stream });
    assert.deepStrictEqual(derived.monitorRng.state(), monitor.state());
    assert.notDeepStrictEqual(deriveSeeds(12).seeds, derived.seeds);
    assert.equal(new Set(Object.values(derived.seeds)).size, 3, 'the three seeds differ');
  });
});

describe('buildRun', () => {
  it("stacks the spec's wrappers outside make()'s Gymnasium stack, innermost first", () => {
    const spec = parseAgentSpec({
      id: 'p',
      env: { id: 'Pendulum-v1', maxEpisodeSteps: 50, wrappers: [{ kind: 'clip-action' }, { kind: 'normalize-observation' }, { kind: 'record-episode-statistics' }] },
      agent: { kind: 'ppo', numSteps: 32 },
      networks: { engine: 'typed', hidden: [4] },
    });
    const built = buildRun(spec, { hooks: NO_HOOKS });
    assert.deepStrictEqual(
      wrapperChain(built.env!).map((layer) => layer.constructor.name),
      ['RecordEpisodeStatistics', 'NormalizeObservation', 'ClipAction', 'TimeLimit', 'OrderEnforcing', 'PendulumEnv'],
    );
    assert.equal(built.env!.spec!.maxEpisodeSteps, 50);
    assert.equal(built.stream, null);
    assert.deepStrictEqual(Object.keys(built.agent.networks()).sort(), ['actor', 'critic']);
    assert.deepStrictEqual(built.agent.networks().actor.hiddenLayers.map((l) => l.units), [4]);
    assert.deepStrictEqual(built.monitor.networkNames, ['actor', 'critic']);
    built.agent.dispose();
  });

  it('maps the networks shorthand onto each agent’s own keys', () => {
    const streamAc = buildRun(
      parseAgentSpec({ id: 's', env: { id: 'CartPole-v1' }, agent: { kind: 'stream-ac' }, networks: { engine: 'typed', hidden: [6, 5] } }),
      { hooks: NO_HOOKS },
    );
    assert.ok(streamAc.agent instanceof StreamAcAgent);
    assert.deepStrictEqual((streamAc.agent as StreamAcAgent).config.hiddenUnits, [6, 5]);
    streamAc.agent.dispose();
  });

  it('gives continuous-action PPO the continuous-control defaults and discrete PPO the CartPole ones', () => {
    const pendulum = buildRun(parseAgentSpec({ id: 'p', env: { id: 'Pendulum-v1' }, agent: { kind: 'ppo' }, networks: { engine: 'typed', hidden: [4] } }), { hooks: NO_HOOKS });
    const continuous = (pendulum.agent as PpoAgent).config;
    assert.equal(continuous.gamma, 0.9);
    assert.equal(continuous.numSteps, CONTINUOUS_PPO_CONFIG.numSteps);
    assert.equal(continuous.entropyCoef, 0);
    assert.equal(continuous.normalizeObservations, true);
    assert.equal(continuous.normalizeRewards, true);
    assert.deepStrictEqual(continuous.actorHidden, [4]);
    pendulum.agent.dispose();

    const cartPole = buildRun(parseAgentSpec({ id: 'c', env: { id: 'CartPole-v1' }, agent: { kind: 'ppo' }, networks: { engine: 'typed', hidden: [4] } }), { hooks: NO_HOOKS });
    const discrete = (cartPole.agent as PpoAgent).config;
    assert.equal(discrete.gamma, DEFAULT_PPO_CONFIG.gamma);
    assert.equal(discrete.numSteps, DEFAULT_PPO_CONFIG.numSteps);
    assert.equal(discrete.normalizeObservations, false);
    cartPole.agent.dispose();
  });

  it("lets the spec's own PPO keys override the continuous-control defaults", () => {
    const built = buildRun(
      parseAgentSpec({ id: 'p', env: { id: 'Pendulum-v1' }, agent: { kind: 'ppo', gamma: 0.95, numSteps: 64, numMinibatches: 4, normalizeRewards: false }, networks: { engine: 'typed', hidden: [4] } }),
      { hooks: NO_HOOKS },
    );
    const config = (built.agent as PpoAgent).config;
    assert.equal(config.gamma, 0.95);
    assert.equal(config.numSteps, 64);
    assert.equal(config.numMinibatches, 4);
    assert.equal(config.normalizeRewards, false);
    assert.equal(config.normalizeObservations, true, 'keys the spec leaves out still come from the continuous preset');
    built.agent.dispose();
  });

  it('sizes the continual learner from the stream and passes the regularizers on', () => {
    const spec = parseAgentSpec({
      id: 'bits',
      seed: 4,
      stream: { id: 'bit-flipping' },
      agent: { kind: 'continual' },
      networks: { engine: 'typed', hidden: [7], activation: 'tanh' },
      regularizers: { l2Init: { strength: 0.01 } },
    });
    const built = buildRun(spec, { hooks: NO_HOOKS });
    const agent = built.agent as ContinualAgent;
    assert.ok(agent instanceof ContinualAgent);
    assert.equal(agent.config.inputSize, built.stream!.inputSize);
    assert.equal(agent.config.outputSize, built.stream!.targetSize);
    assert.equal(agent.config.task, 'regression');
    assert.deepStrictEqual(agent.config.hiddenUnits, [7]);
    assert.equal(agent.config.activation, 'tanh');
    assert.deepStrictEqual(agent.config.regularizers, { l2Init: { strength: 0.01 } });
    assert.equal(agent.config.seed, built.seeds.agent);
    assert.equal(built.stream!.options.seed, built.seeds.stream);
    agent.dispose();
  });

  it('keeps a stream seed given in the spec options', () => {
    const built = buildRun(parseAgentSpec({ id: 'b', stream: { id: 'bit-flipping', options: { seed: 99 } }, agent: { kind: 'continual' }, networks: { engine: 'typed' } }), {
      hooks: NO_HOOKS,
    });
    assert.equal(built.stream!.options.seed, 99);
    built.agent.dispose();
  });
});
