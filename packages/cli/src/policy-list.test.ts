import { describe, expect, it } from 'vitest';
import { parsePolicyList } from './policy-list.js';

describe('parsePolicyList', () => {
  it('splits on commas and trims', () => {
    expect(parsePolicyList('random')).toEqual(['random']);
    expect(parsePolicyList('random, constant')).toEqual(['random', 'constant']);
  });

  it('rejects empty and repeated names', () => {
    expect(() => parsePolicyList('random,,constant')).toThrow('has an empty name');
    expect(() => parsePolicyList('')).toThrow('has an empty name');
    expect(() => parsePolicyList('random,random')).toThrow("lists 'random' twice");
  });
});
