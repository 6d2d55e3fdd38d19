import { fileURLToPath } from 'node:url';
import type { Box, Text } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { rowAt, type ColumnRecord } from './columns.js';
import { openDataset } from './dataset.js';
import { listDatasets } from './paths.js';

// Written by fixtures/make_minari_fixture.py with h5py, the way Minari 0.5's HDF5 storage writes:
// numpy booleans (an HDF5 enum), chunked resizable datasets, UTF-8 variable-length strings,
// flattened options attributes, an infos group, Python's json.dump with bare Infinity.
const root = fileURLToPath(new URL('./fixtures/minari-written', import.meta.url));

describe('a dataset written by h5py in Minari’s layout', () => {
  it('is listed and opens with its spaces, counts and metadata', async () => {
    expect(listDatasets(root).map((d) => d.id)).toEqual(['toy/mixed-v0']);
    const dataset = await openDataset(`${root}/toy/mixed-v0`);
    expect(dataset.totalEpisodes).toBe(2);
    expect(dataset.totalSteps).toBe(5);
    expect(dataset.metadata.author).toEqual(['rlft']);
    expect(dataset.metadata.ref_min_score).toBe(-Infinity);
    expect(dataset.normalizedScore(5)).toBeUndefined();
    expect(dataset.observationSpace.toString()).toMatch(/^Dict/);
    const position = (dataset.observationSpace as unknown as { spaces: { position: Box; label: Text } }).spaces.position;
    expect(Array.from(position.low)).toEqual([-Infinity, -Infinity, -Infinity]);
    dataset.close();
  });

  it('reads every episode with the values h5py wrote', async () => {
    const dataset = await openDataset(`${root}/toy/mixed-v0`);
    const [first, second] = [...dataset.iterateEpisodes()];
    expect(first.seed).toBe(7);
    expect(first.options).toEqual({ low: -0.05, nested: { depth: 2 } });
    expect(second.seed).toBeUndefined();
    expect(second.options).toBeUndefined();
    expect(Array.from(first.terminations)).toEqual([0, 0, 1]);
    expect(Array.from(first.truncations)).toEqual([0, 0, 0]);
    expect(Array.from(second.truncations)).toEqual([0, 1]);
    expect(Array.from(first.rewards)).toEqual([1, 1.5, 2]);
    expect(Array.from(first.actions as Int32Array)).toEqual([0, 1, 0]);
    const observations = first.observations as ColumnRecord;
    expect(observations.label).toEqual(['s0-0', 's0-1', 's0-2', 's0-3']);
    expect(Array.from(observations.position as Float32Array)).toEqual([0, 0, 0, 1, -1, 0.5, 2, -2, 1, 3, -3, 1.5]);
    const step = rowAt(dataset.observationSpace, second.observations, 1) as { pair: [number, Uint8Array]; label: string };
    expect(step.label).toBe('s1-1');
    expect(step.pair[0]).toBe(2);
    expect(Array.from(step.pair[1])).toEqual([1, 0]);
    expect(dataset.observationSpace.contains(step)).toBe(true);
    expect(Array.from(first.infos?.success as ArrayLike<number>)).toEqual([0, 0, 0, 1]);
    expect(dataset.returnStats()).toEqual({ episodes: 2, min: 4.5, max: 4.5, mean: 4.5, std: 0 }) // 1 + 1.5 + 2 and 2 + 2.5;
    dataset.close();
  });
});
