import { beforeAll, describe, expect, it } from 'vitest';
import { jit, valueAndGrad, numpy as np } from '@jax-js/jax';
import { Rng } from '@rlft/core';
import { initEngine } from './engine.js';
import { engineGradient, gradientError, numericalGradient } from './gradcheck.js';
import {
  argmax,
  categoricalEntropy,
  categoricalLogProb,
  categoricalLogProbHost,
  gaussianEntropy,
  gaussianEntropyHost,
  gaussianLogProb,
  gaussianLogProbHost,
  logSumExp,
  oneHot,
  sampleCategorical,
  sampleGaussian,
} from './distributions.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const tensor = (data: ArrayLike<number>, shape: number[]) => np.array(Float32Array.from(data), { shape });
const read = (x: np.Array) => Array.from(x.dataSync());
const randomValues = (rng: Rng, n: number, std = 1) => Array.from({ length: n }, () => rng.normal(0, std));

// Plain float64 references, written out from the definitions.
function softmaxRow(logits: ArrayLike<number>, offset: number, n: number): number[] {
  const row = Array.from({ length: n }, (_, i) => logits[offset + i]);
  const max = Math.max(...row);
  const exps = row.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
function gaussianLogDensity(x: number, mu: number, logStd: number): number {
  const sigma = Math.exp(logStd);
  return -0.5 * ((x - mu) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
}

describe('categorical (engine)', () => {
  const B = 5;
  const A = 4;
  const rng = Rng.fromSeed(11);
  const logits = randomValues(rng, B * A, 2);
  const actions = [0, 3, 1, 2, 3];
  const weights = randomValues(rng, B);

  const logProbReference = (l: ArrayLike<number>) => actions.map((a, b) => Math.log(softmaxRow(l, b * A, A)[a]));
  const entropyReference = (l: ArrayLike<number>) =>
    Array.from({ length: B }, (_, b) => -softmaxRow(l, b * A, A).reduce((sum, p) => sum + p * Math.log(p), 0));

  it('log-probabilities and entropies match softmax computed by hand', () => {
    const logProbs = read(categoricalLogProb(tensor(logits, [B, A]), tensor(oneHot(actions, A), [B, A])));
    logProbReference(logits).forEach((expected, b) => expect(logProbs[b]).toBeCloseTo(expected, 4));
    const entropies = read(categoricalEntropy(tensor(logits, [B, A])));
    entropyReference(logits).forEach((expected, b) => expect(entropies[b]).toBeCloseTo(expected, 4));
    // Uniform logits: entropy log A.
    expect(read(categoricalEntropy(np.zeros([1, A])))[0]).toBeCloseTo(Math.log(A), 6);
  });

  it('stay finite for huge logits', () => {
    const big = tensor([1000, 0, -1000, 999], [1, A]);
    expect(read(categoricalLogProb(big.ref, tensor([0, 0, 0, 1], [1, A])))[0]).toBeCloseTo(-Math.log1p(Math.E), 5);
    expect(Number.isFinite(read(categoricalEntropy(big))[0])).toBe(true);
  });

  it('have the gradients of central differences', () => {
    const weightedLogProb = (l: Float64Array) => logProbReference(l).reduce((sum, v, b) => sum + weights[b] * v, 0);
    const weightedEntropy = (l: Float64Array) => entropyReference(l).reduce((sum, v, b) => sum + weights[b] * v, 0);
    const w = () => tensor(weights, [B]);
    const inputs = [{ data: logits, shape: [B, A] }, { data: oneHot(actions, A), shape: [B, A] }];
    const logProbGrad = engineGradient((l, o) => np.sum(categoricalLogProb(l, o).mul(w())), inputs);
    expect(gradientError(logProbGrad, numericalGradient(weightedLogProb, logits))).toBeLessThan(1e-4);
    const entropyGrad = engineGradient((l) => np.sum(categoricalEntropy(l).mul(w())), inputs.slice(0, 1));
    expect(gradientError(entropyGrad, numericalGradient(weightedEntropy, logits))).toBeLessThan(1e-4);
  });

  it('compile inside jit with their gradient', () => {
    const objective = jit(valueAndGrad((l: np.Array, o: np.Array) => np.mean(categoricalLogProb(l.ref, o).add(categoricalEntropy(l).mul(0.01)))));
    const [value, gradient] = objective(tensor(logits, [B, A]), tensor(oneHot(actions, A), [B, A]));
    const expected = logProbReference(logits).reduce((s, v, b) => s + v + 0.01 * entropyReference(logits)[b], 0) / B;
    expect(value.item()).toBeCloseTo(expected, 5);
    expect(gradient.shape).toEqual([B, A]);
    gradient.dispose();
    objective.dispose();
  });
});

describe('ownership', () => {
  it('engine functions consume exactly the references they are given', () => {
    const logits = tensor([0.1, 2, -1, 0.5], [2, 2]);
    const actions = tensor([1, 0, 0, 1], [2, 2]);
    const logStd = tensor([0.1, -0.3], [2]);
    const outputs = [
      categoricalLogProb(logits.ref, actions.ref),
      categoricalEntropy(logits.ref),
      gaussianLogProb(logits.ref, logStd.ref, actions.ref),
      gaussianEntropy(logStd.ref, 2),
      gaussianEntropy(logStd.ref),
    ];
    for (const output of outputs) output.dispose();
    expect([logits.refCount, actions.refCount, logStd.refCount]).toEqual([1, 1, 1]);
    for (const array of [logits, actions, logStd]) array.dispose();
  });
});

describe('categorical (host)', () => {
  it('one-hot encodes actions of a Discrete space with a start', () => {
    expect(Array.from(oneHot([1, 3], 3, 1))).toEqual([1, 0, 0, 0, 0, 1]);
    const out = new Float32Array(6).fill(7);
    expect(oneHot([0, 2], 3, 0, out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(() => oneHot([3], 3)).toThrow(/action 3 at position 0 is not an integer in \[0, 2\]/);
    expect(() => oneHot([0.5], 3)).toThrow(/not an integer/);
  });

  it('sample indices with the softmax frequencies, reproducibly', () => {
    const probabilities = [0.1, 0.2, 0.3, 0.4];
    // A row in the middle of a batch buffer, shifted by a constant (softmax is shift-invariant).
    const logits = new Float32Array([9, 9, ...probabilities.map((p) => Math.log(p) + 50), 9]);
    const draw = (seed: number, count: number) => {
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: count }, () => sampleCategorical(rng, logits, 2, 4));
    };
    const draws = draw(12, 40000);
    probabilities.forEach((p, i) => expect(draws.filter((a) => a === i).length / draws.length).toBeCloseTo(p, 2));
    expect(draw(12, 50)).toEqual(draws.slice(0, 50));
    // −∞ logits (masked actions) are never drawn.
    const rng = Rng.fromSeed(13);
    const masked = new Float32Array([0, -Infinity, 0]);
    for (let i = 0; i < 200; i++) expect(sampleCategorical(rng, masked)).not.toBe(1);
    expect(() => sampleCategorical(rng, logits, 4, 4)).toThrow(/row \[4, 8\) does not fit in 7 logits/);
    expect(() => sampleCategorical(rng, new Float32Array([0, NaN]))).toThrow(/logit 1 of the row is NaN/);
    expect(() => sampleCategorical(rng, new Float32Array([-Infinity, -Infinity]))).toThrow(/at least one above −∞/);
  });

  it('pick the greedy action and agree with the engine log-probability', () => {
    const logits = new Float32Array([0.3, 2, -1, 2, 0.5, 0.1]);
    expect(argmax(logits)).toBe(1);
    expect(argmax(logits, 3, 3)).toBe(0);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 9);
    const host = categoricalLogProbHost(logits, 3, 3, 2);
    expect(host).toBeCloseTo(Math.log(softmaxRow(logits, 3, 3)[2]), 6);
    const engine = read(categoricalLogProb(tensor(logits.subarray(3), [1, 3]), tensor([0, 0, 1], [1, 3])))[0];
    expect(engine).toBeCloseTo(host, 5);
  });
});

describe('diagonal Gaussian', () => {
  const B = 4;
  const D = 3;
  const rng = Rng.fromSeed(21);
  const mean = randomValues(rng, B * D);
  const logStd = [-0.5, 0, 0.4];
  const actions = mean.map((m, i) => m + Math.exp(logStd[i % D]) * rng.normal());
  const weights = randomValues(rng, B);

  const logProbReference = (mu: ArrayLike<number>, ls: ArrayLike<number>, x: ArrayLike<number>, lsPerRow = false) =>
    Array.from({ length: B }, (_, b) => {
      let total = 0;
      for (let d = 0; d < D; d++) total += gaussianLogDensity(x[b * D + d], mu[b * D + d], ls[lsPerRow ? b * D + d : d]);
      return total;
    });
  const entropyReference = (ls: ArrayLike<number>) => Array.from(ls).reduce((sum, l) => sum + 0.5 + 0.5 * Math.log(2 * Math.PI) + l, 0);

  it('log-probabilities match the closed form, with logStd broadcast or per row', () => {
    const logProbs = read(gaussianLogProb(tensor(mean, [B, D]), tensor(logStd, [D]), tensor(actions, [B, D])));
    logProbReference(mean, logStd, actions).forEach((expected, b) => expect(logProbs[b]).toBeCloseTo(expected, 5));
    const perRow = randomValues(rng, B * D, 0.3);
    const perRowLogProbs = read(gaussianLogProb(tensor(mean, [B, D]), tensor(perRow, [B, D]), tensor(actions, [B, D])));
    logProbReference(mean, perRow, actions, true).forEach((expected, b) => expect(perRowLogProbs[b]).toBeCloseTo(expected, 5));
  });

  it('entropy is Σ(½ + ½ log 2π + log σ), as a scalar or repeated over the batch', () => {
    const scalar = gaussianEntropy(tensor(logStd, [D]));
    expect(scalar.shape).toEqual([]);
    expect(scalar.item()).toBeCloseTo(entropyReference(logStd), 5);
    const batched = read(gaussianEntropy(tensor(logStd, [D]), B));
    expect(batched).toEqual(Array(B).fill(expect.closeTo(entropyReference(logStd), 5)));
    expect(gaussianEntropyHost(logStd)).toBeCloseTo(entropyReference(logStd), 12);
  });

  it('have the gradients of central differences in mean, logStd and actions', () => {
    const inputs = [
      { data: mean, shape: [B, D] },
      { data: logStd, shape: [D] },
      { data: actions, shape: [B, D] },
    ];
    const objective = (mu: np.Array, ls: np.Array, x: np.Array) => np.sum(gaussianLogProb(mu, ls, x).mul(tensor(weights, [B])));
    const weighted = (values: number[]) => values.reduce((sum, v, b) => sum + weights[b] * v, 0);
    const references = [
      (v: Float64Array) => weighted(logProbReference(v, logStd, actions)),
      (v: Float64Array) => weighted(logProbReference(mean, v, actions)),
      (v: Float64Array) => weighted(logProbReference(mean, logStd, v)),
    ];
    references.forEach((reference, argnum) => {
      const engine = engineGradient(objective, inputs, argnum);
      expect(gradientError(engine, numericalGradient(reference, inputs[argnum].data))).toBeLessThan(1e-4);
    });
    const entropyGrad = engineGradient((ls) => np.sum(gaussianEntropy(ls, B)), [{ data: logStd, shape: [D] }]);
    expect(gradientError(entropyGrad, numericalGradient((v) => B * entropyReference(v), logStd))).toBeLessThan(1e-4);
  });

  it('samples have the requested moments, and −log p averages to the entropy', () => {
    const rows = 20000;
    const mu = new Float32Array(rows * 2).map((_, i) => (i % 2 === 0 ? 1 : -3));
    const ls = new Float32Array([Math.log(0.5), Math.log(2)]);
    const samples = sampleGaussian(Rng.fromSeed(22), mu, ls, new Float32Array(rows * 2));
    for (const [d, m, s] of [[0, 1, 0.5], [1, -3, 2]] as const) {
      const column = samples.filter((_, i) => i % 2 === d);
      const sampleMean = column.reduce((a, b) => a + b, 0) / rows;
      const sampleStd = Math.sqrt(column.reduce((a, b) => a + (b - sampleMean) ** 2, 0) / (rows - 1));
      expect(sampleMean).toBeCloseTo(m, 1);
      expect(sampleStd / s).toBeCloseTo(1, 1);
    }
    const logProbs = gaussianLogProbHost(mu, ls, samples);
    const meanNegLogProb = -logProbs.reduce((a, b) => a + b, 0) / rows;
    expect(meanNegLogProb).toBeCloseTo(gaussianEntropyHost(ls), 1);
    expect(sampleGaussian(Rng.fromSeed(22), mu.subarray(0, 4), ls, new Float32Array(4))).toEqual(samples.subarray(0, 4));
  });

  it('compile inside jit with their gradient in logStd', () => {
    const objective = jit(
      valueAndGrad((ls: np.Array, mu: np.Array, x: np.Array) => np.mean(gaussianLogProb(mu, ls.ref, x).add(gaussianEntropy(ls, B).mul(0.01)))),
    );
    const [value, gradient] = objective(tensor(logStd, [D]), tensor(mean, [B, D]), tensor(actions, [B, D]));
    const expected = logProbReference(mean, logStd, actions).reduce((s, v) => s + v, 0) / B + 0.01 * entropyReference(logStd);
    expect(value.item()).toBeCloseTo(expected, 5);
    // ∂/∂logStd_d of mean_b[Σ_d −½z² − logStd_d] + 0.01·entropy = mean_b[z_bd²] − 1 + 0.01.
    const z2 = (d: number) => Array.from({ length: B }, (_, b) => ((actions[b * D + d] - mean[b * D + d]) / Math.exp(logStd[d])) ** 2);
    read(gradient).forEach((g, d) => expect(g).toBeCloseTo(z2(d).reduce((s, v) => s + v, 0) / B - 0.99, 4));
    objective.dispose();
  });

  it('host log-probabilities agree with the engine and check their lengths', () => {
    const host = gaussianLogProbHost(mean, logStd, actions);
    const engine = read(gaussianLogProb(tensor(mean, [B, D]), tensor(logStd, [D]), tensor(actions, [B, D])));
    host.forEach((v, b) => expect(v).toBeCloseTo(engine[b], 4));
    expect(() => gaussianLogProbHost(mean, logStd, actions.slice(1))).toThrow(/actions has length 11, expected the length of mean \(12\)/);
    expect(() => sampleGaussian(Rng.fromSeed(0), mean, [0, 0, 0, 0, 0], new Float32Array(12))).toThrow(/not a multiple of the 5 action dimensions/);
  });
});
