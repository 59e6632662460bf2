import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlasticdError } from '../../src/util/errors.ts';
import type { EpisodeEvent, ResetRunEvent, RunEvent, ShiftEvent, WindowEvent } from '../../src/run/events.ts';
import { AgentRun } from '../../src/run/agent-run.ts';
import { FIXED_TIME, codecRoundTrip, parameterBytes, startRun } from './run-helpers.ts';

const small = { engine: 'typed', hidden: [8] };
const dqn = (extra: Record<string, unknown> = {}) => ({
  id: 'dqn-test',
  seed: 3,
  env: { id: 'CartPole-v1' },
  agent: { kind: 'dqn', learningStarts: 100, batchSize: 16, bufferSize: 1000 },
  networks: small,
  windowLength: 200,
  monitor: { probeSize: 32, audit: null, curvature: null, resetPolicy: { kind: 'none' } },
  ...extra,
});
const ofKind = <K extends RunEvent['kind']>(events: RunEvent[], kind: K) => events.filter((e) => e.kind === kind) as Extract<RunEvent, { kind: K }>[];
const isCode = (code: string) => (error: unknown) => error instanceof PlasticdError && error.code === code;

describe('AgentRun on an env', () => {
  it('stamps every event with the agent id, a seq counting up from nextSeq, the step and the injected clock', () => {
    const { run, events } = startRun(dqn(), { nextSeq: 41 });
    run.runFor(450);
    assert.ok(events.length > 10);
    events.forEach((event, i) => {
      assert.equal(event.agent, 'dqn-test');
      assert.equal(event.seq, 41 + i);
      assert.equal(event.time, FIXED_TIME);
      assert.ok(event.step >= 1 && event.step <= 450);
    });
    assert.equal(run.counters().nextSeq, 41 + events.length);
    run.dispose();
  });

  it('reports each CartPole episode with return = length, and the lengths add up to the steps taken', () => {
    const { run, events } = startRun(dqn({ env: { id: 'CartPole-v1', maxEpisodeSteps: 30 } }));
    run.runFor(1000);
    const episodes = ofKind(events, 'episode') as EpisodeEvent[];
    assert.equal(episodes.length, run.counters().episodes);
    episodes.forEach((e, i) => {
      assert.equal(e.episode, i + 1);
      assert.equal(e.return, e.length);
      // Shorter episodes ended by termination; at the limit the pole may also fall on the last step.
      if (e.length < 30) assert.equal(e.terminated, true, 'episodes shorter than the 30-step limit terminated');
      else assert.equal(e.length, 30, 'no episode outlives the time limit');
    });
    assert.ok(episodes.some((e) => !e.terminated), 'some episodes hit the time limit');
    const finished = episodes.reduce((sum, e) => sum + e.length, 0);
    const state = run.state();
    assert.equal(finished + state.env!.episodeLength, 1000);
    assert.equal(episodes.at(-1)!.step, finished);
    run.dispose();
  });

  it("ends a window every windowLength steps with the mean return of the window's episodes", () => {
    const { run, events } = startRun(dqn());
    run.runFor(600);
    const windows = ofKind(events, 'window') as WindowEvent[];
    assert.deepStrictEqual(windows.map((w) => [w.step, w.report.window, w.report.step]), [[200, 1, 200], [400, 2, 400], [600, 3, 600]]);
    let from = 0;
    for (const w of windows) {
      const inWindow = (ofKind(events, 'episode') as EpisodeEvent[]).filter((e) => e.step > from && e.step <= w.step);
      from = w.step;
      assert.equal(w.report.performance.episodes, inWindow.length);
      const mean = inWindow.reduce((s, e) => s + e.return, 0) / inWindow.length;
      assert.ok(Math.abs(w.report.performance.episodeReturn! - mean) < 1e-9);
    }
    assert.equal(run.counters().lastReturn, windows.at(-1)!.report.performance.episodeReturn);
    const units = ofKind(events, 'units');
    assert.equal(units.length, 3, 'one units event per window for the single network');
    assert.equal(units[0].network, 'q');
    assert.equal(units[0].layers[0].utilities.length, 8);
    run.dispose();
  });

  it('emits a shift event on the step a drifting env changes its physics', () => {
    const { run, events } = startRun(dqn({ env: { id: 'plasticd/DriftingCartPole-v1', kwargs: { every: 300 } } }));
    run.runFor(1000);
    const shifts = ofKind(events, 'shift') as ShiftEvent[];
    assert.deepStrictEqual(shifts.map((s) => [s.shift, s.step, s.shiftKind]), [[1, 300, 'physics'], [2, 600, 'physics'], [3, 900, 'physics']]);
    assert.equal(typeof shifts[0].params.length, 'number');
    assert.equal(run.counters().shifts, 3);
    run.dispose();
  });

  it('builds the spec wrappers around the env and restores their statistics', async () => {
    const spec = dqn({ env: { id: 'CartPole-v1', wrappers: [{ kind: 'normalize-observation' }, { kind: 'record-episode-statistics' }] } });
    const a = startRun(spec);
    a.run.runFor(333);
    const saved = await codecRoundTrip(a.run.state());
    const b = startRun(spec);
    b.run.restore(saved);
    const before = a.events.length;
    a.run.runFor(300);
    b.run.runFor(300);
    assert.deepStrictEqual(b.events, a.events.slice(before));
    assert.deepStrictEqual(parameterBytes(b.run), parameterBytes(a.run));
    a.run.dispose();
    b.run.dispose();
  });

  it('resets units on demand between updates and reports them as reset events', () => {
    const { run, events } = startRun(dqn({ monitor: { resetPolicy: { kind: 'none', maturityThreshold: 20 }, audit: null, curvature: null } }));
    run.runFor(300);
    const before = run.agent.networks().q.layerWeights()[0].weight.slice();
    const result = run.resetNow({ network: 'q', layer: 0, units: 2 });
    assert.deepStrictEqual(result, { resets: 2 });
    const resets = ofKind(events, 'reset') as ResetRunEvent[];
    assert.equal(resets.length, 1);
    assert.equal(resets[0].reset.network, 'q');
    assert.equal(resets[0].reset.layer, 0);
    assert.equal(resets[0].reset.units.length, 2);
    const after = run.agent.networks().q.layerWeights()[0].weight;
    const fanIn = 4;
    for (let unit = 0; unit < 8; unit++) {
      const changed = after.subarray(unit * fanIn, (unit + 1) * fanIn).some((w, k) => w !== before[unit * fanIn + k]);
      assert.equal(changed, resets[0].reset.units.includes(unit), `unit ${unit}`);
    }
    run.runFor(50); // training carries on
    assert.throws(() => run.resetNow({ network: 'nope' }), isCode('unknown_network'));
    assert.throws(() => run.resetNow({ network: 'q', layer: 5 }), isCode('invalid_argument'));
    run.dispose();
  });

  it('throws non_finite_loss when an update diverges', () => {
    const { run } = startRun({
      id: 'diverging',
      stream: { id: 'bit-flipping' },
      agent: { kind: 'continual', optimizer: { kind: 'sgd', learningRate: 10 } },
      networks: { engine: 'typed' },
      windowLength: 100,
      monitor: { audit: null, curvature: null },
    });
    assert.throws(() => run.runFor(5000), isCode('non_finite_loss'));
    run.dispose();
  });

  it('refuses a state from another agent, and specs it cannot build', () => {
    const a = startRun(dqn());
    const b = startRun(dqn({ id: 'other' }));
    assert.throws(() => b.run.restore(a.run.state()), isCode('run_state_mismatch'));
    assert.throws(() => b.run.restore({}), isCode('invalid_run_state'));
    a.run.dispose();
    b.run.dispose();
    assert.throws(() => new AgentRun({ spec: dqn({ regularizers: { l2Init: {} } }) }), isCode('invalid_spec'));
    assert.throws(() => new AgentRun({ spec: dqn({ agent: { kind: 'dqn', hidden: [4] } }) }), isCode('invalid_spec'));
    assert.throws(() => new AgentRun({ spec: { ...dqn(), networks: { engine: 'typed', init: 'he_uniform' } } }), isCode('invalid_spec'));
  });
});

