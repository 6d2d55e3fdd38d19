import { spaceFromJSON, type Space } from '@rlft/core';
import { DatasetError } from './errors.js';

/**
 * The content of a Minari dataset's `data/metadata.json`. Minari stores the spaces and env
 * specs as JSON *strings* inside the JSON (Python's `serialize_space` / `EnvSpec.to_json`);
 * rlft writes them the same way and reads either strings or objects.
 */
export interface DatasetMetadata {
  dataset_id: string;
  total_episodes: number;
  total_steps: number;
  data_format: 'hdf5';
  observation_space: string;
  action_space: string;
  env_spec?: string | null;
  eval_env_spec?: string | null;
  algorithm_name?: string | null;
  author?: string | string[] | null;
  author_email?: string | string[] | null;
  code_permalink?: string | null;
  minari_version: string;
  ref_min_score?: number | null;
  ref_max_score?: number | null;
  /** Size of the dataset directory in MB, one decimal, as Minari reports it. */
  dataset_size: number;
  [key: string]: unknown;
}

/** What a dataset's author supplies when finishing a dataset; counts, spaces and sizes are filled in. */
export interface DatasetInfo {
  dataset_id: string;
  /** Env spec as Gymnasium's JSON (`id`, `entry_point`, `max_episode_steps`, `kwargs`, …) or a JSON string. */
  env_spec?: Record<string, unknown> | string | null;
  eval_env_spec?: Record<string, unknown> | string | null;
  algorithm_name?: string;
  author?: string | string[];
  author_email?: string | string[];
  code_permalink?: string;
  ref_min_score?: number;
  ref_max_score?: number;
  /** Further keys copied into metadata.json as they are. */
  extra?: Record<string, unknown>;
}

/** The Minari release whose storage layout rlft writes; Minari ≥ 0.4 loads it. */
export const MINARI_VERSION = '0.5.3';

/** Minari's dataset ids: `[namespace/]name-v<version>`, namespaces separated by '/'. */
const DATASET_ID = /^(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*-v\d+$/;

export function checkDatasetId(id: string): void {
  if (!DATASET_ID.test(id)) {
    throw new TypeError(
      `Invalid dataset id '${id}': expected [namespace/]name-v<version>, e.g. 'cartpole/expert-v0' or 'mujoco/halfcheetah/medium-v0'`,
    );
  }
}

export function specToJSONString(spec: Record<string, unknown> | string | null | undefined): string | null {
  if (spec === undefined || spec === null) return null;
  return typeof spec === 'string' ? spec : JSON.stringify(spec);
}

/** Parse and check `metadata.json`; the spaces are parsed with core's `spaceFromJSON`. */
export function parseMetadata(
  file: string,
  text: string,
): { metadata: DatasetMetadata; observationSpace: Space; actionSpace: Space } {
  let raw: unknown;
  try {
    raw = parsePythonJSON(text);
  } catch (error) {
    throw new DatasetError(file, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new DatasetError(file, 'must hold a JSON object');
  const metadata = raw as DatasetMetadata;
  for (const key of ['dataset_id', 'total_episodes', 'total_steps', 'observation_space', 'action_space'] as const) {
    if (metadata[key] === undefined || metadata[key] === null) throw new DatasetError(file, `is missing '${key}'`);
  }
  if (metadata.data_format !== undefined && metadata.data_format !== 'hdf5') {
    throw new DatasetError(file, `has data_format '${String(metadata.data_format)}'; rlft reads only 'hdf5'`);
  }
  const space = (key: 'observation_space' | 'action_space'): Space => {
    try {
      return spaceFromJSON(metadata[key] as string);
    } catch (error) {
      throw new DatasetError(file, `has an unreadable ${key}: ${(error as Error).message}`, { cause: error });
    }
  };
  return { metadata, observationSpace: space('observation_space'), actionSpace: space('action_space') };
}

/** Marks a bare non-finite token while JSON.parse runs (no metadata string starts with a NUL). */
const NON_FINITE = '\u0000';
const NON_FINITE_VALUES: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

/**
 * JSON.parse that also takes the bare `Infinity`, `-Infinity` and `NaN` Python's `json.dump`
 * writes (e.g. an infinite reference score) and turns them into numbers; text inside string
 * literals (such as the serialised spaces) is left for `spaceFromJSON`.
 */
function parsePythonJSON(text: string): unknown {
  const marked = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (m, literal: string | undefined) =>
    literal ?? `"\\u0000${m}"`,
  );
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(NON_FINITE) ? NON_FINITE_VALUES[value.slice(1)] : value,
  );
}
