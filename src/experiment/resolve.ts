/**
 * Experiment file → the resolved experiment: the chosen scale merged in, the grid expanded into runs,
 * and every run's AgentSpec validated (parseAgentSpec's schema, plus the stream's option names and the
 * env id) before any run starts. Errors point at the key in the experiment file that holds the bad
 * value: `methods.cbp.monitor.resetPolicy.kind: …`, `grid["agent.optimizer.learningRate"]: …`, `base.…`.
 */
import type { z } from 'zod';
import '../../envs/index.ts';
import { registeredIds, registrationOf } from '../../envs/registration.ts';
import { streamDefaults, streamIds } from '../../envs/streams/index.ts';
import { agentSpecSchema } from '../config/agent-spec.ts';
import type { AgentSpec } from '../config/agent-spec.ts';
import { PlasticdError } from '../util/errors.ts';
import { deepMerge, expandGrid, hasPath, isPlainObject, seedList } from './grid.ts';
import type { GridValue, PlannedRun } from './grid.ts';
import { formatPath, parseExperimentFile } from './schema.ts';
import type { ExperimentFile, Phase } from './schema.ts';

export interface ResolvedRun extends Omit<PlannedRun, 'spec'> {
  /** The validated AgentSpec, defaults filled in. */
  spec: AgentSpec;
}

/** Everything that decides an experiment's results (experiment.json; compared on every start). */
export interface ResolvedExperiment {
  formatVersion: 1;
  name: string;
  description: string;
  /** 'default' or the --scale name. */
  scale: string;
  steps: number;
  seeds: number[];
  base: Record<string, unknown>;
  methods: Record<string, Record<string, unknown>>;
  grid: Record<string, GridValue[]>;
  report: { phases: Phase[]; metrics: string[] };
  runs: ResolvedRun[];
}

export interface ResolveOptions {
  /** A name under `scales`, or undefined / 'default' for the file as it is. */
  scale?: string;
  /** Names the file in messages. */
  source?: string;
}

/** The first, middle and last tenth of the run, each at least one window long (a phase holds the windows ending inside it). */
export function defaultPhases(steps: number, windowLength = 1): Phase[] {
  const width = Math.min(steps, Math.max(windowLength, Math.round(steps / 10)));
  const middleEnd = Math.min(steps, Math.max(width, Math.round(steps / 2 + width / 2)));
  return [
    { name: 'first', from: 0, to: width },
    { name: 'middle', from: middleEnd - width, to: middleEnd },
    { name: 'last', from: steps - width, to: steps },
  ];
}

