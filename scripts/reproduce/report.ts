/** Shared report plumbing for the reproduction scripts: machine description, file output, markdown tables. */
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function machineDescription(threads: number): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} logical cores (${threads} worker threads), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function writeRun(outDir: string, name: string, run: unknown): void {
  writeFile(join(outDir, 'runs', `${name}.json`), JSON.stringify(run) + '\n');
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function commandLine(script: string): string {
  const args = process.argv.slice(2).map((arg) => (/^[\w./,=:-]+$/.test(arg) ? arg : JSON.stringify(arg)));
  return ['npx tsx', script, ...args].join(' ');
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = seconds / 60;
  return minutes < 120 ? `${minutes.toFixed(1)} min` : `${(minutes / 60).toFixed(2)} h`;
}

/** The run files of a previous invocation, in name order. */
export function readRuns<R>(outDir: string): R[] {
  const dir = join(outDir, 'runs');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as R);
}

/** What --report-only keeps from the summary of the run that wrote the files (null when there is none). */
export function readPreviousSummary(outDir: string): { wallSeconds: number; command: string; machine: string } | null {
  const path = join(outDir, 'summary.json');
  if (!existsSync(path)) return null;
  const summary = JSON.parse(readFileSync(path, 'utf8')) as { wallSeconds: number; command: string; machine: string };
  return { wallSeconds: summary.wallSeconds, command: summary.command, machine: summary.machine };
}
