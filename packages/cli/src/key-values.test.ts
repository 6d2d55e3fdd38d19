import { describe, expect, it } from 'vitest';
import { FlagValueError, optionsPerPolicy, parseFlagValue, parseKeyValues } from './key-values.js';

describe('parseFlagValue', () => {
  it('reads JSON when it parses: numbers, booleans, null, arrays, objects, quoted text', () => {
    expect(parseFlagValue('9.81')).toBe(9.81);
    expect(parseFlagValue('-3')).toBe(-3);
    expect(parseFlagValue('1e3')).toBe(1000);
    expect(parseFlagValue('true')).toBe(true);
    expect(parseFlagValue('null')).toBe(null);
    expect(parseFlagValue('[0.5, 1]')).toEqual([0.5, 1]);
    expect(parseFlagValue('{"a":1}')).toEqual({ a: 1 });
    expect(parseFlagValue('"42"')).toBe('42');
  });

  it('keeps anything else as text', () => {
    expect(parseFlagValue('left')).toBe('left');
    expect(parseFlagValue('')).toBe('');
    expect(parseFlagValue('[1,')).toBe('[1,');
  });
});

describe('parseKeyValues', () => {
  it('turns repeated key=value flags into an object; the value is everything after the first =', () => {
    expect(parseKeyValues(['g=9.81', 'mode=a=b', 'flag=true'], '-k')).toEqual({ g: 9.81, mode: 'a=b', flag: true });
    expect(parseKeyValues(undefined, '-k')).toEqual({});
  });

  it('rejects items without a key or without =, naming the flag and the expected form', () => {
    expect(() => parseKeyValues(['gravity'], '-k')).toThrow(FlagValueError);
    expect(() => parseKeyValues(['gravity'], '-k')).toThrow("Malformed -k 'gravity': expected key=value");
    expect(() => parseKeyValues(['=3'], '--policy-opt')).toThrow("Malformed --policy-opt '=3'");
  });

  it('rejects a key given twice', () => {
    expect(() => parseKeyValues(['g=1', 'g=2'], '-k')).toThrow("-k 'g' is given twice");
  });
});

describe('optionsPerPolicy', () => {
  it('gives unscoped options to every policy and scoped ones (policy.key) to that policy only', () => {
    const split = optionsPerPolicy({ value: 1, 'constant.value': 2, 'random.seed_offset': 3, 'other.x': 4 }, ['random', 'constant']);
    expect(split.get('constant')).toEqual({ value: 2, 'other.x': 4 });
    expect(split.get('random')).toEqual({ value: 1, seed_offset: 3, 'other.x': 4 });
  });
});
