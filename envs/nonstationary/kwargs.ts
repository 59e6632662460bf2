/**
 * Turns the flat kwargs of a registered nonstationary id (`{every, seed, values, …}`, merged by
 * make() over the registered defaults) into wrapper options, with errors that name the id and the
 * key. Alternatives exclude each other (`every` / `everyAtEpisodeEnd`, `values` / `low`+`high`,
 * `parameters` / `parameter`+…): when the caller sets one, the registered default of the other
 * steps aside, so `make(id, {kwargs: {everyAtEpisodeEnd: 5000}})` just works.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import type { DriftingPhysicsOptions, PhysicsDrift } from './drifting-physics.ts';
import type { PermutedActionsOptions } from './permuted-actions.ts';
import type { PermutedObservationsOptions } from './permuted-observations.ts';
import type { RewardShiftOptions } from './reward-shift.ts';
import type { ListOrder, NonstationaryOptions, ShiftKind } from './shift.ts';

const SCHEDULE_KEYS = ['every', 'everyAtEpisodeEnd', 'seed'] as const;

/** The kwargs each kind of wrapper takes; every other kwarg goes to the base env. */
export const WRAPPER_KWARGS: Record<ShiftKind, readonly string[]> = {
  physics: [...SCHEDULE_KEYS, 'parameters', 'parameter', 'values', 'order', 'low', 'high', 'relative'],
  'observation-permutation': [...SCHEDULE_KEYS, 'flipSigns'],
  'action-permutation': [...SCHEDULE_KEYS, 'flipSigns'],
  reward: [...SCHEDULE_KEYS, 'values', 'order', 'low', 'high', 'flipProbability'],
};

const ALTERNATIVES: readonly (readonly (readonly string[])[])[] = [
  [['every'], ['everyAtEpisodeEnd']],
  [['parameters'], ['parameter', 'values', 'order', 'low', 'high', 'relative']],
  [['values', 'order'], ['low', 'high']],
];

/** Drops registered defaults that conflict with an alternative the caller chose. */
export function resolveAlternatives(kwargs: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const out = { ...kwargs };
  const fromCaller = (key: string) => out[key] !== undefined && !(Object.hasOwn(defaults, key) && out[key] === defaults[key]);
  for (const groups of ALTERNATIVES) {
    const present = groups.filter((group) => group.some((key) => out[key] !== undefined));
    if (present.length < 2) continue;
    const chosen = present.filter((group) => group.some(fromCaller));
    if (chosen.length === 0) continue;
    for (const group of present) if (!chosen.includes(group)) for (const key of group) if (!fromCaller(key)) delete out[key];
  }
  return out;
}

/** The kwargs that are not the wrapper's, for the base env. */
export function envKwargs(kind: ShiftKind, kwargs: Record<string, unknown>): Record<string, unknown> {
  const own = WRAPPER_KWARGS[kind];
  return Object.fromEntries(Object.entries(kwargs).filter(([key]) => !own.includes(key)));
}

class KwargReader {
  constructor(
    private readonly id: string,
    private readonly kwargs: Record<string, unknown>,
  ) {}

  fail(key: string, expected: string): never {
    throw new PlasticdError('invalid_env_kwargs', `${this.id}: kwarg "${key}" must be ${expected}, got ${JSON.stringify(this.kwargs[key]) ?? String(this.kwargs[key])}`);
  }

