import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axisShortName, deepMerge, expandGrid, gridCombinations, seedList, setPath } from '../../src/experiment/grid.ts';

describe('expandGrid', () => {
  const base = { stream: { id: 'bit-flipping' }, agent: { kind: 'continual', optimizer: { kind: 'sgd', learningRate: 0.01 } } };

  it('expands methods × seeds in file order with ids <method>-seed<k>', () => {
    const runs = expandGrid({ base, methods: { bp: {}, cbp: { monitor: { resetPolicy: { kind: 'replacement-rate' } } } }, grid: {}, seeds: [3, 1] });
    assert.deepEqual(
      runs.map((run) => run.id),
      ['bp-seed3', 'bp-seed1', 'cbp-seed3', 'cbp-seed1'],
    );
    assert.equal(runs[2].spec.id, 'cbp-seed3');
    assert.equal(runs[2].spec.seed, 3);
    assert.deepEqual(runs[2].spec.monitor, { resetPolicy: { kind: 'replacement-rate' } });
    assert.equal(runs[0].spec.monitor, undefined, 'one method’s overrides never leak into another');
  });

  it('adds one run per grid combination and names the axis values in the id', () => {
    const runs = expandGrid({
      base,
      methods: { cbp: {} },
      grid: { 'agent.optimizer.learningRate': [0.01, 0.003], 'monitor.resetPolicy.replacementRate': [1e-4] },
      seeds: [3],
    });
    assert.deepEqual(
      runs.map((run) => run.id),
      ['cbp-lr0.01-rho0.0001-seed3', 'cbp-lr0.003-rho0.0001-seed3'],
    );
    assert.equal(runs[1].variant, 'cbp-lr0.003-rho0.0001');
    assert.equal(runs[1].agentId, 'cbp-lr0_003-rho0_0001-seed3', 'agent ids may not contain dots');
    assert.equal((runs[1].spec.agent as { optimizer: { learningRate: number } }).optimizer.learningRate, 0.003);
    assert.equal(base.agent.optimizer.learningRate, 0.01, 'the base is not modified');
  });

  it('refuses two runs with the same id', () => {
    assert.throws(() => expandGrid({ base, methods: { a: {} }, grid: { 'x.lr': ['a.b', 'a_b'] }, seeds: [1] }), /share the id/);
  });
});

describe('grid helpers', () => {
  it('deep-merges objects and lets arrays, scalars and null replace', () => {
    assert.deepEqual(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1, e: { f: 1 } }, { a: { c: [3] }, e: null }), { a: { b: 1, c: [3] }, d: 1, e: null });
  });

  it('sets dotted paths, creating objects on the way', () => {
    const target: Record<string, unknown> = { agent: { kind: 'dqn' } };
    setPath(target, 'agent.optimizer.learningRate', 0.1);
    assert.deepEqual(target, { agent: { kind: 'dqn', optimizer: { learningRate: 0.1 } } });
  });

  it('lists every combination with the last axis varying fastest', () => {
    assert.deepEqual(gridCombinations({ a: [1, 2], b: ['x', 'y'] }), [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });

  it('turns a seed count n into seeds 1..n and shortens common axis names', () => {
    assert.deepEqual(seedList(3), [1, 2, 3]);
    assert.deepEqual(seedList([0, 7]), [0, 7]);
    assert.equal(axisShortName('agent.optimizer.learningRate'), 'lr');
    assert.equal(axisShortName('env.kwargs.every'), 'every');
  });
});
