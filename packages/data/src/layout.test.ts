import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Box, Dict, Discrete, Text, Tuple } from '@rlft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from './dataset.js';
import { loadH5, type H5Dataset, type H5File, type H5Group } from './h5.js';
import { temporaryRoot } from './test-helpers.js';
import { DatasetWriter } from './writer.js';

const { root, cleanup } = temporaryRoot();
const path = join(root, 'cartpole', 'layout-v0');
const observationSpace = new Dict({
  position: new Box({ low: -1, high: 1, shape: [2], dtype: 'float32' }),
  pair: new Tuple([new Discrete(4), new Text(8)]),
});
const actionSpace = new Discrete(2);
let file: H5File;

beforeAll(async () => {
  const writer = await DatasetWriter.create({ path, observationSpace, actionSpace });
  writer.addEpisode({
    observations: {
      position: Float32Array.of(0, 0, 0.5, -0.5, 1, 1),
      pair: [
        [1, 'a'],
        [2, 'bb'],
        [3, 'ccc'],
      ],
    },
    actions: [0, 1],
    rewards: [1, 2],
    terminations: [false, true],
    truncations: [false, false],
    seed: 42,
    options: { low: -0.1, steps: 3, name: 'start', flag: true, range: [1, 2.5], nested: { depth: 2 } },
    infos: { success: Float64Array.of(0, 0, 1) },
  });
  writer.addEpisode({
    observations: { position: new Float32Array(4), pair: [[0, ''], [0, 'x']] },
    actions: Int32Array.of(1),
    rewards: [0.5],
    terminations: [false],
    truncations: [true],
  });
  writer.finish({
    dataset_id: 'cartpole/layout-v0',
    env_spec: { id: 'CartPole-v1', entry_point: 'rlft:CartPole', max_episode_steps: 500, kwargs: {} },
    algorithm_name: 'hand-written',
    author: 'rlft tests',
    author_email: 'tests@example.org',
    code_permalink: 'https://example.org/rlft',
    ref_min_score: 0,
    ref_max_score: 500,
  });
  const h5 = await loadH5();
  file = new h5.File(join(path, 'data', 'main_data.hdf5'), 'r');
});
afterAll(() => {
  file?.close();
  cleanup();
});

function dataset(p: string): H5Dataset {
  const entity = file.get(p);
  expect(entity, p).toBeTruthy();
  return entity as H5Dataset;
}

describe('a written dataset has the Minari layout', () => {
  it('keeps data/main_data.hdf5 and data/metadata.json in the dataset directory, nothing else', () => {
    expect(readdirSync(path)).toEqual(['data']);
    expect(readdirSync(join(path, 'data')).sort()).toEqual(['main_data.hdf5', 'metadata.json']);
    expect(readdirSync(join(root, 'cartpole'))).toEqual(['layout-v0']);
  });

  it('has one group per episode with id, total_steps, seed and flattened options/… attributes', () => {
    expect(file.keys().sort()).toEqual(['episode_0', 'episode_1']);
    const first = file.get('episode_0') as H5Group;
    expect(first.keys().sort()).toEqual(['actions', 'infos', 'observations', 'rewards', 'terminations', 'truncations']);
    expect(first.attrs.id.value).toBe(0n);
    expect(first.attrs.total_steps.value).toBe(2n);
    expect(first.attrs.seed.value).toBe(42n);
    expect(first.attrs['options/low'].value).toBe(-0.1);
    expect(first.attrs['options/low'].dtype).toBe('<d');
    expect(first.attrs['options/steps'].value).toBe(3n);
    expect(first.attrs['options/name'].value).toBe('start');
    expect(first.attrs['options/flag'].value).toBe(1);
    expect(Array.from(first.attrs['options/range'].value as Float64Array)).toEqual([1, 2.5]);
    expect(first.attrs['options/nested/depth'].value).toBe(2n);
    const second = file.get('episode_1') as H5Group;
    expect(second.attrs.total_steps.value).toBe(1n);
    expect(Object.keys(second.attrs).sort()).toEqual(['id', 'total_steps']);
  });

  it('stores Dict observations as a subgroup per key and Tuple members as _index_i, N+1 rows', () => {
    expect((file.get('episode_0/observations') as H5Group).keys().sort()).toEqual(['pair', 'position']);
    expect((file.get('episode_0/observations/pair') as H5Group).keys().sort()).toEqual(['_index_0', '_index_1']);
    const position = dataset('episode_0/observations/position');
    expect(position.shape).toEqual([3, 2]);
    expect(position.dtype).toBe('<f');
    const discrete = dataset('episode_0/observations/pair/_index_0');
    expect(discrete.shape).toEqual([3]);
    expect(discrete.dtype).toBe('<q');
    const text = dataset('episode_0/observations/pair/_index_1');
    expect(text.metadata.vlen).toBe(true);
    expect(text.value).toEqual(['a', 'bb', 'ccc']);
  });

  it('stores actions as int64, rewards as float64 and the end flags as 8-bit integers, N rows each', () => {
    expect(dataset('episode_0/actions').dtype).toBe('<q');
    expect(dataset('episode_0/actions').shape).toEqual([2]);
    expect(dataset('episode_0/rewards').dtype).toBe('<d');
    expect(Array.from(dataset('episode_0/rewards').value as Float64Array)).toEqual([1, 2]);
    expect(Array.from(dataset('episode_0/terminations').value as Int8Array)).toEqual([0, 1]);
    expect(Array.from(dataset('episode_1/truncations').value as Int8Array)).toEqual([1]);
    expect(dataset('episode_1/truncations').metadata.size).toBe(1);
  });

  it('reads options back as the record that was written', async () => {
    const dataset = await openDataset(path);
    expect(dataset.episode(0).options).toEqual({ low: -0.1, steps: 3, name: 'start', flag: 1, range: [1, 2.5], nested: { depth: 2 } });
    expect(dataset.episode(1).options).toBeUndefined();
    expect(dataset.episode(0).infos).toEqual({ success: Float64Array.of(0, 0, 1) });
    dataset.close();
  });

  it('writes metadata.json with Minari keys, spaces and env spec as JSON strings', () => {
    const metadata = JSON.parse(readFileSync(join(path, 'data', 'metadata.json'), 'utf8')) as Record<string, unknown>;
    for (const key of [
      'dataset_id', 'total_episodes', 'total_steps', 'data_format', 'observation_space', 'action_space', 'env_spec',
      'algorithm_name', 'author', 'author_email', 'code_permalink', 'minari_version', 'ref_min_score', 'ref_max_score', 'dataset_size',
    ]) {
      expect(metadata, key).toHaveProperty(key);
    }
    expect(metadata).toMatchObject({ dataset_id: 'cartpole/layout-v0', total_episodes: 2, total_steps: 3, data_format: 'hdf5' });
    expect(JSON.parse(metadata.action_space as string)).toEqual({ type: 'Discrete', dtype: 'int64', n: 2, start: 0 });
    expect(JSON.parse(metadata.observation_space as string).type).toBe('Dict');
    expect(JSON.parse(metadata.env_spec as string)).toMatchObject({ id: 'CartPole-v1', max_episode_steps: 500 });
    expect(typeof metadata.dataset_size).toBe('number');
    expect(existsSync(join(path, 'data', 'metadata.json'))).toBe(true);
  });
});
