import { Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { splitEpisodes } from './demonstrations.js';

describe('splitEpisodes', () => {
  const ids = Array.from({ length: 20 }, (_, i) => i);

  it('holds out whole episodes, disjoint and covering, the same for the same seed', () => {
    const a = splitEpisodes(ids, 0.25, Rng.fromSeed(7));
    expect(a.validation).toHaveLength(5);
    expect([...a.train, ...a.validation].sort((x, y) => x - y)).toEqual(ids);
    expect(splitEpisodes(ids, 0.25, Rng.fromSeed(7))).toEqual(a);
    expect(splitEpisodes(ids, 0.25, Rng.fromSeed(8)).validation).not.toEqual(a.validation);
  });

  it('keeps at least one episode on each side, and none held out at fraction 0', () => {
    expect(splitEpisodes([3, 4], 0.01, Rng.fromSeed(0)).validation).toHaveLength(1);
    expect(splitEpisodes([3, 4], 0.9, Rng.fromSeed(0)).train).toHaveLength(1);
    expect(splitEpisodes([3], 0, Rng.fromSeed(0))).toEqual({ train: [3], validation: [] });
    expect(() => splitEpisodes([3], 0.1, Rng.fromSeed(0))).toThrow('validation_fraction 0.1 needs at least 2 episodes in the dataset (it holds 1); set validation_fraction: 0');
  });
});
