// Hand-built StepTraces for the monitor's unit tests (no network needed).
import { TRACE_STATS } from '../../../src/nn/types.ts';
import type { LayerTrace, StepTrace, TraceStat } from '../../../src/nn/types.ts';

export type StatRows = Partial<Record<TraceStat, ArrayLike<number>>>;

export function makeLayerTrace(index: number, units: number, rows: StatRows = {}, name = `hidden${index}`): LayerTrace {
  const stats = new Float32Array(TRACE_STATS.length * units);
  const trace: LayerTrace = {
    index,
    name,
    units,
    stats,
    row: (stat) => stats.subarray(TRACE_STATS.indexOf(stat) * units, (TRACE_STATS.indexOf(stat) + 1) * units),
  };
  setRows(trace, rows);
  return trace;
}

export function setRows(trace: LayerTrace, rows: StatRows): void {
  for (const [stat, values] of Object.entries(rows) as [TraceStat, ArrayLike<number>][]) {
    if (values.length !== trace.units) throw new Error(`row ${stat} has ${values.length} values, expected ${trace.units}`);
    trace.row(stat).set(Array.from(values));
  }
}

export function makeStepTrace(step: number, layers: LayerTrace[], network = 'net'): StepTrace {
  return { network, step, batchSize: 1, loss: 0, gradNorm: 0, updateNorm: 0, layers };
}
