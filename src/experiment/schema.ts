/**
 * The experiment file (YAML or JSON): a base AgentSpec, methods as deep-merged overrides of it, optional
 * grid axes (dotted AgentSpec paths), seeds, a step budget, named scales and what to report. `loadExperiment`
 * reads and validates the file; `resolveExperiment` (resolve.ts) turns it into the concrete runs. Every
 * error names the key path and the problem, and all of them are found before any run starts.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PlasticdError } from '../util/errors.ts';
import { LAYER_METRICS, NETWORK_METRICS, PERFORMANCE_KINDS } from './series.ts';

/** Method, scale and grid-axis names: short, lowercase, usable inside run ids and file names. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_]{0,23}$/;
const EXPERIMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9-_]{0,63}$/;

/** A report metric: 'performance', 'performance/<field>', 'network/field' or 'network/layer/field' (see series.ts windowScalar). */
export function metricProblem(metric: string): string | null {
  if (metric === 'performance') return null;
  const parts = metric.split('/');
  if (parts[0] === 'performance') {
    const fields: readonly string[] = [...PERFORMANCE_KINDS, 'episodes'];
    return parts.length === 2 && fields.includes(parts[1]) ? null : `unknown performance field in '${metric}'; expected 'performance' or performance/<${fields.join('|')}>`;
  }
  if (parts.some((part) => part.length === 0) || parts.length < 2 || parts.length > 3) {
    return `'${metric}' is not a metric; expected 'performance', 'network/field' (e.g. 'model/loss') or 'network/layer/field' (e.g. 'model/hidden0/deadRatio')`;
  }
  const field = parts[parts.length - 1];
  const known: readonly string[] = parts.length === 3 ? LAYER_METRICS : NETWORK_METRICS;
  if (!known.includes(field)) {
    return `unknown ${parts.length === 3 ? 'layer' : 'network'} metric '${field}' in '${metric}'; expected one of ${known.join(', ')}`;
  }
  return null;
}

const plainObject = z.record(z.string(), z.unknown());

const phaseSchema = z.strictObject({
  /** Column title, e.g. 'first'. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _-]{0,31}$/, 'expected 1–32 letters, digits, spaces, "-" or "_"'),
  /** The phase covers windows whose end step lies in (from, to]. */
  from: z.int().min(0),
  to: z.int().min(1),
});
export type Phase = z.infer<typeof phaseSchema>;

const reportSchema = z.strictObject({
  /** Table columns. Default: the first, middle and last tenth of the run. */
  phases: z.array(phaseSchema).min(1, 'give at least one phase').optional(),
  /** Table rows' metrics. Default ['performance']. */
  metrics: z
    .array(z.string().superRefine((metric, context) => {
      const problem = metricProblem(metric);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }))
    .min(1, 'give at least one metric')
    .default(['performance']),
});

const seedsSchema = z.union([
  z.int().min(1, 'a seed count must be at least 1').max(1000),
  z.array(z.int().min(0).max(0xffffffff)).min(1, 'give at least one seed'),
]);

const gridSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'expected a dotted AgentSpec path such as agent.optimizer.learningRate'),
  z.array(z.union([z.number(), z.string(), z.boolean()])).min(1, 'a grid axis needs at least one value'),
);

/** What a scale may override: everything but name, description and scales (deep-merged over the file). */
const scaleSchema = z.strictObject({
  base: plainObject.optional(),
  steps: z.int().min(1).optional(),
  methods: z.record(z.string(), plainObject).optional(),
  seeds: seedsSchema.optional(),
  grid: gridSchema.optional(),
  report: plainObject.optional(),
  checkpointEverySeconds: z.number().positive().optional(),
});

export const experimentFileSchema = z.strictObject({
  /** Experiment name (the default output folder's name). */
  name: z.string().regex(EXPERIMENT_NAME_PATTERN, 'expected 1–64 characters of a-z, 0-9, "-", "_"'),
  description: z.string().default(''),
  /** A partial AgentSpec every run starts from (id and seed are set per run). */
  base: plainObject,
  /** Env steps (or stream examples) per run. */
  steps: z.int().min(1),
  /** Named overrides of this file, chosen with --scale; 'default' is the file as it is. */
  scales: z.record(z.string().regex(NAME_PATTERN, 'expected a short lowercase name'), scaleSchema).default({}),
  /** Method name → overrides of base (deep merge; arrays and scalars replace). At least one. */
  methods: z
    .record(z.string().regex(NAME_PATTERN, 'expected 1–24 characters of a-z, 0-9, "_", starting with a letter or digit'), z.union([plainObject, z.null()]))
    .refine((methods) => Object.keys(methods).length > 0, 'give at least one method (e.g. methods: { bp: {} })'),
  /** A seed count n (seeds 1..n) or the list of seeds. */
  seeds: seedsSchema,
  /** Extra axes: dotted AgentSpec path → values; every combination runs for every method and seed. */
  grid: gridSchema.default({}),
  report: reportSchema.default({ metrics: ['performance'] }),
  /** Seconds between checkpoints of a running run. Default 60. */
  checkpointEverySeconds: z.number().positive().default(60),
});
export type ExperimentFile = z.output<typeof experimentFileSchema>;

/** Formats zod issues as `path: message` lines, each path prefixed with `prefix`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))]);
    return `${path || '(root)'}: ${issue.message}`;
  });
}

/** `a.b[0].c`, quoting keys that contain dots (grid axes). */
export function formatPath(parts: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (part.includes('.')) out += `["${part}"]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** Validates an experiment file's content (already parsed from YAML/JSON). */
export function parseExperimentFile(input: unknown, source = 'experiment file'): ExperimentFile {
  const result = experimentFileSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error.issues);
    throw new PlasticdError('invalid_experiment', `Invalid ${source}:\n  ${problems.join('\n  ')}`, { problems });
  }
  return result.data;
}

/** Reads a YAML or JSON experiment file (YAML is a superset of JSON) and validates it. */
export async function loadExperimentFile(path: string): Promise<{ raw: unknown; file: ExperimentFile }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PlasticdError('experiment_unreadable', `Cannot read experiment file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new PlasticdError('invalid_experiment', `${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  return { raw, file: parseExperimentFile(raw, `experiment file ${path}`) };
}
