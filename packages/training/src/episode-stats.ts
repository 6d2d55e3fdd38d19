/** One finished episode, with its undiscounted (unnormalised) return. */
export interface EpisodeRecord {
  env: number;
  return: number;
  length: number;
}

/**
 * Tracks returns and lengths of N parallel episodes from the raw rewards of a vector env
 * (before any reward normalisation), and keeps a window of the most recent finished episodes
 * for "mean return of the last K episodes" (CleanRL's `charts/episodic_return`).
 */
export class EpisodeStats {
  private readonly returns: Float64Array;
  private readonly lengths: Int32Array;
  private readonly window: EpisodeRecord[] = [];
  private readonly windowSize: number;
  private pending: EpisodeRecord[] = [];
  totalEpisodes = 0;

  constructor(numEnvs: number, windowSize = 100) {
    this.returns = new Float64Array(numEnvs);
    this.lengths = new Int32Array(numEnvs);
    this.windowSize = windowSize;
  }

  /** Record one vector step; an env whose episode ended restarts its sums. */
  record(rewards: ArrayLike<number>, terminations: ArrayLike<number>, truncations: ArrayLike<number>): void {
    for (let i = 0; i < this.returns.length; i++) {
      this.returns[i] += rewards[i];
      this.lengths[i] += 1;
      if (terminations[i] || truncations[i]) {
        const episode = { env: i, return: this.returns[i], length: this.lengths[i] };
        this.pending.push(episode);
        this.window.push(episode);
        if (this.window.length > this.windowSize) this.window.shift();
        this.totalEpisodes++;
        this.returns[i] = 0;
        this.lengths[i] = 0;
      }
    }
  }

  /** Episodes finished since the last call. */
  drain(): EpisodeRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Mean return of the last `k` finished episodes (NaN before the first). */
  recentMeanReturn(k = this.windowSize): number {
    const last = this.window.slice(-k);
    return last.length ? last.reduce((s, e) => s + e.return, 0) / last.length : NaN;
  }

  recentMeanLength(k = this.windowSize): number {
    const last = this.window.slice(-k);
    return last.length ? last.reduce((s, e) => s + e.length, 0) / last.length : NaN;
  }

  /** Number of finished episodes in the window. */
  get windowCount(): number {
    return this.window.length;
  }
}
