import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Monitor } from '../../monitoring/monitor.ts';
import { curvatureProbe } from '../../monitoring/curvature-probe.ts';
import { layerReport } from '../../monitoring/metrics/layer-report.ts';
import { weightMetrics } from '../../monitoring/metrics/weight-metrics.ts';
import { summarize } from '../../monitoring/window-report.ts';
import type { ResetEvent } from '../../monitoring/types.ts';
import { createNetwork } from '../../src/nn/index.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import type { LayerWeights, NetworkSpec, StepTrace } from '../../src/nn/types.ts';
import { Rng } from '../../src/util/rng.ts';
import { useCpuBackend } from '../nn/reference-mlp.ts';
import { Teacher, trainWithMonitor } from './monitor-fixture.ts';

before(useCpuBackend);

function close(actual: number, expected: number, what: string, relative = 2e-4, absolute = 1e-6): void {
  assert.ok(Math.abs(actual - expected) <= absolute + relative * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

/** Float64 forward/backward of 3 → 4 tanh → 3 relu → 2 linear with per-sample MSE ℓ = mean_c (y − t)². */
function directStats(weights: LayerWeights[], input: Float32Array, target: Float32Array, batch: number, references: Float32Array[]) {
  const [w1, w2, w3] = weights;
  const units = [w1.fanOut, w2.fanOut];
  const sums = units.map((n) => ({ absA: new Float64Array(n), meanA: new Float64Array(n), absG: new Float64Array(n), gxd: new Float64Array(n) }));
  for (let b = 0; b < batch; b++) {
    const x = input.subarray(b * w1.fanIn, (b + 1) * w1.fanIn);
    const a1 = Array.from({ length: w1.fanOut }, (_, i) => Math.tanh(w1.bias[i] + x.reduce((s, v, j) => s + w1.weight[i * w1.fanIn + j] * v, 0)));
    const z2 = Array.from({ length: w2.fanOut }, (_, i) => w2.bias[i] + a1.reduce((s, v, j) => s + w2.weight[i * w2.fanIn + j] * v, 0));
    const a2 = z2.map((z) => Math.max(z, 0));
    const y = Array.from({ length: w3.fanOut }, (_, c) => w3.bias[c] + a2.reduce((s, v, j) => s + w3.weight[c * w3.fanIn + j] * v, 0));
    const gy = y.map((v, c) => (2 * (v - target[b * w3.fanOut + c])) / w3.fanOut);
    const g2 = a2.map((_, i) => gy.reduce((s, g, c) => s + g * w3.weight[c * w3.fanIn + i], 0));
    const gz2 = g2.map((g, i) => (z2[i] > 0 ? g : 0));
    const g1 = a1.map((_, i) => gz2.reduce((s, g, k) => s + g * w2.weight[k * w2.fanIn + i], 0));
    [
      [a1, g1],
      [a2, g2],
    ].forEach(([a, g], l) => {
      for (let i = 0; i < a.length; i++) {
        sums[l].absA[i] += Math.abs(a[i]) / batch;
        sums[l].meanA[i] += a[i] / batch;
        sums[l].absG[i] += Math.abs(g[i]) / batch;
        sums[l].gxd[i] += Math.abs(g[i] * (a[i] - references[l][i])) / batch;
      }
    });
  }
  return sums;
}

function meanAbsColumn(next: LayerWeights, column: number): number {
  let sum = 0;
  for (let k = 0; k < next.fanOut; k++) sum += Math.abs(next.weight[k * next.fanIn + column]);
  return sum / next.fanOut;
}

describe('Monitor', () => {
  it('tracks GXD, activation, gradient and contribution utilities equal to a direct computation from the network', () => {
    const spec: NetworkSpec = {
      name: 'model',
      inputSize: 3,
      hidden: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'relu' }],
      outputSize: 2,
      init: 'torch_default',
      seed: 11,
    };
    const net = createNetwork(spec, { engine: 'typed', optimizer: { kind: 'sgd', learningRate: 0.05 } });
    const monitor = new Monitor({
      networks: { model: net },
      config: { resetPolicy: { kind: 'none' }, criteria: ['gxd', 'activation', 'gradient', 'contribution'] },
      rng: new Rng(1),
    });
    const teacher = new Teacher(3, 2, 5);
    const decay = 0.99;
    const running = [4, 3].map((n) => ({ gxd: new Float64Array(n), activation: new Float64Array(n), gradient: new Float64Array(n), contribution: new Float64Array(n), mean: new Float64Array(n) }));
    const batch = 5;
    for (let step = 1; step <= 40; step++) {
      const { input, target } = teacher.batch(batch);
      const before = net.layerWeights();
      const references = monitor.references('model')!.map((r) => r.slice());
      const trace = net.trainStep({ input, batchSize: batch, loss: meanSquaredError(target), references: monitor.references('model') });
      monitor.onStep(trace);
      const after = net.layerWeights();
      const direct = directStats(before, input, target, batch, references);
      const correction = 1 - decay ** step;
      for (let l = 0; l < 2; l++) {
        const r = running[l];
        for (let i = 0; i < r.gxd.length; i++) {
          r.gxd[i] = decay * r.gxd[i] + (1 - decay) * direct[l].gxd[i];
          r.activation[i] = decay * r.activation[i] + (1 - decay) * direct[l].absA[i];
          r.gradient[i] = decay * r.gradient[i] + (1 - decay) * direct[l].absG[i];
          r.contribution[i] = decay * r.contribution[i] + (1 - decay) * direct[l].absA[i] * meanAbsColumn(after[l + 1], i);
          r.mean[i] = decay * r.mean[i] + (1 - decay) * direct[l].meanA[i];
        }
        const tracker = monitor.tracker('model');
        for (const criterion of ['gxd', 'activation', 'gradient', 'contribution'] as const) {
          const tracked = tracker.utilities(l, criterion);
          for (let i = 0; i < tracked.length; i++) close(tracked[i], r[criterion][i] / correction, `step ${step} layer ${l} unit ${i} ${criterion}`);
        }
        const reference = monitor.references('model')![l];
        for (let i = 0; i < reference.length; i++) close(reference[i], r.mean[i] / correction, `step ${step} layer ${l} unit ${i} reference ā`);
      }
    }
    assert.ok(running[0].gxd.some((v) => v > 1e-3), 'the utilities are not trivially zero');
    const snapshot = monitor.unitsSnapshot('model');
    assert.deepEqual(snapshot.layers.map((layer) => [layer.index, layer.criterion, layer.ages]), [
      [0, 'gxd', [40, 40, 40, 40]],
      [1, 'gxd', [40, 40, 40]],
    ]);
    net.dispose();
  });

  it('resets through the Monitor only mature hidden units, at the fractional replacement rate, never the output layer', () => {
    const spec: NetworkSpec = { name: 'model', inputSize: 4, hidden: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }], outputSize: 1, seed: 3 };
    const net = createNetwork(spec, { engine: 'typed', optimizer: { kind: 'adam', learningRate: 1e-3 } });
    const rate = 0.05;
    const maturity = 20;
    const monitor = new Monitor({
      networks: { model: net },
      config: { resetPolicy: { kind: 'replacement-rate', replacementRate: rate, maturityThreshold: maturity }, audit: null, curvature: null },
      rng: new Rng(2),
    });
    const teacher = new Teacher(4, 1, 9);
    const lastReset = [new Array<number>(8).fill(0), new Array<number>(8).fill(0)];
    const owed = [0, 0];
    const done = [0, 0];
    const events: ResetEvent[] = [];
    for (let step = 1; step <= 600; step++) {
      const { input, target } = teacher.batch(4);
      const trace = net.trainStep({ input, batchSize: 4, loss: meanSquaredError(target), references: monitor.references('model') });
      for (let l = 0; l < 2; l++) owed[l] += rate * lastReset[l].filter((at) => step - at > maturity).length;
      const stepEvents = monitor.onStep(trace);
      const weights = net.layerWeights();
      // A unit reset in the next layer at the same step had its incoming row (which crosses this column) redrawn.
      const redrawnRows = (layer: number) => stepEvents.filter((e) => e.layer === layer + 1).flatMap((e) => e.units);
      for (const event of stepEvents) {
        events.push(event);
        assert.ok(event.layer === 0 || event.layer === 1, `event in hidden layer ${event.layer}`);
        assert.equal(event.step, step);
        for (const unit of event.units) {
          assert.ok(step - lastReset[event.layer][unit] > maturity, `unit ${event.layer}/${unit} reset at ${step}, last at ${lastReset[event.layer][unit]}`);
          lastReset[event.layer][unit] = step;
          const next: LayerWeights = weights[event.layer + 1];
          for (let k = 0; k < next.fanOut; k++) {
            if (!redrawnRows(event.layer).includes(k)) assert.equal(next.weight[k * next.fanIn + unit], 0, 'outgoing weights are zeroed');
          }
        }
        done[event.layer] += event.units.length;
      }
    }
    // 8 units become eligible after step 20: 0.4 owed per step, so the first reset is at step 23.
    assert.deepEqual(events.slice(0, 2).map((e) => [e.step, e.layer, e.units.length]), [
      [23, 0, 1],
      [23, 1, 1],
    ]);
    for (let l = 0; l < 2; l++) assert.equal(done[l], Math.floor(owed[l] + 1e-9), `layer ${l}: ${done[l]} resets for ${owed[l]} owed`);
    assert.ok(done[0] > 20, `enough resets to exercise the rule (${done[0]})`);
    const ages = monitor.unitsSnapshot('model').layers.map((layer) => layer.ages);
    for (let l = 0; l < 2; l++) for (let i = 0; i < 8; i++) assert.equal(ages[l][i], 600 - lastReset[l][i]);
    net.dispose();
  });

  it('reports window metrics equal to direct computations on the probe batch, and leaves the network untouched', () => {
    const spec: NetworkSpec = { name: 'model', inputSize: 6, hidden: [{ units: 16, activation: 'relu' }, { units: 12, activation: 'tanh' }], outputSize: 2, seed: 4 };
    const net = createNetwork(spec, { engine: 'typed', optimizer: { kind: 'adam', learningRate: 1e-2 } });
    const monitor = new Monitor({
      networks: { model: net },
      config: {
        windowLength: 100,
        probeSize: 64,
        resetPolicy: { kind: 'threshold', every: 25, maturityThreshold: 10, threshold: 0.5 },
        curvature: { everyWindows: 1, samples: 4 },
        audit: null,
      },
      rng: new Rng(3),
      clock: () => 0,
    });
    const teacher = new Teacher(6, 2, 12);
    const traces: StepTrace[] = [];
    const inputs: Float32Array[] = [];
    const { events } = trainWithMonitor(net, monitor, teacher, {
      from: 0,
      to: 299,
      batchSize: 8,
      onTrace: (trace, input) => {
        traces.push(trace);
        inputs.push(input);
      },
    });
    const { input, target } = teacher.batch(8);
    monitor.recordInputs('model', input, 8);
    inputs.push(input);
    const trace = net.trainStep({ input, batchSize: 8, loss: meanSquaredError(target), references: monitor.references('model') });
    traces.push(trace);
    events.push(...monitor.onStep(trace));

    const rows = new Float32Array(64 * 6);
    inputs.slice(-8).forEach((batch, k) => rows.set(batch, k * 48));
    const references = monitor.references('model')!.map((r) => r.slice());
    const { activations } = net.forwardWithActivations(rows, 64);
    const outputGxd = net.clone().outputGxd(rows, 64, references);
    const curvature = curvatureProbe(net, rows.subarray(60 * 6), 4).srank;
    const weights = weightMetrics(net.layerWeights(), net.initialLayerWeights());
    const state = net.state();

    const report = monitor.onWindow({ step: 300, performance: { loss: 0.5 } });
    assert.deepEqual(net.state(), state, 'the window metrics leave parameters, optimizer and RNG alone');
    assert.equal(report.window, 3);
    assert.equal(report.step, 300);
    assert.deepEqual(report.performance, { loss: 0.5 });
    assert.deepEqual(report.audit, []);
    const [network] = report.networks;
    const window = traces.slice(200);
    close(network.gradNorm, window.reduce((s, t) => s + t.gradNorm, 0) / 100, 'gradNorm', 1e-12);
    close(network.updateNorm, window.reduce((s, t) => s + t.updateNorm, 0) / 100, 'updateNorm', 1e-12);
    close(network.loss, window.reduce((s, t) => s + t.loss, 0) / 100, 'loss', 1e-12);
    assert.equal(network.updates, 100);
    assert.equal(network.curvatureSrank, curvature);
    assert.equal(network.drift, weights.relativeDistanceFromInitial);
    assert.equal(network.weightMagnitude, weights.meanAbsParameter);
    const windowEvents = events.filter((e) => e.step > 200);
    assert.ok(windowEvents.length > 0, 'the threshold rule reset something in the window');
    assert.deepEqual(network.resets, { gxd: windowEvents.reduce((s, e) => s + e.units.length, 0) });

    assert.equal(report.layers.length, 2);
    report.layers.forEach((layer, l) => {
      const direct = layerReport({ data: activations[l], samples: 64, units: spec.hidden[l].units }, { activation: spec.hidden[l].activation });
      assert.equal(layer.deadRatio, direct.dead.fraction);
      assert.equal(layer.dormantRatio, direct.dormant[0].fraction);
      assert.equal(layer.dormantRatioTau01, direct.dormant[1].fraction);
      assert.equal(layer.saturatedRatio, l === 0 ? null : direct.saturated!.fraction);
      assert.equal(layer.duplicateRatio, direct.duplicates.cosine.fraction);
      assert.equal(layer.effectiveRank, direct.effectiveRank);
      assert.equal(layer.srank, direct.srank);
      assert.equal(layer.stableRank, direct.classicStableRank);
      assert.equal(layer.participationRatio, direct.joudakiStableRank);
      assert.equal(layer.weightMagnitude, weights.layers[l].meanAbsWeight);
      assert.equal(layer.resets, windowEvents.filter((e) => e.layer === l).reduce((s, e) => s + e.units.length, 0));
      assert.deepEqual(layer.utilities['gxd-f'], summarize(outputGxd[l]));
      assert.deepEqual(layer.utilities.gxd, summarize(monitor.tracker('model').utilities(l, 'gxd')));
      assert.deepEqual(Object.keys(layer.utilities).sort(), ['activation', 'contribution', 'gradient', 'gxd', 'gxd-f']);
    });
    const next = monitor.onWindow({ step: 301 });
    assert.equal(next.networks[0].updates, 0, 'the window sums start over');
    assert.ok(Number.isNaN(next.networks[0].loss));
    net.dispose();
  });

  it('continues after state()/restore() mid-run with identical reports and reset events', () => {
    const spec: NetworkSpec = { name: 'q', inputSize: 5, hidden: [{ units: 12, activation: 'relu' }, { units: 12, activation: 'relu' }], outputSize: 2, seed: 8 };
    const options = { engine: 'typed' as const, optimizer: { kind: 'adam' as const, learningRate: 3e-3 } };
    const config = {
      windowLength: 200,
      probeSize: 128,
      resetPolicy: { kind: 'replacement-rate' as const, replacementRate: 0.01, maturityThreshold: 20 },
      audit: { everyWindows: 2, units: 8 },
      curvature: { everyWindows: 2, samples: 2 },
    };
    const heldOutTeacher = new Teacher(5, 2, 21);
    const heldOut = { ...heldOutTeacher.batch(32), batchSize: 32 };
    const run = (net: ReturnType<typeof createNetwork>, monitor: Monitor, teacher: Teacher, from: number, to: number) =>
      trainWithMonitor(net, monitor, teacher, { from, to, batchSize: 4, heldOut });

    const straightNet = createNetwork(spec, options);
    const straight = run(straightNet, new Monitor({ networks: { q: straightNet }, config, rng: new Rng(7), clock: () => 0 }), new Teacher(5, 2, 1), 0, 1000);

    const firstNet = createNetwork(spec, options);
    const firstMonitor = new Monitor({ networks: { q: firstNet }, config, rng: new Rng(7), clock: () => 0 });
    const firstTeacher = new Teacher(5, 2, 1);
    const first = run(firstNet, firstMonitor, firstTeacher, 0, 500);
    const saved = structuredClone({ net: firstNet.state(), monitor: firstMonitor.state(), teacher: firstTeacher.rngState() });
    firstNet.dispose();
    firstMonitor.dispose();

    const resumedNet = createNetwork(spec, options);
    resumedNet.restore(saved.net);
    const resumedMonitor = new Monitor({ networks: { q: resumedNet }, config, rng: new Rng(12345), clock: () => 0 });
    resumedMonitor.restore(saved.monitor);
    const resumedTeacher = new Teacher(5, 2, 1);
    resumedTeacher.rng.restore(saved.teacher);
    const second = run(resumedNet, resumedMonitor, resumedTeacher, 500, 1000);

    assert.ok(straight.events.length > 10, `resets happen (${straight.events.length})`);
    assert.equal(straight.reports.filter((r) => r.audit.length > 0).length, 2, 'audits ran');
    assert.deepEqual([...first.events, ...second.events], straight.events);
    assert.deepEqual([...first.reports, ...second.reports], straight.reports);
    assert.throws(() => resumedMonitor.restore({ ...saved.monitor, networks: {} }), /watches/);
    straightNet.dispose();
    resumedNet.dispose();
  });

  it('rejects unknown networks and config typos with messages that say what to fix', () => {
    const net = createNetwork({ name: 'model', inputSize: 2, hidden: [{ units: 3, activation: 'relu' }], outputSize: 1, seed: 1 }, { engine: 'typed' });
    assert.throws(() => new Monitor({ networks: { model: net }, config: { replacmentRate: 1 } as never, rng: new Rng(1) }), /replacmentRate/);
    const monitor = new Monitor({ networks: { model: net }, rng: new Rng(1) });
    assert.throws(() => monitor.recordInputs('critic', new Float32Array(2), 1), /watches no network 'critic'/);
    assert.throws(() => monitor.recordInputs('model', new Float32Array(3), 1), /1 rows of 2 values/);
    const empty = monitor.onWindow({ step: 1000 });
    assert.ok(Number.isNaN(empty.layers[0].deadRatio), 'no probe samples yet: activation metrics are NaN, not invented');
    assert.equal(empty.networks[0].curvatureSrank, null);
    net.dispose();
  });
});
