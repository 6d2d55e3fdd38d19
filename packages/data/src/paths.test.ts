import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { Box, Discrete } from '@rlft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetDirectory, datasetsRoot, listDatasets } from './paths.js';
import { temporaryRoot, writeSampledDataset } from './test-helpers.js';

const { root, cleanup } = temporaryRoot();
afterAll(cleanup);

describe('dataset locations', () => {
  it('uses RLFT_DATASETS_PATH, then MINARI_DATASETS_PATH, then ~/.minari/datasets', () => {
    expect(datasetsRoot({})).toBe(join(homedir(), '.minari', 'datasets'));
    expect(datasetsRoot({ MINARI_DATASETS_PATH: '/data/minari' })).toBe('/data/minari');
    expect(datasetsRoot({ MINARI_DATASETS_PATH: '/data/minari', RLFT_DATASETS_PATH: '/data/rlft' })).toBe('/data/rlft');
  });

  it('nests namespaced ids the way Minari does', () => {
    expect(datasetDirectory('mujoco/halfcheetah/medium-v0', '/r')).toBe('/r/mujoco/halfcheetah/medium-v0');
  });

  it('lists datasets through namespace folders, reporting unreadable metadata', async () => {
    const space = new Box({ low: -1, high: 1, shape: [2] });
    await writeSampledDataset(join(root, 'mujoco', 'halfcheetah', 'medium-v0'), space, new Discrete(2), [2]);
    await writeSampledDataset(join(root, 'cartpole-v0'), space, new Discrete(2), [1, 1]);
    mkdirSync(join(root, 'broken-v0', 'data'), { recursive: true });
    writeFileSync(join(root, 'broken-v0', 'data', 'metadata.json'), '{');
    const found = listDatasets(root);
    expect(found.map((d) => d.id)).toEqual(['broken-v0', 'cartpole-v0', 'mujoco/halfcheetah/medium-v0']);
    expect(found[0].error).toMatch(/broken-v0\/data\/metadata\.json: is not valid JSON/);
    expect(found[1].metadata?.total_episodes).toBe(2);
    expect(listDatasets(join(root, 'absent'))).toEqual([]);
  });
});
