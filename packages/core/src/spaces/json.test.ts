import { describe, expect, it } from 'vitest';
import { Box } from './box.js';
import { Dict } from './dict.js';
import { Discrete } from './discrete.js';
import { spaceFromJSON } from './from-json.js';
import { MultiBinary } from './multi-binary.js';
import { MultiDiscrete } from './multi-discrete.js';
import type { Space } from './space.js';
import { Text } from './text.js';
import { Tuple } from './tuple.js';

function roundTrip(space: Space): Space {
  return spaceFromJSON(JSON.parse(JSON.stringify(space.toJSON())));
}

describe('space JSON', () => {
  const examples: Space[] = [
    new Box({ low: [-4.8, -Infinity], high: [4.8, Infinity] }),
    new Box({ low: 0, high: 255, shape: [2, 3, 1], dtype: 'uint8' }),
    new Box({ low: -1, high: 1, shape: [], dtype: 'float64' }),
    new Discrete(3, { start: -1 }),
    new MultiDiscrete([3, 4], { start: [1, 0] }),
    new MultiBinary([2, 2]),
    new Text(10, { minLength: 0, charset: 'xyz' }),
    new Text(100, { charset: null }),
    new Dict({ cards: new MultiDiscrete([13, 13]), hand: new Tuple([new Discrete(2), new Box({ low: 0, high: 1, shape: [1] })]) }),
  ];

  it.each(examples.map((s) => [s.toString(), s] as const))('round-trips %s', (_name, space) => {
    const back = roundTrip(space);
    expect(back.constructor).toBe(space.constructor);
    expect(back.equals(space)).toBe(true);
    expect(back.toJSON()).toEqual(space.toJSON());
  });

  it('writes infinities as "inf" strings and nests Box bounds in the shape', () => {
    const json = new Box({ low: [0, 1, 2, 3, 4, -Infinity], high: Infinity, shape: [2, 3] }).toJSON();
    expect(json.low).toEqual([
      [0, 1, 2],
      [3, 4, '-inf'],
    ]);
    expect(json.high).toEqual([
      ['inf', 'inf', 'inf'],
      ['inf', 'inf', 'inf'],
    ]);
    expect(JSON.stringify(json)).not.toContain('null');
  });

  it('keeps Text with any character set as any character set', () => {
    const back = roundTrip(new Text(5, { charset: null })) as Text;
    expect(back.charset).toBeNull();
    expect(back.contains('¿?')).toBe(true);
  });

  it('reads Minari-style descriptions with infinities spelled as strings', () => {
    const minari = {
      type: 'Box',
      dtype: 'float32',
      shape: [4],
      low: ['-Infinity', -3.4, '-inf', 0],
      high: ['Infinity', 3.4, 'inf', '1e3'],
    };
    const box = spaceFromJSON(JSON.stringify(minari)) as Box;
    expect(Array.from(box.low)).toEqual([-Infinity, Math.fround(-3.4), -Infinity, 0]);
    expect(Array.from(box.high)).toEqual([Infinity, Math.fround(3.4), Infinity, 1000]);
  });

  it("reads the bare Infinity and NaN tokens that Python's json.dumps writes", () => {
    // what json.dumps(serialize_space(Box(-inf, inf, (2,)))) produces: not strict JSON
    const text = '{"type": "Box", "dtype": "float32", "shape": [2], "low": [-Infinity, -1.0], "high": [Infinity, 1.0]}';
    const box = spaceFromJSON(text) as Box;
    expect(Array.from(box.low)).toEqual([-Infinity, -1]);
    expect(Array.from(box.high)).toEqual([Infinity, 1]);
    // the words inside strings are left alone
    const text2 = '{"type": "Text", "max_length": 9, "min_length": 1, "charset": "Infinity"}';
    expect((spaceFromJSON(text2) as Text).charset).toBe('Infinity');
  });

  it('reads Discrete without start, and rejects unknown types and bad numbers', () => {
    expect(spaceFromJSON({ type: 'Discrete', n: 4 } as never).equals(new Discrete(4))).toBe(true);
    expect(() => spaceFromJSON({ type: 'Graph' } as never)).toThrow(
      'Unknown space type "Graph"; allowed: Box, Discrete, MultiDiscrete, MultiBinary, Text, Dict, Tuple',
    );
    expect(() => spaceFromJSON({ type: 'Box', dtype: 'float32', shape: [1], low: ['lots'], high: [1] })).toThrow(
      'Expected a number in a space description, got "lots"',
    );
    expect(() => spaceFromJSON('not json')).toThrow();
  });
});
