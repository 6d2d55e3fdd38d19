import { performance } from 'node:perf_hooks';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from '../wrapper.js';

/** What `info.episode` holds at the end of an episode (Gymnasium's keys). */
export interface EpisodeStatistics {
  /** Undiscounted return. */
  r: number;
  /** Length in steps. */
  l: number;
  /** Wall-clock seconds since the episode's reset, rounded to microseconds. */
  t: number;
}

export interface RecordEpisodeStatisticsOptions {
  /** How many recent episodes `returnQueue`, `lengthQueue` and `timeQueue` keep (default 100). */
  bufferLength?: number;
  /** Key of the statistics in the final step's info (default 'episode'). */
  statsKey?: string;
}

/**
 * Adds `info.episode = { r, l, t }` to the step that ends an episode, and keeps the returns,
 * lengths and durations of the most recent episodes (Gymnasium's `RecordEpisodeStatistics`).
 */
export class RecordEpisodeStatistics<Obs, Act> extends Wrapper<Obs, Act> {
  readonly bufferLength: number;
  readonly statsKey: string;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = performance.now();
  private completed = 0;
  private readonly returns: EpisodeRing;
  private readonly lengths: EpisodeRing;
  private readonly times: EpisodeRing;

  constructor(env: Env<Obs, Act>, options: RecordEpisodeStatisticsOptions = {}) {
    super(env);
    const bufferLength = options.bufferLength ?? 100;
    if (!Number.isInteger(bufferLength) || bufferLength <= 0) {
      throw new RangeError(`RecordEpisodeStatistics needs a positive integer bufferLength, got ${bufferLength}`);
    }
    this.bufferLength = bufferLength;
    this.statsKey = options.statsKey ?? 'episode';
    this.returns = new EpisodeRing(bufferLength);
    this.lengths = new EpisodeRing(bufferLength);
    this.times = new EpisodeRing(bufferLength);
  }

  /** Episodes finished since this wrapper was created. */
  get episodeCount(): number {
    return this.completed;
  }

  /** Returns of the last `bufferLength` episodes, oldest first. */
  get returnQueue(): number[] {
    return this.returns.toArray();
  }

  /** Lengths of the last `bufferLength` episodes, oldest first. */
  get lengthQueue(): number[] {
    return this.lengths.toArray();
  }

  /** Durations in seconds of the last `bufferLength` episodes, oldest first. */
  get timeQueue(): number[] {
    return this.times.toArray();
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    const result = this.env.reset(options);
    this.episodeStart = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength++;
    if (result.terminated || result.truncated) {
      if (this.statsKey in result.info) {
        throw new Error(`${this.id}: info already has a '${this.statsKey}' key; RecordEpisodeStatistics would overwrite it (pass another statsKey)`);
      }
      const seconds = Math.round((performance.now() - this.episodeStart) * 1000) / 1e6;
      const stats: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t: seconds };
      // A new info object: environments may hand out one shared (even frozen) info.
      result.info = { ...result.info, [this.statsKey]: stats };
      this.returns.push(this.episodeReturn);
      this.lengths.push(this.episodeLength);
      this.times.push(seconds);
      this.completed++;
      this.episodeStart = performance.now();
      this.episodeReturn = 0;
      this.episodeLength = 0;
    }
    return result;
  }
}

/** Fixed-capacity queue of numbers that drops the oldest when full. */
class EpisodeRing {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  toArray(): number[] {
    const capacity = this.values.length;
    const first = (this.next - this.count + capacity) % capacity;
    return Array.from({ length: this.count }, (_, i) => this.values[(first + i) % capacity]);
  }
}
