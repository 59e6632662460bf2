// Times a full layerReport on probe-batch-sized layers (not a test; run it by hand):
//   npx tsx test/monitoring/metrics/time-layer-report.ts
// Prints wall time and this process's CPU time (the latter is less distorted on a shared machine).
import { layerReport } from '../../monitoring/metrics/layer-report.ts';
import { singularValues } from '../../monitoring/metrics/singular-values.ts';
import { Rng } from '../../src/util/rng.ts';

function measure(run: () => void): string {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  run();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return `${wall.toFixed(0)} ms wall / ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu`;
}

const rng = new Rng(1);
for (const [samples, units] of [[512, 256], [512, 1024]] as const) {
  const data = new Float32Array(samples * units);
  for (let k = 0; k < data.length; k++) data[k] = Math.max(0, rng.normal());
  const matrix = { data, samples, units };
  layerReport(matrix); // warm-up
  const runs = [0, 1, 2].map(() => measure(() => layerReport(matrix, { activation: 'relu' })));
  console.log(`layerReport [${samples} × ${units}]: ${runs.join('; ')}`);
  console.log(`  ml-matrix SVD alone, for comparison: ${measure(() => singularValues(matrix, 'svd'))}`);
}
