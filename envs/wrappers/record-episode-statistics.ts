/**
 * RecordEpisodeStatistics (gymnasium/wrappers/common.py): on the step that ends an episode adds
 * `info.episode = {r: return, l: length, t: seconds since the episode began}` and keeps the last
 * `bufferLength` returns, lengths and times. Deviation: the clock is injected (seconds, default
 * `performance.now() / 1000`) because envs/ may not read wall time implicitly; the info object is
 * copied on that step rather than mutated, since an env may share one empty info object.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Wrapper } from '../core.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { expectStateObject } from '../stateful.ts';
import type { StatefulEnvPart } from '../stateful.ts';

export interface EpisodeStatistics {
  /** Undiscounted return of the episode. */
  r: number;
  /** Number of steps. */
  l: number;
  /** Seconds from reset to the final step, rounded to microseconds. */
  t: number;
}

export interface RecordEpisodeStatisticsOptions {
  /** How many recent episodes the queues keep (default 100). */
  bufferLength?: number;
  /** The info key the statistics go under (default 'episode'). */
  statsKey?: string;
  /** Returns the current time in seconds (default `performance.now() / 1000`). */
  clock?: () => number;
}

const defaultClock = (): number => performance.now() / 1000;

export class RecordEpisodeStatistics<O = unknown, A = unknown> extends Wrapper<O, A> implements StatefulEnvPart {
  readonly bufferLength: number;
  readonly statsKey: string;
  episodeCount = 0;
  episodeReturn = 0;
  episodeLength = 0;
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  readonly timeQueue: number[] = [];
  private readonly clock: () => number;
  private episodeStartTime = -1;

  constructor(env: Env<O, A>, options: RecordEpisodeStatisticsOptions = {}) {
    super(env);
    this.bufferLength = options.bufferLength ?? 100;
    if (!Number.isInteger(this.bufferLength) || this.bufferLength < 1) {
      throw new PlasticdError('invalid_argument', `RecordEpisodeStatistics bufferLength must be a positive integer, got ${String(options.bufferLength)}`);
    }
    this.statsKey = options.statsKey ?? 'episode';
    this.clock = options.clock ?? defaultClock;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.episodeStartTime = this.clock();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return result;
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength += 1;
    if (result.terminated || result.truncated) {
      if (this.statsKey in result.info) {
        throw new PlasticdError('info_key_taken', `RecordEpisodeStatistics: info already has a "${this.statsKey}" key; pass another statsKey`);
      }
      const t = Math.round((this.clock() - this.episodeStartTime) * 1e6) / 1e6;
      const stats: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t };
      result.info = { ...result.info, [this.statsKey]: stats };
      push(this.returnQueue, this.episodeReturn, this.bufferLength);
      push(this.lengthQueue, this.episodeLength, this.bufferLength);
      push(this.timeQueue, t, this.bufferLength);
      this.episodeCount += 1;
      this.episodeStartTime = this.clock();
    }
    return result;
  }

  envState(): unknown {
    return {
      episodeCount: this.episodeCount,
      episodeReturn: this.episodeReturn,
      episodeLength: this.episodeLength,
      // Time is kept as "seconds into the episode" so a restored run continues the same episode.
      secondsIntoEpisode: this.episodeStartTime < 0 ? -1 : this.clock() - this.episodeStartTime,
      returnQueue: [...this.returnQueue],
      lengthQueue: [...this.lengthQueue],
      timeQueue: [...this.timeQueue],
    };
  }

  restoreEnvState(state: unknown): void {
    const keys = ['episodeCount', 'episodeReturn', 'episodeLength', 'secondsIntoEpisode', 'returnQueue', 'lengthQueue', 'timeQueue'] as const;
    const s = expectStateObject(state, 'RecordEpisodeStatistics', keys);
    this.episodeCount = Number(s.episodeCount);
    this.episodeReturn = Number(s.episodeReturn);
    this.episodeLength = Number(s.episodeLength);
    const seconds = Number(s.secondsIntoEpisode);
    this.episodeStartTime = seconds < 0 ? -1 : this.clock() - seconds;
    for (const [queue, saved] of [
      [this.returnQueue, s.returnQueue],
      [this.lengthQueue, s.lengthQueue],
      [this.timeQueue, s.timeQueue],
    ] as const) {
      queue.length = 0;
      for (const v of (saved as number[]).slice(-this.bufferLength)) queue.push(Number(v));
    }
  }
}

function push(queue: number[], value: number, limit: number): void {
  queue.push(value);
  if (queue.length > limit) queue.shift();
}
