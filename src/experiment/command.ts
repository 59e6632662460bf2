/**
 * `plasticd experiment <file> [--out dir] [--workers n] [--scale name] [--restart] [--queue url]`: resolves the file
 * (every problem reported before any run starts), runs the unfinished runs with progress output,
 * stops cleanly on SIGINT/SIGTERM (checkpoints, then says how to resume) and writes the report when
 * every run has ended. With `--queue`, the runs are trained by `plasticd worker` processes instead
 * (src/queue/experiment-queue.ts); the report is the same.
 */
import { join, resolve } from 'node:path';
import { parseRedisTarget } from '../queue/redis-target.ts';
import { runExperimentOnQueue } from '../queue/experiment-queue.ts';
import { PlasticdError } from '../util/errors.ts';
import { createProgress, formatDuration } from './progress.ts';
import { writeReport } from './report.ts';
import { resolveExperiment } from './resolve.ts';
import { runExperiment } from './runner.ts';
import { loadExperimentFile } from './schema.ts';

export interface ExperimentCommandOptions {
  file: string;
  out?: string;
  workers?: number;
  scale?: string;
  restart?: boolean;
  /** A Redis URL: the runs go to this queue, for `plasticd worker` processes to train. */
  queue?: string;
  /** Where messages go. Default process.stdout. */
  stdout?: NodeJS.WriteStream;
}

/** The command line as the report shows it: the flags that decide results, not --workers, --queue or --restart. */
export function canonicalCommand(options: ExperimentCommandOptions): string {
  const parts = ['npm run experiment --', options.file];
  if (options.out !== undefined) parts.push('--out', options.out);
  if (options.scale !== undefined && options.scale !== 'default') parts.push('--scale', options.scale);
  return parts.join(' ');
}

/** Runs the command; resolves to the exit status (0 done, 1 runs failed, 130 interrupted). */
export async function experimentCommand(options: ExperimentCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const { raw } = await loadExperimentFile(options.file);
  const { experiment, checkpointEverySeconds } = resolveExperiment(raw, { scale: options.scale, source: `experiment file ${options.file}` });
  const outDir = options.out ?? join('experiment-results', experiment.name);
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
    throw new PlasticdError('invalid_argument', `--workers must be a positive integer, got ${String(options.workers)}`);
  }
  const command = canonicalCommand(options);
  const target = options.queue !== undefined ? parseRedisTarget(options.queue) : null;
  const resumeCommand = [
    command,
    ...(options.workers !== undefined ? ['--workers', String(options.workers)] : []),
    ...(target !== null ? ['--queue', target.display] : []),
  ].join(' ');
  stdout.write(`experiment '${experiment.name}' (scale ${experiment.scale}): ${experiment.runs.length} runs of ${experiment.steps.toLocaleString('en-US')} steps → ${outDir}\n`);

  const controller = new AbortController();
  let signalledAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalledAt === null) {
      signalledAt = Date.now();
      stdout.write(`\n${signal}: checkpointing the running runs, then stopping (press Ctrl-C again to quit without checkpoints)…\n`);
      controller.abort();
    } else if (Date.now() - signalledAt >= 1000) {
      // A repeat within a second is usually the same signal relayed by npm/tsx to the process group; a later one is a user insisting.
      stdout.write(`\n${signal} again: exiting now; unfinished runs restart from their previous checkpoints.\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const common = {
      experiment,
      restart: options.restart ?? false,
      checkpointEverySeconds,
      signal: controller.signal,
      progress: createProgress({ stream: stdout }),
    };
    const result =
      target !== null
        ? await runExperimentOnQueue({ ...common, outDir: resolve(outDir), target })
        : await runExperiment({ ...common, outDir, ...(options.workers !== undefined ? { workers: options.workers } : {}) });
    if (result.status === 'interrupted' && target !== null && !controller.signal.aborted) {
      stdout.write(
        `The queue gave up on ${result.unfinished.length} runs after repeated worker errors (${result.unfinished.join(', ')}); the workers' logs say why.\n` +
          `Run the same command again to retry them:\n  ${resumeCommand}\n`,
      );
      return 1;
    }
    if (result.status === 'interrupted' && target !== null) {
      stdout.write(
        `Stopped following: ${result.finished.length + result.failed.length} of ${result.runs} runs done; the others go on on the workers.\n` +
          `Follow them again (and write the report when they end) with the same command:\n  ${resumeCommand}\n`,
      );
      return 130;
    }
    if (result.status === 'interrupted') {
      stdout.write(
        `Stopped: ${result.finished.length + result.failed.length} of ${result.runs} runs done, ${result.unfinished.length} saved at their last checkpoint.\n` +
          `Resume with the same command:\n  ${resumeCommand}\n`,
      );
      return 130;
    }
    const files = await writeReport({ experiment, outDir, command });
    stdout.write(`Done in ${formatDuration(result.seconds)}: ${result.finished.length} runs finished${result.failed.length > 0 ? `, ${result.failed.length} failed (${result.failed.join(', ')})` : ''}.\nReport: ${files.report}\n`);
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
