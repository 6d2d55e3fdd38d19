import { describe, expect, it } from 'vitest';
import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Text, Tuple } from '@rlft/core';
import { NumericLayout } from './numeric-layout.js';

describe('NumericLayout', () => {
  it('lists Box, Discrete, MultiDiscrete and MultiBinary dimensions with kinds and bounds', () => {
    const layout = NumericLayout.of(new Tuple([new Box({ low: -1, high: 1, shape: [2] }), new Discrete(3, { start: 1 }), new MultiDiscrete([2]), new MultiBinary(1)]))!;
    expect(layout.dims).toEqual([
      { kind: 'real', low: -1, high: 1 },
      { kind: 'real', low: -1, high: 1 },
      { kind: 'integer', low: 1, high: 3 },
      { kind: 'integer', low: 0, high: 1 },
      { kind: 'integer', low: 0, high: 1 },
    ]);
    expect(layout.allInteger).toBe(false);
    expect(NumericLayout.of(new Box({ low: 0, high: 9, shape: [2], dtype: 'int32' }))!.allInteger).toBe(true);
  });

  it('flattens and rebuilds nested elements, Dict entries in key order', () => {
    const space = new Dict({ position: new Box({ low: -5, high: 5, shape: [2] }), gear: new Discrete(4), pair: new Tuple([new Discrete(2), new MultiBinary(2)]) });
    const layout = NumericLayout.of(space)!;
    const value = { position: Float32Array.from([1.5, -2]), gear: 3, pair: [1, Uint8Array.from([0, 1])] };
    expect(layout.flatten(value)).toEqual([1.5, -2, 3, 1, 0, 1]);
    const rebuilt = layout.unflatten([1.5, -2, 3, 1, 0, 1]);
    expect(space.contains(rebuilt)).toBe(true);
    expect(rebuilt).toEqual(value);
  });

  it('has no layout for spaces with text', () => {
    expect(NumericLayout.of(new Text(5))).toBeUndefined();
    expect(NumericLayout.of(new Tuple([new Discrete(2), new Text(5)]))).toBeUndefined();
  });

  it('checks the number of values', () => {
    expect(() => NumericLayout.of(new Discrete(2))!.unflatten([0, 1])).toThrow(/expected 1 numbers/);
  });
});
