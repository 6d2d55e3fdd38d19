import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Rng, Space } from '@rlft/core';
import { rowAt } from './columns.js';
import { readOptionAttributes } from './episode-options.js';
import { episodeGroupName, episodeReturn, type EpisodeData, type InfoColumns } from './episode.js';
import { DatasetError } from './errors.js';
import { openH5ForReading, type H5Dataset, type H5File, type H5Group } from './h5.js';
import { parseMetadata, type DatasetMetadata } from './metadata.js';
import { DATA_DIR, MAIN_DATA_FILE, METADATA_FILE } from './paths.js';
import { readColumn, type ReadContext } from './space-codec.js';

/** One transition (s, a, r, s') drawn from a dataset. */
export interface Transition {
  episodeId: number;
  step: number;
  observation: unknown;
  action: unknown;
  reward: number;
  nextObservation: unknown;
  termination: boolean;
  truncation: boolean;
}

export interface ReturnStats {
  episodes: number;
  mean: number;
  /** Population standard deviation (numpy's default). */
  std: number;
  min: number;
  max: number;
}

const EPISODE_GROUP = /^episode_(\d+)$/;

/**
 * Open a Minari dataset directory (the one holding `data/`; the `data/` folder itself is
 * accepted too). Reads metadata.json and the episode index; episodes are read on demand.
 */
export async function openDataset(path: string): Promise<Dataset> {
  const dir = resolve(path);
  const dataDir = existsSync(join(dir, DATA_DIR, METADATA_FILE)) || !existsSync(join(dir, METADATA_FILE)) ? join(dir, DATA_DIR) : dir;
  const metaFile = join(dataDir, METADATA_FILE);
  if (!existsSync(metaFile)) {
    throw new DatasetError(metaFile, 'not found; a Minari dataset directory holds data/metadata.json and data/main_data.hdf5');
  }
  const { metadata, observationSpace, actionSpace } = parseMetadata(metaFile, readFileSync(metaFile, 'utf8'));
  const dataFile = join(dataDir, MAIN_DATA_FILE);
  const file = await openH5ForReading(dataFile);
  try {
    return new Dataset(dir, dataFile, file, metadata, observationSpace, actionSpace);
  } catch (error) {
    file.close();
    throw error;
  }
}

/** A Minari dataset opened for reading. Call `close()` when done. */
export class Dataset {
  /** Episode ids in ascending order. */
  readonly episodeIds: readonly number[];
  private readonly stepCounts: Int32Array;
  private readonly positions: Map<number, number>;

  constructor(
    readonly path: string,
    readonly dataFile: string,
    private readonly file: H5File,
    readonly metadata: DatasetMetadata,
    readonly observationSpace: Space,
    readonly actionSpace: Space,
  ) {
    let keys: string[];
    try {
      keys = file.keys();
    } catch (error) {
      throw new DatasetError(dataFile, `cannot list episodes (corrupt or truncated file): ${String(error)}`, { cause: error });
    }
    this.episodeIds = keys
      .map((k) => EPISODE_GROUP.exec(k))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    if (this.episodeIds.length !== metadata.total_episodes) {
      throw new DatasetError(
        dataFile,
        `holds ${this.episodeIds.length} episode groups but metadata.json says total_episodes = ${metadata.total_episodes}`,
      );
    }
    this.positions = new Map(this.episodeIds.map((id, index) => [id, index]));
    this.stepCounts = Int32Array.from(this.episodeIds, (id) => this.readStepCount(id));
    const steps = this.stepCounts.reduce((a, b) => a + b, 0);
    if (steps !== metadata.total_steps) {
      throw new DatasetError(dataFile, `episodes hold ${steps} steps but metadata.json says total_steps = ${metadata.total_steps}`);
    }
  }

  get totalEpisodes(): number {
    return this.episodeIds.length;
  }

  get totalSteps(): number {
    return this.metadata.total_steps;
  }

