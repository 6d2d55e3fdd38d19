import { Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH, evaluateFormula, tokenize, tokensToString } from './expression.js';
import { Rational } from './rational.js';

function valueOf(text: string): string {
  const result = evaluateFormula(text);
  if (!result.ok) throw new Error(`expected a value for ${text}, got ${result.kind}: ${result.reason}`);
  return result.value.toString();
}

describe('formula evaluation', () => {
  it('follows precedence and parentheses', () => {
    expect(valueOf('(7-8/8)*4')).toBe('24');
    expect(valueOf('2+3*4')).toBe('14');
    expect(valueOf('(2+3)*4')).toBe('20');
    expect(valueOf('8-4-2')).toBe('2');
    expect(valueOf('8/4/2')).toBe('1');
    expect(valueOf('1/3')).toBe('1/3');
  });

  it('accepts unicode operators and spaces', () => {
    expect(valueOf(' ( 7 − 8 ÷ 8 ) × 4 ')).toBe('24');
    expect(valueOf('3 – 1')).toBe('2');
  });

  it('reports division by zero as a reason', () => {
    const result = evaluateFormula('4/(2-2)');
    expect(result).toMatchObject({ ok: false, kind: 'division-by-zero' });
  });

  it('tells incomplete formulas from wrong ones', () => {
    expect(evaluateFormula('(7-8/8)*')).toMatchObject({ ok: false, kind: 'incomplete' });
    expect(evaluateFormula('(7-8')).toMatchObject({ ok: false, kind: 'incomplete' });
    expect(evaluateFormula('7-8)')).toMatchObject({ ok: false, kind: 'syntax' });
    expect(evaluateFormula('7 8')).toMatchObject({ ok: false, kind: 'syntax' });
    expect(evaluateFormula('-7+8')).toMatchObject({ ok: false, kind: 'syntax' });
    expect(evaluateFormula('2.5*4')).toMatchObject({ ok: false, kind: 'not-whole-number' });
    expect(evaluateFormula('x+1')).toMatchObject({ ok: false, kind: 'bad-character' });
    expect(evaluateFormula('   ')).toMatchObject({ ok: false, kind: 'empty' });
    expect(evaluateFormula(42)).toMatchObject({ ok: false, kind: 'empty' });
  });

  it('caps length, nesting and literal size with a reason', () => {
    expect(evaluateFormula('1+'.repeat(MAX_FORMULA_LENGTH))).toMatchObject({ ok: false, kind: 'too-long' });
    const deep = '('.repeat(MAX_NESTING_DEPTH + 1) + '1' + ')'.repeat(MAX_NESTING_DEPTH + 1);
    expect(evaluateFormula(deep)).toMatchObject({ ok: false, kind: 'too-deep' });
    const ok = '('.repeat(MAX_NESTING_DEPTH) + '1' + ')'.repeat(MAX_NESTING_DEPTH);
    expect(valueOf(ok)).toBe('1');
    expect(evaluateFormula('9'.repeat(101))).toMatchObject({ ok: false, kind: 'number-too-long' });
    const big = '9'.repeat(100);
    expect(valueOf(`${big}*${big}-${big}*${big}`)).toBe('0');
  });

  it('lists the numbers used and writes tokens back compactly', () => {
    const result = evaluateFormula('( 07 − 8 ÷ 8 ) × 4');
    expect(result.numbers).toEqual([7n, 8n, 8n, 4n]);
    const tokens = tokenize('( 07 − 8 ÷ 8 ) × 4');
    expect(tokens.ok && tokensToString(tokens.tokens)).toBe('(7-8/8)*4');
  });

  it('is total on seeded random strings (fuzz)', () => {
    const rng = Rng.fromSeed(1234);
    const alphabet = ['0', '1', '7', '13', '(', ')', '+', '-', '*', '/', '×', '÷', '−', ' ', '.', 'x', '=', '😀', '9'.repeat(40), '(((', ')))'];
    let values = 0;
    for (let n = 0; n < 3000; n++) {
      const length = rng.integer(0, 60);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[rng.integer(0, alphabet.length - 1)];
      if (n % 500 === 0) text = '('.repeat(5000) + text;
      const result = evaluateFormula(text);
      if (result.ok) {
        values++;
        expect(result.value).toBeInstanceOf(Rational);
      } else {
        expect(result.reason.length).toBeGreaterThan(0);
      }
    }
    expect(values).toBeGreaterThan(10);
  });
});
