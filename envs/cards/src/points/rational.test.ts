import { describe, expect, it } from 'vitest';
import { Rational } from './rational.js';

describe('Rational', () => {
  it('normalises sign and common factors', () => {
    const r = Rational.of(6n, -8n);
    expect([r.numerator, r.denominator]).toEqual([-3n, 4n]);
    expect(Rational.of(0, -5).equals(Rational.ZERO)).toBe(true);
    expect(r.toString()).toBe('-3/4');
  });

  it('does exact arithmetic where floating point would not', () => {
    const third = Rational.of(1, 3);
    expect(third.plus(third).plus(third).equals(Rational.of(1))).toBe(true);
    expect(Rational.of(8).dividedBy(Rational.of(3).minus(Rational.of(8).dividedBy(Rational.of(3))!))!.equals(Rational.of(24))).toBe(true);
  });

  it('reports division by zero as undefined and refuses a zero denominator', () => {
    expect(Rational.of(5).dividedBy(Rational.ZERO)).toBeUndefined();
    expect(() => Rational.of(1, 0)).toThrow(/denominator must not be zero/);
  });

  it('keeps huge values exact', () => {
    const big = Rational.of(10n ** 60n + 1n);
    expect(big.times(big).minus(big.times(big)).isZero()).toBe(true);
  });
});