  /** Read one whole episode. */
  episode(id: number): EpisodeData {
    const group = this.group(id);
    try {
      return this.readEpisode(id, group);
    } catch (error) {
      if (error instanceof DatasetError) throw error;
      throw new DatasetError(this.dataFile, `cannot read /${episodeGroupName(id)} (corrupt file?): ${String(error)}`, { cause: error });
    }
  }

  private readEpisode(id: number, group: H5Group): EpisodeData {
    const where: ReadContext = { file: this.dataFile, path: `/${episodeGroupName(id)}` };
    const n = this.stepCounts[this.indexOf(id)];
    const seedAttr = group.attrs.seed?.value;
    const episode: EpisodeData = {
      id,
      totalSteps: n,
      observations: readColumn(group, 'observations', this.observationSpace, n + 1, where),
      actions: readColumn(group, 'actions', this.actionSpace, n, where),
      rewards: Float64Array.from(this.numbers(group, 'rewards', n, where)),
      terminations: Uint8Array.from(this.numbers(group, 'terminations', n, where), (v) => (v ? 1 : 0)),
      truncations: Uint8Array.from(this.numbers(group, 'truncations', n, where), (v) => (v ? 1 : 0)),
    };
    if (typeof seedAttr === 'number' || typeof seedAttr === 'bigint') episode.seed = Number(seedAttr);
    const options = readOptionAttributes(group);
    if (options !== undefined) episode.options = options;
    const infos = group.get('infos');
    if (infos && 'keys' in infos) episode.infos = readInfos(infos as H5Group);
    return episode;
  }

  /** Episodes in id order, read one at a time. */
  *iterateEpisodes(): Generator<EpisodeData> {
    for (const id of this.episodeIds) yield this.episode(id);
  }

