import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { Box } from './box.js';
import { Dict } from './dict.js';
import { Discrete } from './discrete.js';
import { ALPHANUMERIC, Text } from './text.js';
import { Tuple } from './tuple.js';

describe('Text', () => {
  it('samples strings of allowed length from the charset', () => {
    const space = new Text(5, { minLength: 2, charset: 'ab' });
    const rng = Rng.fromSeed(0);
    const lengths = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const s = space.sample(rng);
      expect(s).toMatch(/^[ab]{2,5}$/);
      lengths.add(s.length);
    }
    expect([...lengths].sort()).toEqual([2, 3, 4, 5]);
    expect(space.sample(Rng.fromSeed(3))).toBe(space.sample(Rng.fromSeed(3)));
  });

  it('checks length in characters (code points), and the charset', () => {
    const space = new Text(3, { minLength: 1 });
    expect(space.contains('abc')).toBe(true);
    expect(space.explainNotContained('')).toBe('text length 0 is outside [1, 3]');
    expect(space.explainNotContained('abcd')).toBe('text length 4 is outside [1, 3]');
    expect(space.explainNotContained('a-b')).toBe('character "-" is not in the charset');
    expect(space.explainNotContained(3)).toMatch(/expected a string .* got number/);
    const any = new Text(2, { charset: null });
    // one emoji is two UTF-16 units but one character
    expect(any.contains('😀!')).toBe(true);
    expect(any.contains('😀!!')).toBe(false);
    expect(new Text(4).sample(Rng.fromSeed(1))).toMatch(new RegExp(`^[${ALPHANUMERIC}]{1,4}$`));
  });

  it('rejects inconsistent lengths', () => {
    expect(() => new Text(2, { minLength: 3 })).toThrow(/minLength must be an integer in \[0, 2\], got 3/);
    expect(() => new Text(-1)).toThrow(/non-negative integer/);
  });
});

describe('Dict', () => {
  const space = new Dict({ position: new Box({ low: -1, high: 1, shape: [2] }), mode: new Discrete(3) });

  it('samples objects with exactly its keys, deterministically under a seed', () => {
    const x = space.sample(Rng.fromSeed(2));
    expect(Object.keys(x)).toEqual(['position', 'mode']);
    expect(space.contains(x)).toBe(true);
    const y = space.sample(Rng.fromSeed(2));
    expect(Array.from(y.position)).toEqual(Array.from(x.position));
    expect(y.mode).toBe(x.mode);
  });

  it('explains missing, extra and invalid keys', () => {
    expect(space.explainNotContained({ position: [0, 0] })).toBe("missing key 'mode'");
    expect(space.explainNotContained({ position: [0, 0], mode: 1, speed: 2 })).toBe('unexpected key(s) speed; allowed: position, mode');
    expect(space.explainNotContained({ position: [0, 5], mode: 1 })).toBe("at 'position': element 1 = 5 is outside [-1, 1]");
    expect(space.explainNotContained([1, 2])).toMatch(/expected an object with keys position, mode/);
    expect(space.explainNotContained(null)).toMatch(/expected an object/);
  });
});

describe('Tuple', () => {
  const space = new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)] as const);

  it('samples arrays of its parts', () => {
    const x = space.sample(Rng.fromSeed(1));
    expect(x).toHaveLength(3);
    expect(space.contains(x)).toBe(true);
    expect(space.toString()).toBe('Tuple(Discrete(32), Discrete(11), Discrete(2))');
  });

  it('explains wrong lengths and invalid parts', () => {
    expect(space.explainNotContained([1, 2])).toBe('expected 3 elements, got 2');
    expect(space.explainNotContained([1, 2, 2])).toBe('at index 2: 2 is not one of 0, 1');
    expect(space.explainNotContained({ 0: 1 })).toMatch(/expected an array of 3 elements/);
  });
});
