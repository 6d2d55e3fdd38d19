import { openDataset } from '@rlft/data';
import { shippedDataset } from '@rlft/experts';
import { describe, expect, it } from 'vitest';
import { datasetPathFor, withDatasetRanges } from './data.js';

describe('the data of a run', () => {
  it('defaults to the dataset shipped for the env, and says where one comes from otherwise', () => {
    expect(datasetPathFor(null, 'CartPole-v1')).toBe(shippedDataset('CartPole-v1')!.path);
    expect(datasetPathFor('/data/mine', 'CartPole-v1')).toBe('/data/mine');
    expect(() => datasetPathFor(null, 'Pendulum-v1')).toThrow(/shipped: CartPole-v1, HalfCheetah-v5.*--dataset PATH.*rlft dataset collect/s);
  });

  it("gives the discretised format the dataset's ranges for real values only", async () => {
    const path = shippedDataset('CartPole-v1')!.path;
    expect(await withDatasetRanges({ format: 'reference' }, path)).toEqual({ format: 'reference' });
    const given = { format: 'discretised' as const, ranges: { observation: { min: [0, 0, 0, 0], max: [1, 1, 1, 1] } } };
    expect(await withDatasetRanges(given, path)).toBe(given);
    const { ranges } = await withDatasetRanges({ format: 'discretised' }, path);
    const { observation, action } = ranges as { observation: { min: number[]; max: number[] }; action?: unknown };
    expect(action).toBeUndefined(); // CartPole's Discrete action is written as it is
    const dataset = await openDataset(path);
    const first = dataset.episode(dataset.episodeIds[0]!).observations as Float32Array;
    dataset.close();
    for (let d = 0; d < 4; d++) {
      expect(observation.min[d]).toBeLessThan(observation.max[d]!);
      expect(first[d]).toBeGreaterThanOrEqual(observation.min[d]!);
      expect(first[d]).toBeLessThanOrEqual(observation.max[d]!);
    }
  });
});
