/** Small helpers shared by the reproduction scripts: command-line flags, mean ± standard error, formatting. */
import { availableParallelism } from 'node:os';

/** `--name value` flags into a record (`--name` alone means 'true'). */
/**
 * `--key value`, `--key=value` and bare `--switch` flags. With `usage` (the script's synopsis), --help
 * or -h prints it and exits, and a flag the synopsis does not name is an error, so a typo such as
 * `--seed 5` fails instead of silently running the defaults.
 */
export function parseFlags(argv: string[], usage?: string): Record<string, string> {
  if (usage !== undefined && argv.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(usage);
    process.exit(0);
  }
  const known = usage === undefined ? null : new Set([...usage.matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1]));
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith('--') ? arg.slice(2).split('=', 1)[0] : null;
    if (known !== null && name !== null && !known.has(name)) {
      throw new Error(`unknown flag --${name}; this script takes ${[...known].map((flag) => `--${flag}`).join(', ')} (--help prints the usage)`);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'; flags look like --examples 1000000`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags[key] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[key] = argv[++i];
    else flags[key] = 'true';
  }
  return flags;
}

export function intFlag(flags: Record<string, string>, name: string, fallback: number, min = 1): number {
  if (flags[name] === undefined) return fallback;
  const value = Number(flags[name].replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${flags[name]}'`);
  return value;
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

export interface MeanStderr {
  mean: number;
  stderr: number;
  n: number;
}

/** Mean and standard error (sample standard deviation / √n) of `values`. */
export function meanStderr(values: number[]): MeanStderr {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, stderr: 0, n };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n), n };
}

/** Per index, mean ± standard error across runs (all arrays the same length). */
export function curveStats(curves: number[][]): { mean: number[]; lower: number[]; upper: number[] } {
  const length = Math.min(...curves.map((c) => c.length));
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let k = 0; k < length; k++) {
    const s = meanStderr(curves.map((c) => c[k]));
    mean.push(s.mean);
    lower.push(s.mean - s.stderr);
    upper.push(s.mean + s.stderr);
  }
  return { mean, lower, upper };
}

export function formatMeanStderr(s: MeanStderr, digits = 3): string {
  return `${s.mean.toFixed(digits)} ± ${s.stderr.toFixed(digits)}`;
}

/** Mean of values[from, to). */
export function rangeMean(values: number[], from: number, to: number): number {
  let sum = 0;
  for (let k = from; k < to; k++) sum += values[k];
  return sum / (to - from);
}