  /** `n` distinct episodes chosen uniformly at random (without replacement, as Minari does). */
  sampleEpisodes(n: number, rng: Rng): EpisodeData[] {
    if (!Number.isInteger(n) || n < 0 || n > this.totalEpisodes) {
      throw new RangeError(`Cannot sample ${n} episodes from a dataset of ${this.totalEpisodes}; allowed 0…${this.totalEpisodes}`);
    }
    const ids = [...this.episodeIds];
    for (let i = 0; i < n; i++) {
      const j = rng.integer(i, ids.length - 1);
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    return ids.slice(0, n).map((id) => this.episode(id));
  }

  /**
   * `n` transitions drawn uniformly (with replacement) over all steps of the dataset. Each
   * episode a sample falls in is read once per call.
   */
  sampleTransitions(n: number, rng: Rng): Transition[] {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Transition count must be a non-negative integer, got ${n}`);
    const cumulative = new Float64Array(this.stepCounts.length);
    let total = 0;
    for (let i = 0; i < this.stepCounts.length; i++) cumulative[i] = total += this.stepCounts[i];
    if (n > 0 && total === 0) throw new RangeError(`Dataset ${this.metadata.dataset_id} holds no transitions to sample`);
    const cache = new Map<number, EpisodeData>();
    const out: Transition[] = [];
    for (let k = 0; k < n; k++) {
      const global = rng.integer(0, total - 1);
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > global) hi = mid;
        else lo = mid + 1;
      }
      const step = global - (lo === 0 ? 0 : cumulative[lo - 1]);
      const id = this.episodeIds[lo];
      let episode = cache.get(id);
      if (!episode) cache.set(id, (episode = this.episode(id)));
      out.push({
        episodeId: id,
        step,
        observation: rowAt(this.observationSpace, episode.observations, step),
        action: rowAt(this.actionSpace, episode.actions, step),
        reward: episode.rewards[step],
        nextObservation: rowAt(this.observationSpace, episode.observations, step + 1),
        termination: episode.terminations[step] === 1,
        truncation: episode.truncations[step] === 1,
      });
    }
    return out;
  }

  /** Statistics of the episode returns; reads only the rewards of each episode. */
  returnStats(): ReturnStats {
    let sum = 0;
    let sumSquares = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const id of this.episodeIds) {
      const where: ReadContext = { file: this.dataFile, path: `/${episodeGroupName(id)}` };
      const rewards = this.numbers(this.group(id), 'rewards', this.stepCounts[this.indexOf(id)], where);
      const value = episodeReturn({ rewards: Float64Array.from(rewards) });
      sum += value;
      sumSquares += value * value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    const episodes = this.episodeIds.length;
    const mean = episodes ? sum / episodes : NaN;
    const variance = episodes ? Math.max(0, sumSquares / episodes - mean * mean) : NaN;
    return { episodes, mean, std: Math.sqrt(variance), min: episodes ? min : NaN, max: episodes ? max : NaN };
  }

  /** D4RL's normalised score 100·(R − ref_min)/(ref_max − ref_min), or undefined without references. */
  normalizedScore(returnValue: number): number | undefined {
    const { ref_min_score: min, ref_max_score: max } = this.metadata;
    if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || max === min) {
      return undefined;
    }
    return (100 * (returnValue - min)) / (max - min);
  }

  close(): void {
    this.file.close();
  }

  private indexOf(id: number): number {
    const index = this.positions.get(id);
    if (index === undefined) {
      throw new RangeError(`Dataset ${this.metadata.dataset_id} has no episode ${id}; ids run ${this.episodeIds[0]}…${this.episodeIds.at(-1)}`);
    }
    return index;
  }

  private group(id: number): H5Group {
    this.indexOf(id);
    const group = this.file.get(episodeGroupName(id));
    if (!group || !('keys' in group)) throw new DatasetError(this.dataFile, `/${episodeGroupName(id)} is not a group`);
    return group as H5Group;
  }

  private readStepCount(id: number): number {
    const group = this.file.get(episodeGroupName(id));
    if (!group || !('keys' in group)) throw new DatasetError(this.dataFile, `/${episodeGroupName(id)} is not a group`);
    const attr = (group as H5Group).attrs.total_steps?.value;
    if (typeof attr === 'number' || typeof attr === 'bigint') return Number(attr);
    const rewards = (group as H5Group).get('rewards');
    if (rewards && 'shape' in rewards) return (rewards as H5Dataset).shape?.[0] ?? 0;
    throw new DatasetError(this.dataFile, `/${episodeGroupName(id)} has neither a total_steps attribute nor a rewards dataset`);
  }

  private numbers(group: H5Group, name: string, rows: number, where: ReadContext): ArrayLike<number> {
    const entity = group.get(name);
    if (!entity || !('shape' in entity)) throw new DatasetError(where.file, `${where.path} has no '${name}' dataset`);
    const dataset = entity as H5Dataset;
    const length = dataset.shape?.[0] ?? 0;
    if (length !== rows) throw new DatasetError(where.file, `${where.path}/${name} has ${length} rows, expected ${rows}`);
    const value = dataset.value;
    if (ArrayBuffer.isView(value) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)) {
      return value as unknown as ArrayLike<number>;
    }
    if (Array.isArray(value)) return value.map((v) => Number(v));
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<bigint>, Number);
    throw new DatasetError(where.file, `${where.path}/${name} does not hold numbers`);
  }
}

function readInfos(group: H5Group): InfoColumns {
  const out: InfoColumns = {};
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (!entity) continue;
    if ('shape' in entity) {
      const value = (entity as H5Dataset).value;
      if (value instanceof BigInt64Array || value instanceof BigUint64Array) out[key] = Float64Array.from(value, Number);
      else if (ArrayBuffer.isView(value)) out[key] = value as unknown as Float64Array;
      else if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? v : String(v))) as string[];
    } else if ('keys' in entity) {
      out[key] = readInfos(entity as H5Group);
    }
  }
  return out;
}
