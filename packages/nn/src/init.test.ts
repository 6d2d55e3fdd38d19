import { describe, expect, it } from 'vitest';
import { Rng } from '@rlft/core';
import { constant, kaimingUniformLinear, linearBiasDefault, normal, orthogonal, uniform, xavierUniform, zeros } from './init.js';

/** Gram matrix of the rows (W·Wᵀ, [rows, rows]) or of the columns (Wᵀ·W, [cols, cols]) of a row-major W. */
function gram(w: Float32Array, rows: number, cols: number, of: 'rows' | 'columns'): number[][] {
  const size = of === 'rows' ? rows : cols;
  const at = (r: number, c: number) => w[r * cols + c];
  return Array.from({ length: size }, (_, a) =>
    Array.from({ length: size }, (_, b) => {
      let dot = 0;
      if (of === 'rows') for (let k = 0; k < cols; k++) dot += at(a, k) * at(b, k);
      else for (let k = 0; k < rows; k++) dot += at(k, a) * at(k, b);
      return dot;
    }),
  );
}

function maxDeviationFromScaledIdentity(matrix: number[][], scale: number): number {
  let worst = 0;
  matrix.forEach((row, i) => row.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - (i === j ? scale : 0))))));
  return worst;
}

function moments(values: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: squares / values.length, min: Math.min(...values), max: Math.max(...values) };
}

describe('orthogonal', () => {
  it('gives orthonormal columns when fanIn ≥ fanOut (WᵀW = gain²·I)', () => {
    const gain = Math.SQRT2;
    const w = orthogonal(Rng.fromSeed(1), [64, 8], gain);
    expect(w.length).toBe(64 * 8);
    expect(maxDeviationFromScaledIdentity(gram(w, 64, 8, 'columns'), gain * gain)).toBeLessThan(1e-5);
  });

  it('gives orthonormal rows when fanIn < fanOut (WWᵀ = gain²·I)', () => {
    const w = orthogonal(Rng.fromSeed(2), [4, 64], 0.01);
    expect(maxDeviationFromScaledIdentity(gram(w, 4, 64, 'rows'), 1e-4)).toBeLessThan(1e-9);
    // The other product is a projection of rank 4, not the identity: the orientation matters.
    expect(maxDeviationFromScaledIdentity(gram(w, 4, 64, 'columns'), 1e-4)).toBeGreaterThan(1e-5);
  });

  it('is a rotation for square weights, deterministic per seed and different across seeds', () => {
    const a = orthogonal(Rng.fromSeed(3), [64, 64]);
    expect(maxDeviationFromScaledIdentity(gram(a, 64, 64, 'rows'), 1)).toBeLessThan(1e-5);
    expect(maxDeviationFromScaledIdentity(gram(a, 64, 64, 'columns'), 1)).toBeLessThan(1e-5);
    expect(orthogonal(Rng.fromSeed(3), [64, 64])).toEqual(a);
    expect(orthogonal(Rng.fromSeed(4), [64, 64])).not.toEqual(a);
  });

  it('spreads entries like a Haar-random matrix (mean 0, variance gain²/rows)', () => {
    // Each entry of a Haar-orthogonal n×n matrix has mean 0 and variance 1/n.
    const { mean, variance } = moments(orthogonal(Rng.fromSeed(5), [128, 128], 2));
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(4 / 128, 3);
  });

  it('rejects shapes that are not two positive integers', () => {
    expect(() => orthogonal(Rng.fromSeed(0), [0, 3])).toThrow(/\[fanIn, fanOut\], got \[0, 3\]/);
    expect(() => orthogonal(Rng.fromSeed(0), [2.5, 3])).toThrow(/integers/);
  });
});

describe('simple initialisers', () => {
  it('fill zeros and constants', () => {
    expect(zeros(3)).toEqual(new Float32Array(3));
    expect(constant(2, -0.5)).toEqual(new Float32Array([-0.5, -0.5]));
    expect(() => zeros(-1)).toThrow(/≥ 0/);
  });

  it('draw uniform and normal values with the requested moments, reproducibly', () => {
    const u = uniform(Rng.fromSeed(6), 20000, -2, 4);
    const um = moments(u);
    expect(um.min).toBeGreaterThanOrEqual(-2);
    expect(um.max).toBeLessThan(4);
    expect(um.mean).toBeCloseTo(1, 1);
    expect(um.variance).toBeCloseTo(36 / 12, 1);
    expect(uniform(Rng.fromSeed(6), 20000, -2, 4)).toEqual(u);
    const n = moments(normal(Rng.fromSeed(7), 20000, 0.5, 3));
    expect(n.mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(n.variance)).toBeCloseTo(0.5, 2);
    expect(() => uniform(Rng.fromSeed(0), 2, 1, 0)).toThrow(/low must be ≤ high/);
  });

  it('bound Xavier and the PyTorch Linear defaults as torch does', () => {
    const xavier = moments(xavierUniform(Rng.fromSeed(8), [30, 50], 2));
    const xavierBound = 2 * Math.sqrt(6 / 80);
    expect(xavier.max).toBeLessThan(xavierBound);
    expect(xavier.min).toBeGreaterThanOrEqual(-xavierBound);
    expect(xavier.max).toBeGreaterThan(0.95 * xavierBound);

    const kaiming = kaimingUniformLinear(Rng.fromSeed(9), [16, 200]);
    expect(kaiming.length).toBe(3200);
    const km = moments(kaiming);
    expect(km.max).toBeLessThan(0.25);
    expect(km.min).toBeGreaterThanOrEqual(-0.25);
    expect(km.max).toBeGreaterThan(0.24);
    // kaiming_uniform_(a=√5): gain √(2/6), bound gain·√(3/fanIn) = 1/√fanIn.
    expect(Math.sqrt(2 / 6) * Math.sqrt(3 / 16)).toBeCloseTo(0.25, 12);

    const bias = linearBiasDefault(Rng.fromSeed(10), 4, 300);
    expect(bias.length).toBe(300);
    expect(moments(bias).max).toBeLessThan(0.5);
    expect(moments(bias).min).toBeGreaterThanOrEqual(-0.5);
    expect(moments(bias).max).toBeGreaterThan(0.45);
  });
});
