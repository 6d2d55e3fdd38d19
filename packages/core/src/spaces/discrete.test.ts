import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { Discrete } from './discrete.js';
import { MultiBinary } from './multi-binary.js';
import { MultiDiscrete } from './multi-discrete.js';

function counts(draw: () => number, times: number): Map<number, number> {
  const seen = new Map<number, number>();
  for (let i = 0; i < times; i++) {
    const v = draw();
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  return seen;
}

describe('Discrete', () => {
  it('samples every value in [start, start + n) and nothing else', () => {
    const space = new Discrete(3, { start: -1 });
    const rng = Rng.fromSeed(0);
    const seen = counts(() => space.sample(rng), 600);
    expect([...seen.keys()].sort()).toEqual([-1, 0, 1]);
    // uniform: each of the three values about 200 times
    for (const c of seen.values()) expect(c).toBeGreaterThan(150);
  });

  it('is deterministic under a seed', () => {
    const space = new Discrete(100);
    const a = Array.from({ length: 10 }, () => space.sample(Rng.fromSeed(4)));
    expect(new Set(a).size).toBe(1);
    space.seed(8);
    const first = Array.from({ length: 10 }, () => space.sample());
    space.seed(8);
    expect(Array.from({ length: 10 }, () => space.sample())).toEqual(first);
  });

  it('samples only where the mask allows, and start when nothing is allowed', () => {
    const space = new Discrete(4, { start: 10 });
    const rng = Rng.fromSeed(1);
    const seen = counts(() => space.sample(rng, [0, 1, 0, 1]), 200);
    expect([...seen.keys()].sort()).toEqual([11, 13]);
    expect(space.sample(rng, new Int8Array(4))).toBe(10);
    expect(() => space.sample(rng, [1, 1])).toThrow('Action mask has 2 entries, expected 4');
  });

  it('contains only integers in range', () => {
    const space = new Discrete(2, { start: 1 });
    expect(space.contains(1)).toBe(true);
    expect(space.contains(2)).toBe(true);
    expect(space.contains(0)).toBe(false);
    expect(space.contains(3)).toBe(false);
    expect(space.contains(1.5)).toBe(false);
    expect(space.contains(NaN)).toBe(false);
    expect(space.contains('1')).toBe(false);
    expect(space.contains([1])).toBe(false);
    expect(space.explainNotContained(3)).toBe('3 is not one of 1, 2');
    expect(space.explainNotContained('1')).toMatch(/^"1" is not one of 1, 2/);
    expect(new Discrete(50).explainNotContained(50)).toMatch(/an integer in \[0, 49\]/);
  });

  it('rejects bad constructor arguments', () => {
    expect(() => new Discrete(0)).toThrow(/positive integer n, got 0/);
    expect(() => new Discrete(2.5)).toThrow(/positive integer n/);
    expect(() => new Discrete(2, { start: 0.5 })).toThrow(/start must be an integer/);
  });
});

describe('MultiDiscrete', () => {
  it('samples each element in its own range, with starts', () => {
    const space = new MultiDiscrete([2, 5], { start: [0, -2] });
    const rng = Rng.fromSeed(2);
    const first = new Set<number>();
    const second = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const x = space.sample(rng);
      expect(x).toBeInstanceOf(Int32Array);
      expect(space.contains(x)).toBe(true);
      first.add(x[0]);
      second.add(x[1]);
    }
    expect([...first].sort()).toEqual([0, 1]);
    expect([...second].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('explains values of the wrong length, type or range', () => {
    const space = new MultiDiscrete([3, 3]);
    expect(space.explainNotContained([0, 3])).toBe('element 1 = 3 is not an integer in [0, 2]');
    expect(space.explainNotContained([0.5, 1])).toBe('element 0 = 0.5 is not an integer in [0, 2]');
    expect(space.explainNotContained([0])).toMatch(/expected 2 values .* got 1/);
    expect(space.explainNotContained(1)).toMatch(/expected an array of 2 integers/);
    expect(space.contains([NaN, 0])).toBe(false);
    expect(() => new MultiDiscrete([2, 0])).toThrow(/positive/);
    expect(() => new MultiDiscrete([2, 2], { start: [0] })).toThrow(/start has 1 entries, nvec has 2/);
  });
});

describe('MultiBinary', () => {
  it('samples zeros and ones of its shape, honouring a 0/1/2 mask', () => {
    const space = new MultiBinary([2, 3]);
    expect(space.size).toBe(6);
    const rng = Rng.fromSeed(5);
    let ones = 0;
    for (let i = 0; i < 200; i++) {
      const x = space.sample(rng, [0, 1, 2, 2, 2, 2]);
      expect(x).toBeInstanceOf(Uint8Array);
      expect(x[0]).toBe(0);
      expect(x[1]).toBe(1);
      ones += x[2];
      expect(space.contains(x)).toBe(true);
    }
    expect(ones).toBeGreaterThan(60);
    expect(ones).toBeLessThan(140);
  });

  it('contains only 0/1 arrays of its size', () => {
    const space = new MultiBinary(3);
    expect(space.contains([0, 1, 1])).toBe(true);
    expect(space.explainNotContained([0, 2, 1])).toBe('element 1 = 2 is not 0 or 1');
    expect(space.contains([0, 1])).toBe(false);
    expect(space.contains([0, NaN, 1])).toBe(false);
    expect(space.contains([true, false, true])).toBe(false);
    expect(() => new MultiBinary(0)).toThrow(/positive integer sizes/);
    expect(space.toString()).toBe('MultiBinary(3)');
  });
});
