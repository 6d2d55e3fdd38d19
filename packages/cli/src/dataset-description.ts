import type { Dataset, ReturnStats } from '@rlft/data';

/** What `rlft dataset info` reports about a dataset. */
export interface DatasetDescription {
  id: string;
  path: string;
  episodes: number;
  steps: number;
  return: ReturnStats;
  observationSpace: string;
  actionSpace: string;
  env: string | null;
  algorithm: string | null;
  refMinScore: number | null;
  refMaxScore: number | null;
  /** Normalised score of the mean return, null without reference scores. */
  normalizedScore: number | null;
  sizeMB: number;
}

/** The env id inside a Minari `env_spec` (a JSON string or object), or null. */
export function envIdOf(spec: unknown): string | null {
  try {
    const parsed: unknown = typeof spec === 'string' ? JSON.parse(spec) : spec;
    return parsed && typeof parsed === 'object' && typeof (parsed as { id?: unknown }).id === 'string' ? (parsed as { id: string }).id : null;
  } catch {
    return null;
  }
}

export function describeDataset(dataset: Dataset): DatasetDescription {
  const m = dataset.metadata;
  const stats = dataset.returnStats();
  const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    id: m.dataset_id,
    path: dataset.path,
    episodes: dataset.totalEpisodes,
    steps: dataset.totalSteps,
    return: stats,
    observationSpace: dataset.observationSpace.toString(),
    actionSpace: dataset.actionSpace.toString(),
    env: envIdOf(m.env_spec),
    algorithm: m.algorithm_name ?? null,
    refMinScore: finite(m.ref_min_score),
    refMaxScore: finite(m.ref_max_score),
    normalizedScore: stats.episodes > 0 ? (dataset.normalizedScore(stats.mean) ?? null) : null,
    sizeMB: m.dataset_size,
  };
}
