import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExperiment } from '../../src/experiment/resolve.ts';
import { PlasticdError } from '../../src/util/errors.ts';

const valid = () => ({
  name: 'tiny',
  base: {
    stream: { id: 'bit-flipping-resample' },
    agent: { kind: 'continual', hiddenUnits: [5], optimizer: { kind: 'sgd', learningRate: 0.01 } },
    networks: { engine: 'typed' },
    windowLength: 500,
  },
  steps: 5000,
  methods: { bp: {}, cbp: { monitor: { resetPolicy: { kind: 'replacement-rate', criterion: 'adaptable-contribution' } } } },
  seeds: 2,
  report: { metrics: ['performance', 'model/hidden0/deadRatio'] },
});

/** The message of the PlasticdError the resolution throws. */
function problemsOf(raw: unknown, scale?: string): string {
  try {
    resolveExperiment(raw, scale === undefined ? {} : { scale });
  } catch (error) {
    assert.ok(error instanceof PlasticdError, `expected a PlasticdError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the experiment to be refused');
}

describe('resolveExperiment', () => {
  it('resolves a valid file into validated runs with defaults filled in', () => {
    const { experiment, checkpointEverySeconds } = resolveExperiment(valid());
    assert.deepEqual(
      experiment.runs.map((run) => run.id),
      ['bp-seed1', 'bp-seed2', 'cbp-seed1', 'cbp-seed2'],
    );
    assert.equal(experiment.runs[3].spec.monitor.resetPolicy.criterion, 'adaptable-contribution');
    assert.equal(experiment.runs[3].spec.monitor.resetPolicy.replacementRate, 1e-4, 'monitor defaults are filled in');
    assert.equal(experiment.runs[0].spec.monitor.resetPolicy.criterion, 'gxd');
    assert.deepEqual(experiment.report.phases.map((p) => [p.name, p.from, p.to]), [
      ['first', 0, 500],
      ['middle', 2250, 2750],
      ['last', 4500, 5000],
    ]);
    assert.equal(checkpointEverySeconds, 60);
  });

  it('makes default phases at least one window long', () => {
    const { experiment } = resolveExperiment({ ...valid(), steps: 2000 });
    assert.deepEqual(experiment.report.phases.map((p) => [p.from, p.to]), [
      [0, 500],
      [750, 1250],
      [1500, 2000],
    ]);
  });

  it('names the method key of an unknown reset policy kind, and the allowed values', () => {
    const raw = valid();
    raw.methods.cbp.monitor.resetPolicy.kind = 'foo';
    const message = problemsOf(raw);
    assert.match(message, /methods\.cbp\.monitor\.resetPolicy\.kind: .*"replacement-rate"/);
    assert.doesNotMatch(message, /bp-seed/);
  });

  it('names an unknown key inside a method', () => {
    const raw = valid() as Record<string, any>;
    raw.methods.cbp = { moniter: {} };
    assert.match(problemsOf(raw), /methods\.cbp: Unrecognized key: "moniter"/);
  });

  it('names a wrong type in the base', () => {
    const raw = valid() as Record<string, any>;
    raw.base.agent.hiddenUnits = 'five';
    assert.match(problemsOf(raw), /base\.agent\.hiddenUnits: .*array/i);
  });

  it('names a grid axis whose values do not fit the spec', () => {
    const raw = { ...valid(), grid: { 'agent.optimizer.learningRate': ['fast'] } };
    assert.match(problemsOf(raw), /grid\["agent\.optimizer\.learningRate"\]: .*number/);
  });

  it('refuses an empty grid axis, empty seeds and no methods', () => {
    assert.match(problemsOf({ ...valid(), grid: { 'agent.optimizer.learningRate': [] } }), /grid\["agent\.optimizer\.learningRate"\]: a grid axis needs at least one value/);
    assert.match(problemsOf({ ...valid(), seeds: [] }), /seeds: .*at least one seed/);
    assert.match(problemsOf({ ...valid(), methods: {} }), /methods: give at least one method/);
  });

  it('refuses wrong top-level types and unknown top-level keys', () => {
    assert.match(problemsOf({ ...valid(), steps: 'many' }), /steps: .*number/);
    assert.match(problemsOf({ ...valid(), step: 5 }), /Unrecognized key: "step"/);
  });

  it('refuses unknown report metrics and phases outside the run', () => {
    assert.match(problemsOf({ ...valid(), report: { metrics: ['model/hidden0/deadness'] } }), /report\.metrics\[0\]: unknown layer metric 'deadness'/);
    const phases = [{ name: 'late', from: 4000, to: 6000 }];
    assert.match(problemsOf({ ...valid(), report: { phases } }), /report\.phases\[0\]: phase 'late' ends at 6000, after the run's last step 5000/);
  });

  it('refuses unknown stream options and env ids with the known ones', () => {
    const raw = valid() as Record<string, any>;
    raw.methods.bp = { stream: { id: 'bit-flipping-resample', options: { flipEvery: 3 } } };
    assert.match(problemsOf(raw), /methods\.bp\.stream\.options\.flipEvery: stream 'bit-flipping-resample' has no option 'flipEvery'/);
    const env = { ...valid(), base: { env: { id: 'NoSuchEnv-v0' }, agent: { kind: 'dqn' } } };
    assert.match(problemsOf(env), /base\.env\.id: unknown env 'NoSuchEnv-v0'/);
  });

  it('merges a named scale over the file and refuses an unknown one', () => {
    const raw = { ...valid(), scales: { big: { steps: 20000, seeds: [7] } } };
    const { experiment } = resolveExperiment(raw, { scale: 'big' });
    assert.equal(experiment.steps, 20000);
    assert.deepEqual(experiment.runs.map((run) => run.id), ['bp-seed7', 'cbp-seed7']);
    assert.equal(experiment.scale, 'big');
    assert.match(problemsOf(raw, 'huge'), /has no scale 'huge'; its scales are default, big/);
  });
});
