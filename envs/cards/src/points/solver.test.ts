import { Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { evaluateFormula } from './expression.js';
import { isSolvable, solutionTokenLists, solutions } from './solver.js';

describe('24-points solver', () => {
  it('solves [4, 7, 8, 8] with (7-8/8)*4 among its solutions', () => {
    expect(isSolvable([4, 7, 8, 8], 24)).toBe(true);
    const found = solutions([4, 7, 8, 8], 24);
    expect(found.some((f) => evaluateFormula(f).ok && ['(7-8/8)*4', '4*(7-8/8)'].includes(f))).toBe(true);
  });

  it('knows unsolvable hands', () => {
    expect(isSolvable([1, 1, 1, 1], 24)).toBe(false);
    expect(solutions([1, 1, 1, 1], 24)).toEqual([]);
    expect(isSolvable([1, 1, 1, 1], 4)).toBe(true);
  });

  it('needs fractions for [3, 3, 8, 8]: 8/(3-8/3)', () => {
    expect(solutions([3, 3, 8, 8], 24)).toEqual(['8/(3-8/3)']);
  });

  it('returns only formulas that use the hand exactly once and hit the target', () => {
    const rng = Rng.fromSeed(5);
    for (let n = 0; n < 30; n++) {
      const hand = [0, 0, 0, 0].map(() => rng.integer(1, 13));
      const found = solutions(hand, 24);
      expect(found.length > 0).toBe(isSolvable(hand, 24));
      for (const formula of found) {
        const result = evaluateFormula(formula);
        expect(result.ok && result.value.toString()).toBe('24');
        expect(result.numbers.map(Number).sort((a, b) => a - b)).toEqual([...hand].sort((a, b) => a - b));
      }
      expect(new Set(found).size).toBe(found.length);
    }
  });

  it('lists mirrored operand orders as token lists, and restricts operators on request', () => {
    const lists = solutionTokenLists([4, 7, 8, 8], 24).map((t) => t.join(''));
    expect(lists).toContain('(7-8/8)*4');
    expect(lists).toContain('4*(7-8/8)');
    expect(solutions([3, 4], 12, { operators: ['+', '*'] })).toEqual(['3*4']);
    expect(solutions([5, 7], 12, { operators: ['+', '*'] })).toEqual(['5+7']);
    expect(isSolvable([2, 5], 12, { operators: ['+', '*'] })).toBe(false);
  });

  it('works for other hand sizes and targets', () => {
    expect(solutions([5], 5)).toEqual(['5']);
    expect(isSolvable([1, 2, 3, 4, 5], 100)).toBe(true);
    expect(() => solutions([], 24)).toThrow(/empty/);
  });
});
