import { describe, expect, it } from 'vitest';
import {
  batchSpace,
  Box,
  createBatcher,
  Dict,
  Discrete,
  flatByteLength,
  MultiBinary,
  MultiDiscrete,
  Text,
  Tuple,
} from '@rlft/core';

describe('batchSpace', () => {
  it('stacks a Box into a Box of shape [N, …shape] with tiled bounds and the same dtype', () => {
    const single = new Box({ low: [-1, 0], high: [1, 5], dtype: 'float64' });
    const batched = batchSpace(single, 3) as Box<'float64'>;
    expect(batched).toBeInstanceOf(Box);
    expect(batched.shape).toEqual([3, 2]);
    expect(batched.dtype).toBe('float64');
    expect(Array.from(batched.low)).toEqual([-1, 0, -1, 0, -1, 0]);
    expect(Array.from(batched.high)).toEqual([1, 5, 1, 5, 1, 5]);
  });

  it('turns Discrete(n, start) into a MultiDiscrete of N with the same start', () => {
    const batched = batchSpace(new Discrete(3, { start: -1 }), 4) as MultiDiscrete;
    expect(batched).toBeInstanceOf(MultiDiscrete);
    expect(Array.from(batched.nvec)).toEqual([3, 3, 3, 3]);
    expect(Array.from(batched.start)).toEqual([-1, -1, -1, -1]);
    expect(batched.contains(Int32Array.of(-1, 0, 1, 1))).toBe(true);
    expect(batched.contains(Int32Array.of(-1, 0, 2, 1))).toBe(false);
  });

  it('turns MultiDiscrete and MultiBinary into integer Boxes (Gymnasium batch_space)', () => {
    const md = batchSpace(new MultiDiscrete([2, 5], { start: [0, 10] }), 2) as Box<'int32'>;
    expect(md).toBeInstanceOf(Box);
    expect(md.dtype).toBe('int32');
    expect(md.shape).toEqual([2, 2]);
    expect(Array.from(md.low)).toEqual([0, 10, 0, 10]);
    expect(Array.from(md.high)).toEqual([1, 14, 1, 14]);
    const mb = batchSpace(new MultiBinary([2, 3]), 4) as Box<'uint8'>;
    expect(mb.dtype).toBe('uint8');
    expect(mb.shape).toEqual([4, 2, 3]);
    expect(Array.from(mb.high)).toEqual(new Array(24).fill(1));
  });

  it('batches Dict and Tuple member-wise, and other spaces as a Tuple of N copies', () => {
    const dict = batchSpace(new Dict({ pos: new Box({ low: 0, high: 1, shape: [2] }), mode: new Discrete(2) }), 3) as Dict;
    expect(dict).toBeInstanceOf(Dict);
    expect((dict.spaces.pos as Box).shape).toEqual([3, 2]);
    expect(dict.spaces.mode).toBeInstanceOf(MultiDiscrete);
    const tuple = batchSpace(new Tuple([new Discrete(2), new Text(4)]), 2) as Tuple;
    expect(tuple.spaces[0]).toBeInstanceOf(MultiDiscrete);
    expect(tuple.spaces[1]).toBeInstanceOf(Tuple);
    const text = batchSpace(new Text(4), 3) as Tuple;
    expect(text).toBeInstanceOf(Tuple);
    expect(text.spaces).toHaveLength(3);
    expect(text.contains(['ab', 'c', 'dddd'])).toBe(true);
  });

  it('rejects a non-positive number of environments', () => {
    expect(() => batchSpace(new Discrete(2), 0)).toThrow(/positive integer/);
  });
});