describe('AgentRun on a stream', () => {
  const bits = (batchSize: number) => ({
    id: 'bits',
    seed: 5,
    stream: { id: 'bit-flipping', options: { flipAfter: 100 }, batchSize },
    agent: { kind: 'continual' },
    networks: { engine: 'typed' },
    windowLength: 200,
    monitor: { probeSize: 32, audit: null, curvature: null },
  });

  it('counts examples as steps, reports task shifts and the mean online loss per window', () => {
    const { run, events } = startRun(bits(4));
    run.runFor(400);
    assert.equal(run.counters().steps, 400);
    const shifts = ofKind(events, 'shift') as ShiftEvent[];
    assert.deepStrictEqual(shifts.map((s) => [s.step, s.shiftKind]), [[101, 'task'], [201, 'task'], [301, 'task']]);
    const windows = ofKind(events, 'window') as WindowEvent[];
    assert.deepStrictEqual(windows.map((w) => w.step), [200, 400]);
    for (const w of windows) {
      assert.ok(w.report.performance.loss! > 0 && Number.isFinite(w.report.performance.loss!));
      assert.equal(w.report.networks[0].updates, 50, '200 examples in batches of 4');
    }
    assert.equal(run.counters().lastReturn, windows[1].report.performance.loss);
    run.dispose();
  });

  it('hands the audit the recent examples with their loss, so it reports loss correlations too', () => {
    const { run, events } = startRun({ ...bits(1), monitor: { probeSize: 64, curvature: null, audit: { everyWindows: 1, units: 6 }, resetPolicy: { kind: 'none' } } });
    run.runFor(400);
    const audits = (ofKind(events, 'window') as WindowEvent[]).map((w) => w.report.audit[0]);
    assert.equal(audits.length, 2);
    for (const audit of audits) {
      assert.equal(audit.network, 'model');
      assert.ok(Number.isFinite(audit.lossCorrelation.gxd), `loss correlation ${JSON.stringify(audit.lossCorrelation)}`);
    }
    run.dispose();
  });

  it('derives the stream seed from the spec seed, so another seed gives other examples', () => {
    const a = startRun(bits(1));
    const b = startRun({ ...bits(1), seed: 6 });
    assert.notDeepStrictEqual(a.run.stream!.next().input, b.run.stream!.next().input);
    const c = startRun(bits(1));
    c.run.stream!.next();
    assert.deepStrictEqual(c.run.stream!.streamState(), (a.run.stream!.streamState()));
    for (const r of [a, b, c]) r.run.dispose();
  });
});
