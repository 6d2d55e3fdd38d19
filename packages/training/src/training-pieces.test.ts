import { Box, Discrete, Dict, RunningMeanStd } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { ActionLayout } from './acting.js';
import { EpisodeStats } from './episode-stats.js';
import { buildStepBatch, paddedSize, type Episode } from './episodes.js';
import { ObservationNormalizer, RewardNormalizer } from './normalizers.js';
import { ObservationFlattener } from './observations.js';

describe('EpisodeStats', () => {
  it('sums raw rewards per env and reports finished episodes once', () => {
    const stats = new EpisodeStats(2, 3);
    stats.record([1, 2], [0, 0], [0, 0]);
    stats.record([1, 2], [1, 0], [0, 0]);
    stats.record([5, 2], [0, 0], [0, 1]);
    expect(stats.drain()).toEqual([
      { env: 0, return: 2, length: 2 },
      { env: 1, return: 6, length: 3 },
    ]);
    expect(stats.drain()).toEqual([]);
    expect(stats.recentMeanReturn()).toBe(4);
    expect(stats.totalEpisodes).toBe(2);
    stats.record([1, 1], [1, 1], [0, 0]); // env 0: 5 + 1, env 1: 1
    stats.record([7, 7], [1, 1], [0, 0]);
    expect(stats.windowCount).toBe(3); // window of 3 keeps the newest
    expect(stats.recentMeanReturn(2)).toBe(7);
  });
});

describe('ObservationNormalizer', () => {
  it('tracks the same statistics as RunningMeanStd fed the batch moments, and clips', () => {
    const normalizer = new ObservationNormalizer(2, { clip: 1.5 });
    const batch = [1, 10, 3, 30, 5, 50];
    normalizer.update(batch, 3);
    const reference = new RunningMeanStd(2);
    reference.updateFromMoments([3, 30], [8 / 3, 800 / 3], 3);
    expect(Array.from(normalizer.mean)).toEqual(Array.from(reference.mean));
    const out = normalizer.normalize(batch, 3, new Float32Array(6));
    const z = (x: number, j: number) => (x - reference.mean[j]) / Math.sqrt(reference.var[j] + 1e-8);
    expect(out[0]).toBeCloseTo(Math.max(-1.5, z(1, 0)), 5);
    expect(out[5]).toBeCloseTo(Math.min(1.5, z(50, 1)), 5);
    const restored = new ObservationNormalizer(2, { clip: 1.5 });
    restored.setState(normalizer.getState());
    expect(Array.from(restored.normalize(batch, 3, new Float32Array(6)))).toEqual(Array.from(out));
  });
});

describe('RewardNormalizer', () => {
  it('scales by the running std of discounted returns, dropping the earlier return at a termination', () => {
    const normalizer = new RewardNormalizer(2, { gamma: 0.5, clip: 100 });
    const first = new Float64Array([1, 3]);
    normalizer.normalize(first, [0, 1]);
    // returns after step 1: [1, 3]; batch mean 2, var 1, merged with the prior (mean 0, var 1, count 1e-4)
    const rms = new RunningMeanStd(1);
    rms.updateFromMoments([2], [1], 2);
    expect(first[0]).toBeCloseTo(1 / Math.sqrt(rms.var[0] + 1e-8), 6);
    const second = new Float64Array([2, 2]);
    normalizer.normalize(second, [0, 0]);
    // Gymnasium's order: a terminating step zeroes the *earlier* return, its own reward stays.
    // env 1 terminated at step 1: G = 0·0 + 3 = 3; then 0.5·3 + 2 = 3.5. env 0: 0.5·1 + 2 = 2.5.
    expect(normalizer.getState().discounted).toEqual([2.5, 3.5]);
  });
});

describe('ActionLayout', () => {
  it('stores discrete actions as indices from start and passes them through to the env', () => {
    const layout = new ActionLayout(new Discrete(3, { start: -1 }), 2);
    const stored = new Float32Array(2);
    layout.store(Int32Array.from([-1, 1]), stored, 0);
    expect(Array.from(stored)).toEqual([0, 2]);
    expect(Array.from(layout.forEnv(Int32Array.from([-1, 1])))).toEqual([-1, 1]);
  });

  it('keeps raw continuous samples but clips what the env receives', () => {
    const layout = new ActionLayout(new Box({ low: [-1, 0], high: [1, 2] }), 2);
    const raw = Float32Array.from([-3, 1, 0.5, 5]);
    const stored = new Float32Array(4);
    layout.store(raw, stored, 0);
    expect(Array.from(stored)).toEqual([-3, 1, 0.5, 5]);
    expect(Array.from(layout.forEnv(raw))).toEqual([-1, 1, 0.5, 2]);
    expect(() => new ActionLayout(new Dict({ a: new Discrete(2) }), 1)).toThrow(/Discrete and Box/);
  });
});

describe('ObservationFlattener', () => {
  it('copies float boxes and one-hot encodes discrete observations', () => {
    const box = new ObservationFlattener(new Box({ low: -1, high: 1, shape: [2] }), 2);
    expect(Array.from(box.flattenBatch(Float32Array.from([0.5, -0.5, 1, 0]), new Float32Array(4)))).toEqual([0.5, -0.5, 1, 0]);
    const discrete = new ObservationFlattener(new Discrete(3), 2);
    expect(discrete.obsDim).toBe(3);
    expect(Array.from(discrete.flattenBatch(Int32Array.from([2, 0]), new Float32Array(6)))).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe('buildStepBatch', () => {
  const episode = (length: number, action: number): Episode => ({
    obs: Float32Array.from({ length }, (_, t) => t),
    actions: new Float32Array(length).fill(action),
    logProbs: new Float32Array(length).fill(-0.5),
    rewards: new Float32Array(length).fill(1),
    length,
    return: length,
    seed: 0,
    truncated: false,
  });

  it('lays episodes out step by step, pads to a power of two with zero weights', () => {
    const batch = buildStepBatch([episode(2, 1), episode(3, 0)], {
      obsDim: 1,
      actionWidth: 2,
      discrete: true,
      advantage: (e) => (e === 0 ? 1 : -1),
      weight: (e, t) => e * 10 + t,
    });
    expect(batch.size).toBe(64);
    expect(batch.steps).toBe(5);
    expect(Array.from(batch.obs.subarray(0, 5))).toEqual([0, 1, 0, 1, 2]);
    expect(Array.from(batch.actions.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    expect(Array.from(batch.actions.subarray(4, 6))).toEqual([1, 0]);
    expect(Array.from(batch.advantages.subarray(0, 6))).toEqual([1, 1, -1, -1, -1, 0]);
    expect(Array.from(batch.weights.subarray(0, 6))).toEqual([0, 1, 10, 11, 12, 0]);
    expect(paddedSize(65)).toBe(128);
  });
});