describe('batchers', () => {
  it('write and read Box values in a flat typed array whose contents belong to the batched space', () => {
    const space = new Box({ low: -10, high: 10, shape: [3] });
    const batcher = createBatcher<Float32Array, Float32Array>(space, 2);
    const batch = batcher.allocate();
    expect(batch).toBeInstanceOf(Float32Array);
    expect(batch).toHaveLength(6);
    batcher.write(batch, 1, Float32Array.of(1, 2, 3));
    batcher.write(batch, 0, [4, 5, 6] as unknown as Float32Array);
    expect(Array.from(batch)).toEqual([4, 5, 6, 1, 2, 3]);
    expect(batcher.batchedSpace.contains(batch)).toBe(true);
    const first = batcher.read(batch, 1);
    expect(Array.from(first)).toEqual([1, 2, 3]);
    // The read buffer belongs to the batcher and is reused: reading again overwrites it.
    batcher.write(batch, 1, Float32Array.of(7, 8, 9));
    expect(batcher.read(batch, 1)).toBe(first);
    expect(Array.from(first)).toEqual([7, 8, 9]);
    expect(() => batcher.write(batch, 0, Float32Array.of(1, 2))).toThrow(/expected 3 values/);
  });

  it('keep Discrete values as one int32 per env', () => {
    const batcher = createBatcher<number, Int32Array>(new Discrete(5, { start: 2 }), 3);
    const batch = batcher.allocate();
    expect(batch).toBeInstanceOf(Int32Array);
    batcher.write(batch, 2, 6);
    expect(batcher.read(batch, 2)).toBe(6);
    expect(batcher.flat).toEqual({ dtype: 'int32', size: 1 });
  });

  it('place flat batches on shared memory so other threads see the same numbers', () => {
    const batcher = createBatcher(new MultiDiscrete([3, 3]), 4);
    const memory = new SharedArrayBuffer(flatByteLength(batcher.flat!, 4));
    const a = batcher.allocate(memory) as Int32Array;
    const b = batcher.allocate(memory) as Int32Array;
    batcher.write(a, 3, Int32Array.of(2, 1));
    expect(Array.from(b.subarray(6))).toEqual([2, 1]);
    expect(() => batcher.allocate(new SharedArrayBuffer(4))).toThrow(/needs 32 bytes/);
  });

  it('batch Dict, Tuple and Text values structurally', () => {
    const space = new Dict({ pos: new Box({ low: -1, high: 1, shape: [2], dtype: 'float64' }), name: new Text(5) });
    const batcher = createBatcher<Record<string, unknown>, Record<string, unknown>>(space, 2);
    const batch = batcher.allocate();
    batcher.write(batch, 0, { pos: Float64Array.of(0.5, -0.5), name: 'ab' });
    batcher.write(batch, 1, { pos: Float64Array.of(1, 1), name: 'xyz' });
    expect(Array.from(batch.pos as Float64Array)).toEqual([0.5, -0.5, 1, 1]);
    expect(batch.name).toEqual(['ab', 'xyz']);
    expect(batcher.batchedSpace.contains(batch)).toBe(true);
    const one = batcher.read(batch, 1);
    expect(Array.from(one.pos as Float64Array)).toEqual([1, 1]);
    expect(one.name).toBe('xyz');
    expect(() => batcher.write(batch, 0, { pos: Float64Array.of(0, 0) })).toThrow(/no key 'name'/);
    expect(() => batcher.allocate(new SharedArrayBuffer(64))).toThrow(/not batched as one typed array/);

    const tuple = createBatcher<unknown[], unknown[]>(new Tuple([new Discrete(3), new Text(3)]), 2);
    const tupleBatch = tuple.allocate();
    tuple.write(tupleBatch, 1, [2, 'hi']);
    expect(tuple.read(tupleBatch, 1)).toEqual([2, 'hi']);
  });

  it('explain why a batch of actions has the wrong structure', () => {
    const box = createBatcher(new Box({ low: -1, high: 1, shape: [2] }), 3);
    expect(box.explainBadBatch(new Float32Array(6))).toBeUndefined();
    expect(box.explainBadBatch([0, 0, 0, 0, 0, 0])).toBeUndefined();
    expect(box.explainBadBatch(new Float32Array(4))).toMatch(/expected 6 numbers \(3 envs × 2\), got 4/);
    expect(box.explainBadBatch('left')).toMatch(/flat array of 6 numbers/);
    const discrete = createBatcher(new Discrete(3), 2);
    expect(discrete.explainBadBatch([0, 2])).toBeUndefined();
    expect(discrete.explainBadBatch([0, 0.5])).toBe('element 1 = 0.5 is not an integer in the int32 range');
    expect(discrete.explainBadBatch(Float64Array.of(2 ** 40, 0))).toMatch(/element 0 = 1099511627776 is not an integer/);
    const text = createBatcher(new Text(3), 2);
    expect(text.explainBadBatch(['a', 'b'])).toBeUndefined();
    expect(text.explainBadBatch(['a'])).toMatch(/array of 2 values/);
    const dict = createBatcher(new Dict({ a: new Discrete(2) }), 2);
    expect(dict.explainBadBatch({ a: Int32Array.of(0) })).toMatch(/at 'a': expected 2 numbers/);
  });

  it('copy batches into independent arrays', () => {
    const batcher = createBatcher(new Box({ low: 0, high: 1, shape: [1] }), 2);
    const batch = batcher.allocate() as Float32Array;
    const copy = batcher.copy(batch) as Float32Array;
    batch[0] = 1;
    expect(copy[0]).toBe(0);
  });
});
