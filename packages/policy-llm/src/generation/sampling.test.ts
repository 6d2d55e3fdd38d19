import { Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { checkTokenSampling, sampleToken, selectLargest, selectNucleus, TokenSampler, type TokenSampling } from './sampling.js';

const logitsOf = (probs: number[]) => Float32Array.from(probs, (p) => Math.log(p));

/** Frequencies of each token over `draws` samples with a fixed seed. */
function frequencies(logits: Float32Array, sampling: TokenSampling, draws = 20_000, seed = 7): number[] {
  const rng = Rng.fromSeed(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(logits, sampling, rng).token]++;
  return counts.map((c) => c / draws);
}

describe('sampleToken', () => {
  const probs = [0.05, 0.4, 0.1, 0.3, 0.15];
  const logits = logitsOf(probs);

  it('is greedy at temperature 0 and with topK 1, and reports the unscaled log-probability', () => {
    const rng = Rng.fromSeed(1);
    const greedy = sampleToken(logits, { temperature: 0, topK: 0, topP: 1 }, rng);
    expect(greedy.token).toBe(1);
    expect(greedy.logProb).toBeCloseTo(Math.log(0.4), 6);
    const topOne = sampleToken(logits, { temperature: 1.7, topK: 1, topP: 1 }, rng);
    expect(topOne).toEqual(greedy);
  });

  it('draws with the model probabilities at temperature 1', () => {
    frequencies(logits, { temperature: 1, topK: 0, topP: 1 }).forEach((f, i) => expect(f).toBeCloseTo(probs[i], 1.7));
  });

  it('sharpens with temperature: p^(1/T) renormalised', () => {
    const tempered = probs.map((p) => p ** 2);
    const total = tempered.reduce((a, b) => a + b);
    frequencies(logits, { temperature: 0.5, topK: 0, topP: 1 }).forEach((f, i) => expect(f).toBeCloseTo(tempered[i] / total, 1.7));
  });

  it('keeps the k most likely tokens, renormalised', () => {
    // Top 2: tokens 1 (0.4) and 3 (0.3) → 4/7 and 3/7.
    const f = frequencies(logits, { temperature: 1, topK: 2, topP: 1 });
    expect(f[0] + f[2] + f[4]).toBe(0);
    expect(f[1]).toBeCloseTo(4 / 7, 1.7);
    expect(f[3]).toBeCloseTo(3 / 7, 1.7);
  });

  it('keeps the smallest nucleus whose mass reaches topP (at least one token)', () => {
    // Sorted: 0.4, 0.3, 0.15, 0.1, 0.05. topP 0.69 → {1, 3} (0.7); 0.71 → adds token 4 (0.85).
    const exact = frequencies(logits, { temperature: 1, topK: 0, topP: 0.69 });
    expect(exact[1] + exact[3]).toBe(1);
    const more = frequencies(logits, { temperature: 1, topK: 0, topP: 0.71 });
    expect(more[4]).toBeCloseTo(0.15 / 0.85, 1.7);
    expect(more[0] + more[2]).toBe(0);
    const tiny = frequencies(logits, { temperature: 1, topK: 0, topP: 0.01 }, 100);
    expect(tiny[1]).toBe(1);
    // The logprob is still the model's: log 0.3 for token 3, whatever the warping.
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 50; i++) {
      const s = sampleToken(logits, { temperature: 0.3, topK: 2, topP: 0.9 }, rng);
      expect(s.logProb).toBeCloseTo(Math.log(probs[s.token]), 5);
    }
  });

  it('applies top-p to the top-k renormalised distribution', () => {
    // Top 3 renormalised: 0.4/0.85, 0.3/0.85, 0.15/0.85 = 0.47, 0.35, 0.18; topP 0.8 keeps {1, 3} (0.82).
    const f = frequencies(logits, { temperature: 1, topK: 3, topP: 0.8 });
    expect(f[1] + f[3]).toBe(1);
  });

  it('matches a sort-based nucleus on random logits (tempered, with light tokens dropped early)', () => {
    const rng = Rng.fromSeed(21);
    const random = Float32Array.from({ length: 40 }, () => rng.normal(0, 2));
    const sampling = { temperature: 0.9, topK: 0, topP: 0.8 };
    const tempered = Array.from(random, (l) => Math.exp(l / 0.9));
    const total = tempered.reduce((a, b) => a + b);
    const sorted = [...tempered.keys()].sort((a, b) => tempered[b] - tempered[a]);
    const nucleus: number[] = [];
    for (let mass = 0; mass < 0.8 * total; ) mass += tempered[nucleus[nucleus.push(sorted[nucleus.length]) - 1]];
    const nucleusMass = nucleus.reduce((m, id) => m + tempered[id], 0);
    const f = frequencies(random, sampling);
    f.forEach((freq, id) => expect(freq).toBeCloseTo(nucleus.includes(id) ? tempered[id] / nucleusMass : 0, 1.7));
  });

  it('keeps its scratch buffers between rows and calls', () => {
    const sampler = new TokenSampler({ temperature: 1, topK: 0, topP: 0.9 });
    const rng = Rng.fromSeed(2);
    const draws = Array.from({ length: 200 }, () => sampler.sample(logits, rng).token);
    const fresh = Rng.fromSeed(2);
    expect(draws).toEqual(Array.from({ length: 200 }, () => sampleToken(logits, sampler.sampling, fresh).token));
    // A larger vocabulary after a smaller one.
    expect(sampler.sample(logitsOf([0.1, 0.1, 0.1, 0.1, 0.1, 0.5]), rng).token).toBeLessThan(6);
  });

  it('is reproducible with a seed', () => {
    const draw = (seed: number) => {
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: 30 }, () => sampleToken(logits, { temperature: 1, topK: 0, topP: 0.95 }, rng).token);
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('rejects out-of-range options with the allowed values', () => {
    expect(() => checkTokenSampling({ temperature: -1, topK: 0, topP: 1 })).toThrow(/temperature must be ≥ 0/);
    expect(() => checkTokenSampling({ temperature: 1, topK: 1.5, topP: 0 })).toThrow(/topK must be an integer.*topP must be in \(0, 1\]/);
  });

  it('samples a 150k vocabulary in a few milliseconds', () => {
    const rng = Rng.fromSeed(0);
    const big = Float32Array.from({ length: 151_936 }, () => rng.normal(0, 3));
    const start = performance.now();
    for (let i = 0; i < 10; i++) sampleToken(big, { temperature: 0.8, topK: 50, topP: 0.9 }, rng);
    for (let i = 0; i < 10; i++) sampleToken(big, { temperature: 0.8, topK: 0, topP: 0.9 }, rng);
    expect((performance.now() - start) / 20).toBeLessThan(25);
  });
});

describe('partial selection', () => {
  it('selectLargest puts the k largest first, ties to the lower id', () => {
    const rng = Rng.fromSeed(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.integer(0, 60);
      const scores = Array.from({ length: n }, () => rng.integer(0, 9)); // many ties
      const k = 1 + rng.integer(0, n - 1);
      const ids = Int32Array.from({ length: n }, (_, i) => i);
      selectLargest(ids, n, scores, k);
      const expected = [...Array(n).keys()].sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
      expect([...ids.slice(0, k)].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    }
  });

  it('selectNucleus keeps the sorted prefix that first reaches the mass', () => {
    const rng = Rng.fromSeed(12);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.integer(0, 60);
      const weights = Float64Array.from({ length: n }, () => rng.integer(1, 20));
      const total = weights.reduce((a, b) => a + b);
      const mass = rng.random() * total;
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const kept = selectNucleus(order, weights, mass);
      const sorted = [...weights].sort((a, b) => b - a);
      let m = 0;
      for (let acc = 0; m < n && acc < mass; m++) acc += sorted[m];
      expect(kept).toBe(Math.max(1, m));
      expect([...order.slice(0, kept)].map((i) => weights[i]).sort((a, b) => b - a)).toEqual(sorted.slice(0, kept));
    }
  });
});
