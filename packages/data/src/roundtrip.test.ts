import { join } from 'node:path';
import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Text, Tuple, type Space } from '@rlft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { rowAt } from './columns.js';
import { openDataset } from './dataset.js';
import { temporaryRoot, writeSampledDataset } from './test-helpers.js';

const { root, cleanup } = temporaryRoot();
afterAll(cleanup);

/** Typed arrays compared by kind and content, everything else structurally. */
function normalise(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return { kind: value.constructor.name, values: Array.from(value as unknown as ArrayLike<number>) };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

const spaces: [string, Space][] = [
  ['Box float32', new Box({ low: -1, high: 1, shape: [3], dtype: 'float32' })],
  ['Box float64 2-D', new Box({ low: -2, high: 2, shape: [2, 3], dtype: 'float64' })],
  ['Box int32', new Box({ low: -5, high: 5, shape: [4], dtype: 'int32' })],
  ['Box uint8 image-like', new Box({ low: 0, high: 255, shape: [2, 2, 3], dtype: 'uint8' })],
  ['Discrete', new Discrete(5)],
  ['Discrete with start', new Discrete(3, { start: -1 })],
  ['MultiDiscrete', new MultiDiscrete([3, 4, 5])],
  ['MultiBinary', new MultiBinary(6)],
  ['Text', new Text(12, { minLength: 0 })],
  ['Dict', new Dict({ position: new Box({ low: -1, high: 1, shape: [2] }), mode: new Discrete(3) })],
  ['Tuple', new Tuple([new Discrete(2), new Box({ low: 0, high: 1, shape: [1], dtype: 'float64' }), new Text(5)])],
  ['nested Dict in Tuple', new Tuple([new Dict({ a: new MultiBinary(2), b: new Text(4) }), new MultiDiscrete([2, 2])])],
];

describe('round trip of every space kind', () => {
  it.each(spaces)('%s as observation and action space', async (name, space) => {
    const path = join(root, name.replace(/\W+/g, '-'));
    const written = await writeSampledDataset(path, space, space, [4, 2]);
    const dataset = await openDataset(path);
    try {
      expect(dataset.observationSpace.equals(space)).toBe(true);
      expect(dataset.actionSpace.equals(space)).toBe(true);
      for (const episode of dataset.iterateEpisodes()) {
        const n = episode.totalSteps;
        const observations = Array.from({ length: n + 1 }, (_, i) => rowAt(space, episode.observations, i));
        const actions = Array.from({ length: n }, (_, i) => rowAt(space, episode.actions, i));
        expect(normalise(observations)).toEqual(normalise(written.observations[episode.id]));
        expect(normalise(actions)).toEqual(normalise(written.actions[episode.id]));
        expect(Array.from(episode.rewards)).toEqual(Array.from(written.rewards[episode.id]));
        for (const value of observations) expect(space.contains(value)).toBe(true);
      }
    } finally {
      dataset.close();
    }
  });
});
