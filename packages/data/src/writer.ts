import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { replaceDirectoryAtomic, writeFileAtomic, type NumericArray, type Space } from '@rlft/core';
import { columnRows, toColumn } from './columns.js';
import { writeOptionAttributes } from './episode-options.js';
import { episodeGroupName, type EpisodeInput, type InfoColumns } from './episode.js';
import { loadH5, type H5File, type H5Group } from './h5.js';
import { checkDatasetId, MINARI_VERSION, specToJSONString, type DatasetInfo, type DatasetMetadata } from './metadata.js';
import { DATA_DIR, MAIN_DATA_FILE, METADATA_FILE } from './paths.js';
import { writeColumn } from './space-codec.js';

export interface DatasetWriterOptions {
  /** Final dataset directory (it will hold `data/main_data.hdf5` and `data/metadata.json`). */
  path: string;
  observationSpace: Space;
  actionSpace: Space;
}

/**
 * Writes a Minari dataset episode by episode. Everything goes to a hidden staging directory
 * next to the target; `finish` writes metadata.json and renames the result into place, so an
 * interrupted write never leaves a directory that looks like a complete dataset.
 */
export class DatasetWriter {
  readonly path: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  private readonly staging: string;
  private file: H5File | undefined;
  private episodes = 0;
  private steps = 0;

  private constructor(options: DatasetWriterOptions, staging: string, file: H5File) {
    this.path = options.path;
    this.observationSpace = options.observationSpace;
    this.actionSpace = options.actionSpace;
    this.staging = staging;
    this.file = file;
  }

  static async create(options: DatasetWriterOptions): Promise<DatasetWriter> {
    const h5 = await loadH5();
    const target = resolve(options.path);
    const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.writing`);
    mkdirSync(join(staging, DATA_DIR), { recursive: true });
    const file = new h5.File(join(staging, DATA_DIR, MAIN_DATA_FILE), 'w');
    if (!file.file_id || file.file_id < 0n) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`Cannot create an HDF5 file in ${staging}`);
    }
    return new DatasetWriter({ ...options, path: target }, staging, file);
  }

  get totalEpisodes(): number {
    return this.episodes;
  }

  get totalSteps(): number {
    return this.steps;
  }

  /** Append an episode; returns its id (0, 1, …). */
  addEpisode(episode: EpisodeInput): number {
    const file = this.openFile();
    const n = episode.rewards.length;
    if (n < 1) throw new RangeError('An episode needs at least one step (rewards is empty)');
    const observations = toColumn(this.observationSpace, episode.observations, 'observations');
    const actions = toColumn(this.actionSpace, episode.actions, 'actions');
    const lengths: [string, number, number][] = [
      ['observations', columnRows(this.observationSpace, observations), n + 1],
      ['actions', columnRows(this.actionSpace, actions), n],
      ['terminations', episode.terminations.length, n],
      ['truncations', episode.truncations.length, n],
    ];
    for (const [name, actual, expected] of lengths) {
      if (actual !== expected) {
        throw new RangeError(`Episode ${this.episodes}: ${name} has ${actual} rows, expected ${expected} for ${n} rewards (observations hold N+1 rows, the rest N)`);
      }
    }
    const id = this.episodes;
    const group = file.create_group(episodeGroupName(id));
    group.create_attribute('id', id, null, '<q');
    group.create_attribute('total_steps', n, null, '<q');
    if (episode.seed !== undefined) group.create_attribute('seed', episode.seed, null, '<q');
    if (episode.options !== undefined) writeOptionAttributes(group, episode.options);
    writeColumn(group, 'observations', this.observationSpace, observations, n + 1);
    writeColumn(group, 'actions', this.actionSpace, actions, n);
    group.create_dataset({ name: 'rewards', data: Float64Array.from(episode.rewards), shape: [n], dtype: '<d' });
    group.create_dataset({ name: 'terminations', data: toFlags(episode.terminations), shape: [n], dtype: '<b' });
    group.create_dataset({ name: 'truncations', data: toFlags(episode.truncations), shape: [n], dtype: '<b' });
    if (episode.infos !== undefined) writeInfos(group.create_group('infos'), episode.infos);
    this.episodes += 1;
    this.steps += n;
    return id;
  }

  /** Write metadata.json and move the dataset into place (replacing an older one atomically). */
  finish(info: DatasetInfo): DatasetMetadata {
    checkDatasetId(info.dataset_id);
    const file = this.openFile();
    file.close();
    this.file = undefined;
    try {
      const dataFile = join(this.staging, DATA_DIR, MAIN_DATA_FILE);
      const metadata: DatasetMetadata = {
        ...info.extra,
        dataset_id: info.dataset_id,
        total_episodes: this.episodes,
        total_steps: this.steps,
        data_format: 'hdf5',
        observation_space: JSON.stringify(this.observationSpace.toJSON()),
        action_space: JSON.stringify(this.actionSpace.toJSON()),
        env_spec: specToJSONString(info.env_spec),
        algorithm_name: info.algorithm_name ?? null,
        author: info.author ?? null,
        author_email: info.author_email ?? null,
        code_permalink: info.code_permalink ?? null,
        minari_version: MINARI_VERSION,
        ref_min_score: info.ref_min_score ?? null,
        ref_max_score: info.ref_max_score ?? null,
        dataset_size: Math.round(statSync(dataFile).size / 1e5) / 10,
      };
      if (info.eval_env_spec !== undefined) metadata.eval_env_spec = specToJSONString(info.eval_env_spec);
      writeFileAtomic(join(this.staging, DATA_DIR, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
      replaceDirectoryAtomic(this.path, (temporary) => renameSync(join(this.staging, DATA_DIR), join(temporary, DATA_DIR)));
      return metadata;
    } finally {
      rmSync(this.staging, { recursive: true, force: true });
    }
  }

  /** Drop everything written so far; the target directory is left untouched. */
  abort(): void {
    this.file?.close();
    this.file = undefined;
    rmSync(this.staging, { recursive: true, force: true });
  }

  private openFile(): H5File {
    if (!this.file) throw new Error(`DatasetWriter for ${this.path} is already finished or aborted`);
    return this.file;
  }
}

function toFlags(values: ArrayLike<boolean | number>): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  return out;
}

function writeInfos(group: H5Group, infos: InfoColumns): void {
  for (const [key, value] of Object.entries(infos)) {
    if (ArrayBuffer.isView(value)) {
      group.create_dataset({ name: key, data: value as NumericArray });
    } else if (Array.isArray(value)) {
      if (value.every((v) => typeof v === 'string')) group.create_dataset({ name: key, data: value as string[], dtype: 'S' });
      else group.create_dataset({ name: key, data: Float64Array.from(value as number[]), dtype: '<d' });
    } else {
      writeInfos(group.create_group(key), value);
    }
  }
}
