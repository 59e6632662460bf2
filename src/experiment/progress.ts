/**
 * Progress of an experiment: on a terminal, one cli-progress bar per running run plus an overall bar
 * with an ETA; elsewhere (CI, logs, pipes) plain lines — a line when a run starts or ends and an
 * overall line every `lineEverySeconds`. The ETA is the remaining steps over the rate measured since
 * this invocation started (steps restored from checkpoints do not count as speed).
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  /** Called once: the experiment's total steps and how many are already done (finished runs, checkpoints). */
  begin(totals: { runs: number; finishedRuns: number; steps: number; doneSteps: number }): void;
  runStarted(runId: string, steps: number, atStep: number): void;
  runProgress(runId: string, step: number): void;
  runEnded(runId: string, outcome: 'finished' | 'failed' | 'interrupted', detail?: string): void;
  /** A message that must not be overwritten by the bars. */
  log(message: string): void;
  end(): void;
}

export const silentProgress: ProgressReporter = {
  begin() {},
  runStarted() {},
  runProgress() {},
  runEnded() {},
  log() {},
  end() {},
};

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Force bars (true) or lines (false); default: bars when the stream is a TTY. */
  tty?: boolean;
  /** Seconds between overall lines in line mode. Default 30. */
  lineEverySeconds?: number;
  /** Seconds, for the rate (default performance.now). */
  clock?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Tracks overall steps and the rate; shared by both renderings. */
class Totals {
  private readonly runSteps = new Map<string, number>();
  total = 0;
  done = 0;
  runs = 0;
  finishedRuns = 0;
  private startDone = 0;
  private startedAt = 0;

  constructor(private readonly clock: () => number) {}

  begin(totals: { runs: number; finishedRuns: number; steps: number; doneSteps: number }): void {
    this.total = totals.steps;
    this.done = totals.doneSteps;
    this.startDone = totals.doneSteps;
    this.runs = totals.runs;
    this.finishedRuns = totals.finishedRuns;
    this.startedAt = this.clock();
  }

  /**
   * A run (re)starts at `atStep`: steps restored from a checkpoint count as done but not as speed. A run
   * seen before (a queued run resumed on another worker) goes back from where it was to its checkpoint.
   */
  start(runId: string, atStep: number): void {
    const previous = this.runSteps.get(runId);
    if (previous === undefined) {
      this.done += atStep;
      this.startDone += atStep;
    } else {
      this.done += atStep - previous;
    }
    this.runSteps.set(runId, atStep);
  }

  set(runId: string, step: number): void {
    this.done += step - (this.runSteps.get(runId) ?? step);
    this.runSteps.set(runId, step);
  }

  eta(): string {
    const elapsed = this.clock() - this.startedAt;
    const gained = this.done - this.startDone;
    if (gained <= 0 || elapsed <= 0) return '?';
    return formatDuration(((this.total - this.done) * elapsed) / gained);
  }

  percent(): string {
    return this.total > 0 ? ((100 * this.done) / this.total).toFixed(1) : '100.0';
  }
}

export function createProgress(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stdout;
  const tty = options.tty ?? stream.isTTY === true;
  const clock = options.clock ?? (() => performance.now() / 1000);
  return tty ? barProgress(stream, clock) : lineProgress(stream, clock, options.lineEverySeconds ?? 30);
}

function barProgress(stream: NodeJS.WriteStream, clock: () => number): ProgressReporter {
  const totals = new Totals(clock);
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      autopadding: true,
      format: ' {label} |{bar}| {percentage}% | {value}/{total} | {info}',
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let overall: cliProgress.SingleBar | null = null;
  const bars = new Map<string, cliProgress.SingleBar>();
  const overallInfo = () => `runs ${totals.finishedRuns}/${totals.runs} done, ETA ${totals.eta()}`;
  return {
    begin(values) {
      totals.begin(values);
      overall = multibar.create(values.steps, values.doneSteps, { label: 'overall'.padEnd(24), info: overallInfo() });
    },
    runStarted(runId, steps, atStep) {
      totals.start(runId, atStep);
      bars.set(runId, multibar.create(steps, atStep, { label: runId.slice(0, 24).padEnd(24), info: atStep > 0 ? 'resumed' : '' }));
    },
    runProgress(runId, step) {
      totals.set(runId, step);
      bars.get(runId)?.update(step);
      overall?.update(totals.done, { info: overallInfo() });
    },
    runEnded(runId, outcome, detail) {
      const bar = bars.get(runId);
      if (bar) {
        multibar.remove(bar);
        bars.delete(runId);
      }
      if (outcome !== 'interrupted') totals.finishedRuns++;
      overall?.update(totals.done, { info: overallInfo() });
      if (outcome !== 'finished') multibar.log(`${runId}: ${outcome}${detail ? ` (${detail})` : ''}\n`);
    },
    log(message) {
      multibar.log(`${message}\n`);
    },
    end() {
      multibar.stop();
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream, clock: () => number, everySeconds: number): ProgressReporter {
  const totals = new Totals(clock);
  let lastLine = -Infinity;
  const write = (line: string) => stream.write(`${line}\n`);
  const overallLine = () => `[experiment] ${totals.percent()}% of steps, runs ${totals.finishedRuns}/${totals.runs} done, ETA ${totals.eta()}`;
  return {
    begin(values) {
      totals.begin(values);
      lastLine = clock();
      write(overallLine());
    },
    runStarted(runId, steps, atStep) {
      totals.start(runId, atStep);
      write(`[experiment] ${runId}: ${atStep > 0 ? `resumed at step ${atStep}` : 'started'} (${steps} steps)`);
    },
    runProgress(runId, step) {
      totals.set(runId, step);
      if (clock() - lastLine >= everySeconds) {
        lastLine = clock();
        write(overallLine());
      }
    },
    runEnded(runId, outcome, detail) {
      if (outcome !== 'interrupted') totals.finishedRuns++;
      write(`[experiment] ${runId}: ${outcome}${detail ? ` (${detail})` : ''}; ${overallLine().slice('[experiment] '.length)}`);
    },
    log(message) {
      write(message);
    },
    end() {},
  };
}
