import type { Env } from './env.js';
import type { Policy } from './policy.js';

export interface SummaryStats {
  mean: number;
  /** Population standard deviation (numpy's default). */
  std: number;
  min: number;
  max: number;
}

export interface EvaluationOptions {
  episodes: number;
  /** Episode i is reset with seed + i (and the policy is told that seed). */
  seed: number;
  /** Called after each episode (progress display). */
  onEpisode?(episode: EpisodeResult, index: number): void;
  /** Stops between episodes when aborted (Ctrl-C); the result covers the episodes finished. */
  signal?: AbortSignal;
}

export interface EpisodeResult {
  seed: number;
  return: number;
  length: number;
  terminated: boolean;
  truncated: boolean;
}

export interface EvaluationResult {
  episodes: EpisodeResult[];
  return: SummaryStats;
  length: SummaryStats;
}

export function summarize(values: readonly number[]): SummaryStats {
  if (values.length === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / values.length), min, max };
}

/** Run `episodes` full episodes of `policy` in `env` and summarise returns and lengths. Works with async policies. */
export async function evaluatePolicy<Obs, Act>(
  env: Env<Obs, Act>,
  policy: Policy<Obs, Act>,
  options: EvaluationOptions,
): Promise<EvaluationResult> {
  if (!Number.isInteger(options.episodes) || options.episodes <= 0) {
    throw new RangeError(`episodes must be a positive integer, got ${options.episodes}`);
  }
  const episodes: EpisodeResult[] = [];
  for (let i = 0; i < options.episodes && !options.signal?.aborted; i++) {
    const seed = options.seed + i;
    const pending = policy.reset?.({ seed });
    if (pending) await pending;
    let { obs, info } = env.reset({ seed });
    let episodeReturn = 0;
    let length = 0;
    for (;;) {
      const chosen = policy.act(obs, { info, step: length });
      const action = chosen instanceof Promise ? await chosen : chosen;
      const result = env.step(action);
      episodeReturn += result.reward;
      length++;
      if (result.terminated || result.truncated) {
        episodes.push({ seed, return: episodeReturn, length, terminated: result.terminated, truncated: result.truncated });
        options.onEpisode?.(episodes[episodes.length - 1], i);
        // With a synchronous env and policy nothing above yields, so a SIGINT handler that
        // aborts the signal could never run; give the event loop a turn between episodes.
        if (options.signal) await new Promise<void>((resolve) => setImmediate(resolve));
        break;
      }
      obs = result.obs;
      info = result.info;
    }
  }
  return {
    episodes,
    return: summarize(episodes.map((e) => e.return)),
    length: summarize(episodes.map((e) => e.length)),
  };
}