/** Validates the raw file content, applies the scale, expands and validates every run. */
export function resolveExperiment(raw: unknown, options: ResolveOptions = {}): { experiment: ResolvedExperiment; checkpointEverySeconds: number } {
  const source = options.source ?? 'experiment file';
  const file = parseExperimentFile(raw, source);
  const scale = options.scale ?? 'default';
  let chosen: ExperimentFile = file;
  if (scale !== 'default') {
    const override = file.scales[scale];
    if (!override) {
      const known = ['default', ...Object.keys(file.scales)];
      throw new PlasticdError('invalid_experiment', `${source} has no scale '${scale}'; its scales are ${known.join(', ')}`);
    }
    const { scales: _scales, ...rest } = raw as Record<string, unknown>;
    const merged = deepMerge(rest, override) as Record<string, unknown>;
    // The scale's lists (seeds, phases, grid values) replace the file's; its maps merge.
    chosen = parseExperimentFile(merged, `${source} with scale '${scale}'`);
  }
  const problems: string[] = [];
  const seeds = seedList(chosen.seeds);
  if (new Set(seeds).size !== seeds.length) problems.push(`seeds: seeds must be distinct, got ${seeds.join(', ')}`);
  const windowLength = Number((chosen.base as { windowLength?: unknown }).windowLength) || 1;
  const phases = chosen.report.phases ?? defaultPhases(chosen.steps, windowLength);
  phases.forEach((phase, index) => {
    if (phase.from >= phase.to) problems.push(`report.phases[${index}]: 'from' (${phase.from}) must be below 'to' (${phase.to})`);
    if (phase.to > chosen.steps) problems.push(`report.phases[${index}]: phase '${phase.name}' ends at ${phase.to}, after the run's last step ${chosen.steps}`);
  });
  if (new Set(phases.map((phase) => phase.name)).size !== phases.length) problems.push('report.phases: phase names must be distinct');
  for (const key of ['id', 'seed']) {
    if (key in chosen.base) problems.push(`base.${key}: set per run by the experiment (run id and seed); remove it`);
  }
  const methods = Object.fromEntries(Object.entries(chosen.methods).map(([name, overrides]) => [name, overrides ?? {}]));
  let planned: PlannedRun[] = [];
  try {
    planned = expandGrid({ base: chosen.base, methods, grid: chosen.grid, seeds });
  } catch (error) {
    problems.push(`grid: ${(error as Error).message}`);
  }
  const runs: ResolvedRun[] = [];
  const seen = new Set<string>();
  for (const run of planned) {
    const note = (problem: string) => {
      if (!seen.has(problem)) problems.push(problem);
      seen.add(problem);
    };
    const parsed = agentSpecSchema.safeParse(run.spec);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) note(`${locate(issue, run, methods[run.method], chosen.grid)}: ${issue.message}`);
      continue;
    }
    for (const problem of buildProblems(parsed.data)) note(`${locateKey(problem.path, run, methods[run.method], chosen.grid)}: ${problem.message}`);
    const { spec: _spec, ...rest } = run;
    runs.push({ ...rest, spec: parsed.data });
  }
  if (problems.length > 0) {
    throw new PlasticdError('invalid_experiment', `Invalid ${source}${scale === 'default' ? '' : ` (scale '${scale}')`}:\n  ${problems.join('\n  ')}`, { problems });
  }
  return {
    experiment: {
      formatVersion: 1,
      name: chosen.name,
      description: chosen.description.trim(),
      scale,
      steps: chosen.steps,
      seeds,
      base: chosen.base,
      methods,
      grid: chosen.grid as Record<string, GridValue[]>,
      report: { phases, metrics: chosen.report.metrics },
      runs,
    },
    checkpointEverySeconds: chosen.checkpointEverySeconds,
  };
}

/** Problems the schema cannot see: unknown stream ids and options, unknown env ids. */
function buildProblems(spec: AgentSpec): Array<{ path: string[]; message: string }> {
  const problems: Array<{ path: string[]; message: string }> = [];
  if (spec.stream) {
    let defaults: Record<string, unknown> | null = null;
    try {
      defaults = streamDefaults(spec.stream.id);
    } catch {
      problems.push({ path: ['stream', 'id'], message: `unknown stream '${spec.stream.id}'; expected one of ${streamIds().join(', ')}` });
    }
    if (defaults) {
      for (const [key, value] of Object.entries(spec.stream.options)) {
        if (!(key in defaults)) problems.push({ path: ['stream', 'options', key], message: `stream '${spec.stream.id}' has no option '${key}'; it takes ${Object.keys(defaults).join(', ')}` });
        else if (typeof value !== typeof defaults[key]) problems.push({ path: ['stream', 'options', key], message: `expected a ${typeof defaults[key]}, got ${JSON.stringify(value)}` });
      }
    }
  }
  if (spec.env && !registrationOf(spec.env.id)) {
    problems.push({ path: ['env', 'id'], message: `unknown env '${spec.env.id}'; registered envs: ${registeredIds().join(', ')}` });
  }
  return problems;
}

function locate(issue: z.core.$ZodIssue, run: PlannedRun, overrides: Record<string, unknown>, grid: Record<string, unknown>): string {
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  // An unknown key is reported on its parent object; point at the key itself.
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  return locateKey(keys.length > 0 ? [...path, keys[0]] : path, run, overrides, grid, keys.length > 0);
}

/** Which part of the experiment file set the spec key at `path`: a grid axis, the method, or the base. */
function locateKey(path: ReadonlyArray<string | number>, run: PlannedRun, overrides: Record<string, unknown>, grid: Record<string, unknown>, parentOnly = false): string {
  const dotted = path.join('.');
  for (const axis of Object.keys(grid)) {
    if (dotted === axis || dotted.startsWith(`${axis}.`)) return formatPath(['grid', axis]);
  }
  const shown = parentOnly ? path.slice(0, -1) : path;
  if (path[0] === 'id' || path[0] === 'seed') return `run ${run.id}: ${formatPath(shown)}`;
  if (isPlainObject(overrides) && hasPath(overrides, path)) return formatPath(['methods', run.method, ...shown]);
  return formatPath(['base', ...shown]);
}
