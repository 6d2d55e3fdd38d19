import type { NumericArray } from '@rlft/core';
import type { Column } from './columns.js';

/** Per-step info values of an episode (Minari's `infos` group): arrays per key, nested records for groups. */
export type InfoColumns = { [key: string]: NumericArray | number[] | string[] | InfoColumns };

/** One episode as handed to `DatasetWriter.addEpisode`. */
export interface EpisodeInput {
  /** N+1 observations (the reset observation, then one per step): per-step values or a column. */
  observations: unknown;
  /** N actions: per-step values or a column. */
  actions: unknown;
  rewards: ArrayLike<number>;
  terminations: ArrayLike<boolean | number>;
  truncations: ArrayLike<boolean | number>;
  /** The seed passed to the first `reset`, when there was one. */
  seed?: number;
  /** Reset options, stored as Minari does: flattened `options/<key>` attributes of the episode group. */
  options?: Record<string, unknown>;
  infos?: InfoColumns;
}

/** One episode read back from a dataset; observations and actions in column form (see `rowAt`). */
export interface EpisodeData {
  id: number;
  /** Number of steps N. */
  totalSteps: number;
  seed?: number;
  options?: Record<string, unknown>;
  /** N+1 rows. */
  observations: Column;
  /** N rows. */
  actions: Column;
  rewards: Float64Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
  infos?: InfoColumns;
}

export function episodeGroupName(id: number): string {
  return `episode_${id}`;
}

/** Sum of an episode's rewards. */
export function episodeReturn(episode: Pick<EpisodeData, 'rewards'>): number {
  let total = 0;
  for (let i = 0; i < episode.rewards.length; i++) total += episode.rewards[i];
  return total;
}
