/**
 * Grid expansion: methods × grid-axis combinations × seeds → runs, each with a stable id
 * (`cbp-seed3`, `cbp-lr0.003-seed3`) and its AgentSpec input (base deep-merged with the method's
 * overrides, then the axis values set at their dotted paths, then id and seed). Order is stable:
 * methods in file order, axes in file order with values in file order, seeds last.
 */
import { PlasticdError } from '../util/errors.ts';

export type GridValue = number | string | boolean;

export interface PlannedRun {
  /** Directory name and label: `<method>[-<axis><value>…]-seed<seed>`. */
  id: string;
  /** The AgentSpec id (the run id with characters an agent id refuses replaced by '_'). */
  agentId: string;
  method: string;
  /** The method plus grid values without the seed (`cbp-lr0.003`): one table row. */
  variant: string;
  seed: number;
  /** Axis path → value of this run. */
  grid: Record<string, GridValue>;
  /** The AgentSpec input (not yet validated). */
  spec: Record<string, unknown>;
}

/** Short names for common axes; any other axis uses its last path segment. */
const AXIS_SHORT_NAMES: Record<string, string> = {
  learningRate: 'lr',
  replacementRate: 'rho',
  maturityThreshold: 'm',
  decay: 'eta',
  weightDecay: 'wd',
  batchSize: 'batch',
  threshold: 'tau',
  noiseStd: 'sigma',
  hiddenUnits: 'width',
};

export function axisShortName(path: string): string {
  const last = path.split('.').pop()!;
  return AXIS_SHORT_NAMES[last] ?? last.toLowerCase();
}

function formatValue(value: GridValue): string {
  if (typeof value === 'number') return String(value).replace('+', '');
  return String(value).toLowerCase().replace(/[^a-z0-9.]+/g, '_');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Deep merge: objects merge key by key; arrays, scalars and null in `override` replace. Inputs are not modified. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(override)) out[key] = key in out ? deepMerge(out[key], value) : structuredClone(value);
  return out;
}

/** Sets `value` at a dotted path, creating objects on the way (replacing non-objects). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** Whether `path` (a list of keys) is present in `object`. */
export function hasPath(object: unknown, path: ReadonlyArray<string | number>): boolean {
  let node = object;
  for (const part of path) {
    if (!isPlainObject(node) && !Array.isArray(node)) return false;
    if (!(String(part) in (node as Record<string, unknown>))) return false;
    node = (node as Record<string, unknown>)[String(part)];
  }
  return true;
}

/** Every combination of the axes' values, in file order (the last axis varies fastest). */
export function gridCombinations(grid: Record<string, readonly GridValue[]>): Array<Record<string, GridValue>> {
  let combos: Array<Record<string, GridValue>> = [{}];
  for (const [axis, values] of Object.entries(grid)) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [axis]: value })));
  }
  return combos;
}

export interface GridInput {
  base: Record<string, unknown>;
  methods: Record<string, Record<string, unknown> | null>;
  grid: Record<string, readonly GridValue[]>;
  seeds: readonly number[];
}

/** The runs of an experiment, in a stable order; throws if two runs would share an id. */
export function expandGrid(input: GridInput): PlannedRun[] {
  const runs: PlannedRun[] = [];
  const combos = gridCombinations(input.grid);
  for (const [method, overrides] of Object.entries(input.methods)) {
    const methodSpec = deepMerge(input.base, overrides ?? {}) as Record<string, unknown>;
    for (const combo of combos) {
      const variant = [method, ...Object.entries(combo).map(([axis, value]) => `${axisShortName(axis)}${formatValue(value)}`)].join('-');
      for (const seed of input.seeds) {
        const spec = structuredClone(methodSpec);
        for (const [axis, value] of Object.entries(combo)) setPath(spec, axis, value);
        const id = `${variant}-seed${seed}`;
        const agentId = id.replace(/[^a-z0-9-_]/g, '_').slice(0, 63);
        spec.id = agentId;
        spec.seed = seed;
        runs.push({ id, agentId, method, variant, seed, grid: { ...combo }, spec });
      }
    }
  }
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.agentId)) throw new PlasticdError('invalid_experiment', `two runs would share the id '${run.agentId}'; give the grid values or methods distinct names`);
    seen.add(run.agentId);
  }
  return runs;
}

/** A seed count n means seeds 1..n. */
export function seedList(seeds: number | readonly number[]): number[] {
  return typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => i + 1) : [...seeds];
}
