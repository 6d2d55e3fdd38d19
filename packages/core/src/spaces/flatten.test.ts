import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { Box } from './box.js';
import { Dict } from './dict.js';
import { Discrete } from './discrete.js';
import { flatDim, flatDType, flatten, flattenSpace, unflatten } from './flatten.js';
import { MultiBinary } from './multi-binary.js';
import { MultiDiscrete } from './multi-discrete.js';
import type { Space } from './space.js';
import { Text } from './text.js';
import { Tuple } from './tuple.js';

describe('flatten', () => {
  it('one-hot encodes Discrete relative to its start', () => {
    const space = new Discrete(3, { start: 1 });
    expect(flatDim(space)).toBe(3);
    const flat = flatten(space, 2);
    expect(flat).toBeInstanceOf(Float32Array);
    expect(Array.from(flat)).toEqual([0, 1, 0]);
    expect(unflatten(space, flat)).toBe(2);
    const box = flattenSpace(space);
    expect(Array.from(box.low)).toEqual([0, 0, 0]);
    expect(Array.from(box.high)).toEqual([1, 1, 1]);
    expect(box.dtype).toBe('float32');
  });

  it('concatenates one-hots for MultiDiscrete', () => {
    const space = new MultiDiscrete([2, 3], { start: [0, 5] });
    expect(flatDim(space)).toBe(5);
    expect(Array.from(flatten(space, [1, 5]))).toEqual([0, 1, 1, 0, 0]);
    expect(Array.from(unflatten(space, [1, 0, 0, 0, 1]))).toEqual([0, 7]);
  });

  it('copies Box elements row-major in a float carrier wide enough for the dtype', () => {
    const box = new Box({ low: -10, high: 10, shape: [2, 2], dtype: 'float64' });
    const flat = flatten(box, new Float64Array([1.5, -2, 3, 0.1]));
    expect(flat).toBeInstanceOf(Float64Array);
    expect(Array.from(flat)).toEqual([1.5, -2, 3, 0.1]);
    expect(flatDType(new Box({ low: 0, high: 9, shape: [1], dtype: 'int32' }))).toBe('float64');
    expect(flatDType(new Box({ low: 0, high: 9, shape: [1], dtype: 'uint8' }))).toBe('float32');
    const back = unflatten(new Box({ low: 0, high: 300, shape: [2], dtype: 'int16' }), [7, 300]);
    expect(back).toBeInstanceOf(Int16Array);
    expect(Array.from(back)).toEqual([7, 300]);
  });

  it('copies MultiBinary values', () => {
    const space = new MultiBinary([2, 2]);
    expect(Array.from(flatten(space, new Uint8Array([1, 0, 0, 1])))).toEqual([1, 0, 0, 1]);
    expect(Array.from(unflatten(space, [0, 1, 1, 0]))).toEqual([0, 1, 1, 0]);
    expect(() => unflatten(space, [0, 2, 1, 0])).toThrow('entry 1 is 2, not 0 or 1');
  });

  it('concatenates Dict parts in key order, with their bounds', () => {
    const space = new Dict({ a: new Discrete(2), b: new Box({ low: [-1, -2], high: [1, 2] }) });
    expect(Array.from(flatten(space, { a: 1, b: [0.5, -0.25] }))).toEqual([0, 1, 0.5, -0.25]);
    const box = flattenSpace(space);
    expect(box.shape).toEqual([4]);
    expect(Array.from(box.low)).toEqual([0, 0, -1, -2]);
    expect(Array.from(box.high)).toEqual([1, 1, 1, 2]);
    const back = unflatten(space, [1, 0, 0.5, 1]);
    expect(back.a).toBe(0);
    expect(Array.from(back.b)).toEqual([0.5, 1]);
  });

  it('flattens the Blackjack observation tuple to 32 + 11 + 2 one-hot entries', () => {
    const space = new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)]);
    expect(flatDim(space)).toBe(45);
    const flat = flatten(space, [14, 10, 1]);
    const ones = Array.from(flat).flatMap((v, i) => (v === 1 ? [i] : []));
    expect(ones).toEqual([14, 32 + 10, 43 + 1]);
    expect(unflatten(space, flat)).toEqual([14, 10, 1]);
    expect(flatDType(new Tuple([new Discrete(2), new Box({ low: 0, high: 1, shape: [1], dtype: 'float64' })]))).toBe('float64');
  });

  it('round-trips random elements of a nested space, and flat vectors lie in flattenSpace', () => {
    const space = new Dict({
      pos: new Box({ low: -1, high: 1, shape: [3] }),
      parts: new Tuple([new MultiDiscrete([3, 4]), new MultiBinary(2), new Discrete(5, { start: -2 })]),
    });
    const box = flattenSpace(space);
    const rng = Rng.fromSeed(12);
    for (let i = 0; i < 50; i++) {
      const value = space.sample(rng);
      const flat = flatten(space, value);
      expect(box.contains(flat)).toBe(true);
      const back = unflatten(space, flat);
      expect(space.contains(back)).toBe(true);
      expect(Array.from(flatten(space, back))).toEqual(Array.from(flat));
    }
  });

  it('writes into a given buffer at an offset, clearing the old one-hot', () => {
    const out = new Float32Array(6).fill(9);
    const space = new Discrete(4);
    flatten(space, 3, out, 2);
    expect(Array.from(out)).toEqual([9, 9, 0, 0, 0, 1]);
    flatten(space, 0, out, 2);
    expect(Array.from(out)).toEqual([9, 9, 1, 0, 0, 0]);
    expect(() => flatten(space, 0, out, 3)).toThrow('flatten needs 4 slots from offset 3, the output holds 6');
  });

  it('rejects values outside the space and malformed flat vectors', () => {
    expect(() => flatten(new Discrete(2), 2)).toThrow('Cannot flatten: 2 is not one of 0, 1');
    expect(() => flatten(new MultiDiscrete([2]), [5])).toThrow(/Cannot flatten: element 0 = 5/);
    expect(() => flatten(new Box({ low: 0, high: 1, shape: [2] }), [1])).toThrow(/needs an array of 2 numbers/);
    expect(() => flatten(new Dict({ a: new Discrete(2) }), {})).toThrow("missing key 'a'");
    expect(() => unflatten(new Discrete(3), [0, 1, 1])).toThrow(/expected a one-hot segment of 3 entries, got \[0, 1, 1\]/);
    expect(() => unflatten(new Discrete(3), [0, 0, 0])).toThrow(/all zeros/);
    expect(() => unflatten(new Discrete(3), [0, 1])).toThrow('unflatten expected 3 values for Discrete(3), got 2');
  });

  it('refuses Text with a clear error, also inside composite spaces', () => {
    const text = new Text(8);
    expect(() => flatDim(text)).toThrow(/Text\(1, 8\) cannot be flattened: text has no fixed-size numeric form/);
    expect(() => flattenSpace(new Dict({ prompt: text }))).toThrow(/Flattenable spaces: Box, Discrete, MultiDiscrete, MultiBinary, Dict, Tuple/);
    const custom = { type: 'Graph', toString: () => 'Graph()' } as unknown as Space;
    expect(() => flatten(custom, 1)).toThrow('Graph() cannot be flattened');
  });
});
