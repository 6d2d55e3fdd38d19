import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { Box } from './box.js';

describe('Box', () => {
  it('samples inside bounded, half-bounded and unbounded dimensions', () => {
    const box = new Box({ low: [-1, 0, -Infinity, -Infinity], high: [1, Infinity, 5, Infinity] });
    const rng = Rng.fromSeed(3);
    let sawNegativeUnbounded = false;
    let sawPositiveUnbounded = false;
    for (let i = 0; i < 500; i++) {
      const x = box.sample(rng);
      expect(x).toBeInstanceOf(Float32Array);
      expect(box.contains(x)).toBe(true);
      expect(x[0]).toBeGreaterThanOrEqual(-1);
      expect(x[0]).toBeLessThanOrEqual(1);
      expect(x[1]).toBeGreaterThanOrEqual(0);
      expect(x[2]).toBeLessThanOrEqual(5);
      if (x[3] < 0) sawNegativeUnbounded = true;
      if (x[3] > 0) sawPositiveUnbounded = true;
    }
    // the unbounded dimension is normal, so both signs must show up
    expect(sawNegativeUnbounded && sawPositiveUnbounded).toBe(true);
  });

  it('samples integer dtypes from [low, high] with both ends included', () => {
    const box = new Box({ low: 0, high: 2, shape: [1], dtype: 'int32' });
    const rng = Rng.fromSeed(11);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const x = box.sample(rng);
      expect(x).toBeInstanceOf(Int32Array);
      seen.add(x[0]);
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('is deterministic under a seed, through seed() and through a passed generator', () => {
    const box = new Box({ low: -2, high: 3, shape: [2, 3] });
    const a = box.seed(5).sample();
    const b = box.seed(5).sample();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(box.sample(Rng.fromSeed(9)))).toEqual(Array.from(box.sample(Rng.fromSeed(9))));
    expect(Array.from(box.seed(6).sample())).not.toEqual(Array.from(a));
  });

  it('compares float32 boxes after rounding to float32', () => {
    const box = new Box({ low: 0, high: 0.1, shape: [1] });
    // high is stored as fround(0.1) = 0.10000000149011612
    expect(box.high[0]).toBe(Math.fround(0.1));
    expect(box.contains([0.1])).toBe(true);
    expect(box.contains([0.10000000149011612])).toBe(true);
    // rounds to the same float32 as high, so it is inside
    expect(box.contains([0.100000002])).toBe(true);
    // the next float32 above high is outside
    expect(box.contains([0.1000001])).toBe(false);
    const double = new Box({ low: 0, high: 0.1, shape: [1], dtype: 'float64' });
    expect(double.contains([0.10000000149011612])).toBe(false);
  });

  it('explains why a value is not contained', () => {
    const box = new Box({ low: [-1, -1], high: [1, 1] });
    expect(box.explainNotContained(new Float32Array([0, 0]))).toBeUndefined();
    expect(box.explainNotContained([0, NaN])).toBe('element 1 is NaN');
    expect(box.explainNotContained([0, 2])).toBe('element 1 = 2 is outside [-1, 1]');
    expect(box.explainNotContained([0])).toMatch(/expected 2 values .* got 1/);
    expect(box.explainNotContained([0, 0, 0])).toMatch(/got 3/);
    expect(box.explainNotContained('ab')).toMatch(/expected an array of 2 numbers .* got string/);
    expect(box.explainNotContained([0, '1'])).toMatch(/non-numeric object/);
    expect(box.explainNotContained(0.5)).toMatch(/got number/);
  });

  it('requires integers for integer dtypes and clamps bounds to the dtype range', () => {
    const box = new Box({ low: -5, high: 300, shape: [2], dtype: 'uint8' });
    expect(box.low[0]).toBe(0);
    expect(box.high[0]).toBe(255);
    expect(box.contains([0, 255])).toBe(true);
    expect(box.contains(new Uint8Array([7, 8]))).toBe(true);
    expect(box.explainNotContained([1.5, 2])).toBe('element 0 = 1.5 is not an integer (dtype uint8)');
    expect(box.contains([256, 0])).toBe(false);
  });

  it('keeps Gymnasium semantics for infinities in unbounded dimensions', () => {
    const box = new Box({ low: -Infinity, high: Infinity, shape: [1] });
    expect(box.contains([Infinity])).toBe(true);
    expect(box.isBounded()).toBe(false);
    expect(new Box({ low: 0, high: Infinity, shape: [1] }).contains([-Infinity])).toBe(false);
    expect(new Box({ low: -1, high: 1, shape: [3] }).isBounded()).toBe(true);
  });

  it('rejects malformed bounds with a message naming the problem', () => {
    expect(() => new Box({ low: [0, 2], high: [1, 1] })).toThrow('Box low[1] = 2 is above high[1] = 1');
    expect(() => new Box({ low: NaN, high: 1, shape: [1] })).toThrow(/NaN/);
    expect(() => new Box({ low: [0, 0, 0], high: 1, shape: [2] })).toThrow('Box low has 3 values but the shape holds 2');
    expect(() => new Box({ low: 0, high: 1 })).toThrow(/needs a shape/);
    expect(() => new Box({ low: 0, high: 1, shape: [1.5] })).toThrow(/non-negative integers/);
    expect(() => new Box({ low: 0, high: 1, shape: [1], dtype: 'int64' as 'int32' })).toThrow(/Unknown dtype 'int64'; allowed: float32/);
  });

  it('holds multi-dimensional shapes row-major and prints like Gymnasium', () => {
    const box = new Box({ low: [0, 1, 2, 3, 4, 5], high: 10, shape: [2, 3], dtype: 'float64' });
    expect(box.size).toBe(6);
    expect(box.low[4]).toBe(4);
    expect(box.toString()).toBe('Box([0.0 1.0 2.0 3.0 4.0 5.0], 10.0, (2, 3), float64)');
    expect(new Box({ low: -Infinity, high: Infinity, shape: [4] }).toString()).toBe('Box(-inf, inf, (4,), float32)');
  });

  it('clips and converts arrays to its dtype', () => {
    const box = new Box({ low: [-1, 0], high: [1, 2] });
    expect(Array.from(box.clip([-3, 5]))).toEqual([-1, 2]);
    expect(Array.from(box.clip([0.5, 1]))).toEqual([0.5, 1]);
    const ints = new Box({ low: 0, high: 100, shape: [2], dtype: 'int16' });
    const converted = ints.fromArray([3, 4]);
    expect(converted).toBeInstanceOf(Int16Array);
    expect(() => ints.fromArray([1])).toThrow(/Expected 2 values/);
  });

  it('compares structurally with equals()', () => {
    const a = new Box({ low: -1, high: 1, shape: [2] });
    expect(a.equals(new Box({ low: [-1, -1], high: [1, 1] }))).toBe(true);
    expect(a.equals(new Box({ low: -1, high: 1, shape: [2], dtype: 'float64' }))).toBe(false);
    expect(a.equals(new Box({ low: -1, high: 2, shape: [2] }))).toBe(false);
  });
});