  integer(key: string, min: number): number | undefined {
    const v = this.kwargs[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(key, min > 0 ? 'a positive integer' : 'a non-negative integer');
    return v;
  }

  number(key: string): number | undefined {
    const v = this.kwargs[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a finite number');
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.kwargs[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }

  numbers(key: string): number[] | undefined {
    const v = this.kwargs[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) this.fail(key, 'a non-empty list of finite numbers');
    return v as number[];
  }

  order(key: string): ListOrder | undefined {
    const v = this.kwargs[key];
    if (v === undefined) return undefined;
    if (v !== 'cycle' && v !== 'random') this.fail(key, '"cycle" or "random"');
    return v;
  }

  string(key: string): string | undefined {
    const v = this.kwargs[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return v;
  }

  schedule(): NonstationaryOptions {
    const out: NonstationaryOptions = {};
    const every = this.integer('every', 1);
    const atEnd = this.integer('everyAtEpisodeEnd', 1);
    const seed = this.integer('seed', 0);
    if (every !== undefined) out.every = every;
    if (atEnd !== undefined) out.everyAtEpisodeEnd = atEnd;
    if (seed !== undefined) out.seed = seed;
    if ((every === undefined) === (atEnd === undefined)) {
      throw new PlasticdError('invalid_env_kwargs', `${this.id}: give exactly one of the kwargs "every" and "everyAtEpisodeEnd", got ${every === undefined ? 'neither' : 'both'}`);
    }
    return out;
  }

  drift(withRelative: boolean): PhysicsDrift {
    const spec: PhysicsDrift = {};
    const values = this.numbers('values');
    const order = this.order('order');
    const low = this.number('low');
    const high = this.number('high');
    const relative = withRelative ? this.boolean('relative') : undefined;
    if (values !== undefined) spec.values = values;
    if (order !== undefined) spec.order = order;
    if (low !== undefined) spec.low = low;
    if (high !== undefined) spec.high = high;
    if (relative !== undefined) spec.relative = relative;
    return spec;
  }
}

function checkDrift(id: string, where: string, value: unknown): PhysicsDrift {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlasticdError('invalid_env_kwargs', `${id}: ${where} must be an object like {"low": 0.25, "high": 2} or {"values": [0.5, 1]}, got ${JSON.stringify(value)}`);
  }
  const allowed = ['values', 'order', 'low', 'high', 'relative'];
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new PlasticdError('invalid_env_kwargs', `${id}: ${where} has unknown key "${unknown[0]}"; valid keys: ${allowed.join(', ')}`);
  return new KwargReader(`${id}: ${where}`, value as Record<string, unknown>).drift(true);
}

export function driftingPhysicsOptions(id: string, kwargs: Record<string, unknown>): DriftingPhysicsOptions {
  const read = new KwargReader(id, kwargs);
  const schedule = read.schedule();
  if (kwargs.parameters !== undefined) {
    const map = kwargs.parameters;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) read.fail('parameters', 'an object mapping parameter names to {values} or {low, high}');
    const flat = ['parameter', 'values', 'order', 'low', 'high', 'relative'].filter((key) => kwargs[key] !== undefined);
    if (flat.length > 0) throw new PlasticdError('invalid_env_kwargs', `${id}: kwarg "parameters" replaces "${flat[0]}"; give one or the other`);
    const parameters: Record<string, PhysicsDrift> = {};
    for (const [name, spec] of Object.entries(map as Record<string, unknown>)) parameters[name] = checkDrift(id, `kwarg "parameters.${name}"`, spec);
    return { ...schedule, parameters };
  }
  const name = read.string('parameter');
  if (name === undefined) throw new PlasticdError('invalid_env_kwargs', `${id}: give the kwarg "parameter" (with "values" or "low"/"high") or "parameters"`);
  return { ...schedule, parameters: { [name]: read.drift(true) } };
}

export function permutedObservationsOptions(id: string, kwargs: Record<string, unknown>): PermutedObservationsOptions {
  const read = new KwargReader(id, kwargs);
  const flipSigns = read.boolean('flipSigns');
  return flipSigns === undefined ? read.schedule() : { ...read.schedule(), flipSigns };
}

export function permutedActionsOptions(id: string, kwargs: Record<string, unknown>): PermutedActionsOptions {
  return permutedObservationsOptions(id, kwargs);
}

export function rewardShiftOptions(id: string, kwargs: Record<string, unknown>): RewardShiftOptions {
  const read = new KwargReader(id, kwargs);
  const options: RewardShiftOptions = { ...read.schedule(), ...read.drift(false) };
  const flipProbability = read.number('flipProbability');
  if (flipProbability !== undefined) options.flipProbability = flipProbability;
  return options;
}
