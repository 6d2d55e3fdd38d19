import { readFileSync, rmSync, truncateSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Box, Discrete, Rng } from '@rlft/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDataset } from './dataset.js';
import { episodeReturn } from './episode.js';
import { DatasetError } from './errors.js';
import { loadH5, type H5Group } from './h5.js';
import { listDatasets } from './paths.js';
import { temporaryRoot, writeSampledDataset } from './test-helpers.js';
import { DatasetWriter } from './writer.js';

const { root, cleanup } = temporaryRoot();
const observationSpace = new Box({ low: -1, high: 1, shape: [3] });
const actionSpace = new Discrete(4);
const lengths = [3, 1, 5, 2, 4, 6, 2, 3];
const path = join(root, 'sampled-v0');
let written: Awaited<ReturnType<typeof writeSampledDataset>>;

beforeAll(async () => {
  written = await writeSampledDataset(path, observationSpace, actionSpace, lengths, 7);
});
afterAll(cleanup);

describe('reading a dataset', () => {
  it('reports counts and iterates episodes in id order, one at a time', async () => {
    const dataset = await openDataset(path);
    expect(dataset.totalEpisodes).toBe(lengths.length);
    expect(dataset.totalSteps).toBe(lengths.reduce((a, b) => a + b, 0));
    const seen: number[] = [];
    for (const episode of dataset.iterateEpisodes()) {
      seen.push(episode.id);
      expect(episode.totalSteps).toBe(lengths[episode.id]);
      expect(episode.seed).toBe(7 + episode.id);
      expect(Array.from(episode.terminations)).toEqual(Array.from({ length: lengths[episode.id] }, (_, i) => (i === lengths[episode.id] - 1 ? 1 : 0)));
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Lazy: an episode is read only when the iteration reaches it.
    const reads = vi.spyOn(dataset, 'episode');
    const iterator = dataset.iterateEpisodes();
    expect(reads).not.toHaveBeenCalled();
    iterator.next();
    iterator.next();
    expect(reads.mock.calls).toEqual([[0], [1]]);
    reads.mockRestore();
    expect(() => dataset.episode(8)).toThrow(/no episode 8/);
    dataset.close();
  });

  it('samples episodes and transitions deterministically from a seeded generator', async () => {
    const dataset = await openDataset(path);
    const episodes = (seed: number) => dataset.sampleEpisodes(5, Rng.fromSeed(seed)).map((e) => e.id);
    expect(episodes(3)).toEqual(episodes(3));
    expect(new Set(episodes(3)).size).toBe(5);
    expect(episodes(3)).not.toEqual(episodes(4));
    expect(() => dataset.sampleEpisodes(9, Rng.fromSeed(0))).toThrow(/Cannot sample 9 episodes/);

    const transitions = (seed: number) => dataset.sampleTransitions(50, Rng.fromSeed(seed));
    const first = transitions(11);
    expect(transitions(11)).toEqual(first);
    for (const t of first) {
      const episode = written;
      expect(t.step).toBeLessThan(lengths[t.episodeId]);
      expect(t.reward).toBe(episode.rewards[t.episodeId][t.step]);
      expect(Array.from(t.observation as Float32Array)).toEqual(Array.from(episode.observations[t.episodeId][t.step] as Float32Array));
      expect(Array.from(t.nextObservation as Float32Array)).toEqual(
        Array.from(episode.observations[t.episodeId][t.step + 1] as Float32Array),
      );
      expect(t.action).toBe(episode.actions[t.episodeId][t.step]);
      expect(t.termination).toBe(t.step === lengths[t.episodeId] - 1);
    }
    // Uniform over steps: every episode is hit in 2,000 draws (the shortest holds 1 of 29 steps).
    const hit = new Set(dataset.sampleTransitions(2000, Rng.fromSeed(1)).map((t) => t.episodeId));
    expect(hit.size).toBe(lengths.length);
    dataset.close();
  });

  it('computes return statistics that match the written rewards', async () => {
    const dataset = await openDataset(path);
    const returns = written.rewards.map((r) => episodeReturn({ rewards: r }));
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
    const stats = dataset.returnStats();
    expect(stats.episodes).toBe(8);
    expect(stats.mean).toBeCloseTo(mean, 10);
    expect(stats.std).toBeCloseTo(std, 10);
    expect(stats.min).toBe(Math.min(...returns));
    expect(stats.max).toBe(Math.max(...returns));
    expect(dataset.normalizedScore(100)).toBeUndefined();
    dataset.close();
  });

  it('normalises scores with the D4RL HalfCheetah references', async () => {
    const cheetah = join(root, 'halfcheetah-v0');
    const writer = await DatasetWriter.create({ path: cheetah, observationSpace, actionSpace });
    writer.addEpisode({ observations: new Float32Array(6), actions: [0], rewards: [1], terminations: [0], truncations: [1] });
    writer.finish({ dataset_id: 'mujoco/halfcheetah/test-v0', ref_min_score: -280.18, ref_max_score: 12135.0 });
    const dataset = await openDataset(cheetah);
    // 100·(R − (−280.18))/(12,135.0 − (−280.18)): R = ref_min → 0, R = ref_max → 100,
    // R = 4,000 → 100·4,280.18/12,415.18 = 34.47538 (to 5 decimals).
    expect(dataset.normalizedScore(-280.18)).toBeCloseTo(0, 10);
    expect(dataset.normalizedScore(12135.0)).toBeCloseTo(100, 10);
    expect(dataset.normalizedScore(4000)).toBeCloseTo(34.47538, 4);
    dataset.close();
  });
});

describe('errors name the file and what is wrong', () => {
  it('a missing dataset or metadata.json', async () => {
    await expect(openDataset(join(root, 'nothing-here'))).rejects.toThrow(/nothing-here\/data\/metadata\.json: not found/);
    const copy = join(root, 'no-metadata-v0');
    await writeSampledDataset(copy, observationSpace, actionSpace, [1]);
    rmSync(join(copy, 'data', 'metadata.json'));
    await expect(openDataset(copy)).rejects.toBeInstanceOf(DatasetError);
  });

  it('a missing HDF5 file', async () => {
    const copy = join(root, 'no-hdf5-v0');
    await writeSampledDataset(copy, observationSpace, actionSpace, [1]);
    rmSync(join(copy, 'data', 'main_data.hdf5'));
    await expect(openDataset(copy)).rejects.toThrow(/main_data\.hdf5: file not found/);
  });

  it('a truncated HDF5 file and one that is not HDF5 at all', async () => {
    const copy = join(root, 'truncated-v0');
    await writeSampledDataset(copy, observationSpace, actionSpace, [3, 3, 3]);
    const file = join(copy, 'data', 'main_data.hdf5');
    const size = readFileSync(file).length;
    truncateSync(file, Math.floor(size * 0.6));
    await expect(openDataset(copy)).rejects.toThrow(
      new RegExp(`main_data\\.hdf5: truncated HDF5 file: ${Math.floor(size * 0.6)} bytes on disk, its superblock records ${size}`),
    );
    // Damage past the superblock: the library refuses it, and the message still names the file.
    writeFileSync(file, Buffer.concat([readFileSync(join(path, 'data', 'main_data.hdf5')).subarray(0, 8), Buffer.alloc(size - 8, 0xff)]));
    await expect(openDataset(copy)).rejects.toThrow(/main_data\.hdf5: cannot be opened as HDF5 \(corrupt or truncated file\)/);
    writeFileSync(file, 'this is not an HDF5 file at all');
    await expect(openDataset(copy)).rejects.toThrow(/main_data\.hdf5: not an HDF5 file/);
    truncateSync(file, 3);
    await expect(openDataset(copy)).rejects.toThrow(/main_data\.hdf5: not an HDF5 file \(only 3 bytes\)/);
  });

  it('metadata that disagrees with the file, and corrupt metadata.json', async () => {
    const copy = join(root, 'mismatch-v0');
    await writeSampledDataset(copy, observationSpace, actionSpace, [2, 2]);
    const metaFile = join(copy, 'data', 'metadata.json');
    const metadata = JSON.parse(readFileSync(metaFile, 'utf8'));
    writeFileSync(metaFile, JSON.stringify({ ...metadata, total_episodes: 3 }));
    await expect(openDataset(copy)).rejects.toThrow(/holds 2 episode groups but metadata\.json says total_episodes = 3/);
    writeFileSync(metaFile, '{"dataset_id": ');
    await expect(openDataset(copy)).rejects.toThrow(/metadata\.json: is not valid JSON/);
    writeFileSync(metaFile, JSON.stringify({ ...metadata, action_space: undefined }));
    await expect(openDataset(copy)).rejects.toThrow(/metadata\.json: is missing 'action_space'/);
  });

  it('an episode whose observations lack the N+1-th row is refused on write', async () => {
    const writer = await DatasetWriter.create({ path: join(root, 'short-v0'), observationSpace, actionSpace });
    expect(() =>
      writer.addEpisode({ observations: new Float32Array(6), actions: [0, 1], rewards: [1, 1], terminations: [0, 1], truncations: [0, 0] }),
    ).toThrow(/observations has 2 rows, expected 3 for 2 rewards/);
    expect(() =>
      writer.addEpisode({ observations: new Float32Array(9), actions: [0], rewards: [1, 1], terminations: [0, 1], truncations: [0, 0] }),
    ).toThrow(/actions has 1 rows, expected 2/);
    writer.abort();
    expect(existsSync(join(root, 'short-v0'))).toBe(false);
  });
});

describe('atomic writes', () => {
  it('leaves no complete-looking dataset while writing or after an abandoned write', async () => {
    const dir = join(root, 'atomic');
    const target = join(dir, 'pending-v0');
    const writer = await DatasetWriter.create({ path: target, observationSpace, actionSpace });
    writer.addEpisode({ observations: new Float32Array(6), actions: [1], rewards: [1], terminations: [1], truncations: [0] });
    // Mid-write (or after the process died here): the target does not exist, and the staging
    // folder is hidden and has no metadata.json.
    expect(existsSync(target)).toBe(false);
    expect(listDatasets(dir)).toEqual([]);
    const staging = readdirSync(dir);
    expect(staging).toHaveLength(1);
    expect(staging[0]).toMatch(/^\.pending-v0\..*\.writing$/);
    expect(existsSync(join(dir, staging[0], 'data', 'metadata.json'))).toBe(false);
    await expect(openDataset(join(dir, staging[0]))).rejects.toThrow(/metadata\.json: not found/);
    writer.finish({ dataset_id: 'pending-v0' });
    expect(readdirSync(dir)).toEqual(['pending-v0']);
    expect(listDatasets(dir).map((d) => d.id)).toEqual(['pending-v0']);
  });

  it('a writer process killed mid-write leaves no dataset behind', () => {
    const dir = join(root, 'killed');
    const script = `
      import { Box, Discrete } from '@rlft/core';
      import { DatasetWriter } from '@rlft/data';
      const writer = await DatasetWriter.create({ path: ${JSON.stringify(join(dir, 'killed-v0'))},
        observationSpace: new Box({ low: -1, high: 1, shape: [3] }), actionSpace: new Discrete(4) });
      for (let e = 0; e < 3; e++) writer.addEpisode({ observations: new Float32Array(9), actions: [1, 2], rewards: [1, 1], terminations: [0, 1], truncations: [0, 0] });
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(child.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'killed-v0'))).toBe(false);
    expect(listDatasets(dir)).toEqual([]);
    const left = readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.killed-v0\..*\.writing$/);
  });

  it('replaces an existing dataset only when the new one is finished', async () => {
    const target = join(root, 'replaced-v0');
    await writeSampledDataset(target, observationSpace, actionSpace, [2]);
    const writer = await DatasetWriter.create({ path: target, observationSpace, actionSpace });
    writer.addEpisode({ observations: new Float32Array(9), actions: [1, 2], rewards: [5, 5], terminations: [0, 1], truncations: [0, 0] });
    writer.addEpisode({ observations: new Float32Array(6), actions: [3], rewards: [1], terminations: [1], truncations: [0] });
    const before = await openDataset(target);
    expect(before.totalEpisodes).toBe(1);
    before.close();
    writer.finish({ dataset_id: 'replaced-v0' });
    const after = await openDataset(target);
    expect(after.totalEpisodes).toBe(2);
    expect(after.returnStats().max).toBe(10);
    after.close();
  });

  it('rejects an invalid dataset id and leaves the target absent', async () => {
    const target = join(root, 'bad-id');
    const writer = await DatasetWriter.create({ path: target, observationSpace, actionSpace });
    writer.addEpisode({ observations: new Float32Array(6), actions: [1], rewards: [1], terminations: [1], truncations: [0] });
    expect(() => writer.finish({ dataset_id: 'no version' })).toThrow(/Invalid dataset id 'no version'/);
    writer.abort();
    expect(existsSync(target)).toBe(false);
  });
});

describe('files written elsewhere', () => {
  it('an episode group missing a dataset or with too few observation rows', async () => {
    const copy = join(root, 'hand-made-v0');
    await writeSampledDataset(copy, observationSpace, actionSpace, [2]);
    const file = join(copy, 'data', 'main_data.hdf5');
    const h5 = await loadH5();
    const write = (build: (group: H5Group) => void): void => {
      rmSync(file);
      const out = new h5.File(file, 'w');
      const group = out.create_group('episode_0');
      group.create_attribute('id', 0, null, '<q');
      group.create_attribute('total_steps', 2, null, '<q');
      build(group);
      out.close();
    };
    const common = (group: H5Group): void => {
      group.create_dataset({ name: 'rewards', data: Float64Array.of(1, 1), dtype: '<d' });
      group.create_dataset({ name: 'terminations', data: Int8Array.of(0, 1), dtype: '<b' });
      group.create_dataset({ name: 'truncations', data: Int8Array.of(0, 0), dtype: '<b' });
    };
    write((group) => {
      common(group);
      group.create_dataset({ name: 'observations', data: new Float32Array(9), shape: [3, 3], dtype: '<f' });
    });
    const missing = await openDataset(copy);
    expect(() => missing.episode(0)).toThrow(/main_data\.hdf5: \/episode_0 has no 'actions'/);
    missing.close();
    write((group) => {
      common(group);
      group.create_dataset({ name: 'observations', data: new Float32Array(6), shape: [2, 3], dtype: '<f' });
      group.create_dataset({ name: 'actions', data: BigInt64Array.of(0n, 1n), dtype: '<q' });
    });
    const short = await openDataset(copy);
    expect(() => short.episode(0)).toThrow(/\/episode_0\/observations has 2 rows, expected 3/);
    short.close();
  });

  it('metadata.json as Python writes it: spaces as JSON strings with bare Infinity', async () => {
    const copy = join(root, 'python-v0');
    await writeSampledDataset(copy, observationSpace, actionSpace, [1]);
    const metaFile = join(copy, 'data', 'metadata.json');
    const metadata = JSON.parse(readFileSync(metaFile, 'utf8'));
    metadata.observation_space =
      '{"type": "Box", "dtype": "float32", "shape": [3], "low": [-Infinity, -1.0, -1.0], "high": [Infinity, 1.0, 1.0]}';
    writeFileSync(metaFile, JSON.stringify(metadata, null, 2).replace('"ref_max_score": null', '"ref_max_score": NaN'));
    const dataset = await openDataset(copy);
    const box = dataset.observationSpace as Box;
    expect(Array.from(box.low)).toEqual([-Infinity, -1, -1]);
    expect(Array.from(box.high)).toEqual([Infinity, 1, 1]);
    expect(dataset.normalizedScore(1)).toBeUndefined();
    dataset.close();
  });
});
