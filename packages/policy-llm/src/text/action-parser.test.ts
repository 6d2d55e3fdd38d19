import { describe, expect, it } from 'vitest';
import { Box, Discrete, MultiDiscrete, Text } from '@rlft/core';
import { ActionParser } from './action-parser.js';
import { actionCodec } from './codecs.js';

const box = new Box({ low: [-1, 0], high: [1, 2] });

describe('ActionParser', () => {
  it('parses good completions and counts them', () => {
    const parser = new ActionParser<Float32Array>(actionCodec(box));
    const result = parser.parse('<action>0.50000,1.00000</action>');
    expect(result.ok).toBe(true);
    if (result.ok) expect(Array.from(result.action)).toEqual([0.5, 1]);
    expect(parser.stats()).toEqual({ completions: 1, parsed: 1, failures: 0, clipped: 0, fallbacks: 0, retries: 0, reasons: {} });
  });

  it('clips real values into the bounds and counts it, or rejects them', () => {
    const clipping = new ActionParser<Float32Array>(actionCodec(box));
    const result = clipping.parse('<action>-3,1</action>');
    expect(result).toMatchObject({ ok: true, clipped: true });
    if (result.ok) expect(Array.from(result.action)).toEqual([-1, 1]);
    expect(clipping.counters.clipped).toBe(1);
    const rejecting = new ActionParser(actionCodec(box), { clip: false });
    expect(rejecting.parse('<action>-3,1</action>')).toMatchObject({ ok: false, kind: 'out-of-range' });
  });

  it('clips 5-decimal rounding past a bound without counting it', () => {
    const tight = new Box({ low: -0.123456, high: 0.123456, shape: [1] });
    const parser = new ActionParser<Float32Array>(actionCodec(tight));
    const result = parser.parse('<action>0.12346</action>');
    expect(result).toMatchObject({ ok: true, clipped: false });
    if (result.ok) expect(result.action[0]).toBe(tight.high[0]);
  });

  it('rejects discrete choices that do not exist and non-integers, whatever clip says', () => {
    const parser = new ActionParser<number>(actionCodec(new Discrete(2)));
    expect(parser.parse('<action>1</action>')).toMatchObject({ ok: true, action: 1 });
    expect(parser.parse('<action>2</action>')).toMatchObject({ ok: false, kind: 'out-of-range' });
    expect(parser.parse('<action>0.5</action>')).toMatchObject({ ok: false, kind: 'not-an-integer' });
    expect(parser.counters.reasons).toEqual({ 'out-of-range': 1, 'not-an-integer': 1 });
  });

  it('reads completions that continue the prefilled <action>, and those that repeat it', () => {
    const strict = new ActionParser<number>(actionCodec(new Discrete(3)), { mode: 'strict' });
    expect(strict.assistantPrefix).toBe('<action>');
    expect(strict.parse('2</action>')).toMatchObject({ ok: true, action: 2 });
    expect(strict.parse('<action>2</action>')).toMatchObject({ ok: true, action: 2 });
    const unprefixed = new ActionParser<number>(actionCodec(new Discrete(3)), { mode: 'strict', assistantPrefix: null });
    expect(unprefixed.parse('2</action>')).toMatchObject({ ok: false, kind: 'missing-tag' });
    expect(new ActionParser(actionCodec(new Text(5))).assistantPrefix).toBeUndefined();
  });

  it('is lenient by default and strict on request', () => {
    const text = 'I think <action> 0.5, 1 </action> is best';
    expect(new ActionParser(actionCodec(box)).parse(text).ok).toBe(true);
    expect(new ActionParser(actionCodec(box), { mode: 'strict' }).parse(text)).toMatchObject({ ok: false, kind: 'missing-tag' });
    expect(new ActionParser(actionCodec(box), { mode: 'strict' }).parse('0.5, 1</action>')).toMatchObject({ ok: false, kind: 'not-a-number' });
  });

  it('falls back to a seeded random action, zeros, the no-op or a given value', () => {
    const a = new ActionParser<Float32Array>(actionCodec(box), { seed: 3 });
    const b = new ActionParser<Float32Array>(actionCodec(box), { seed: 3 });
    const first = a.fallback();
    expect(box.contains(first)).toBe(true);
    expect(Array.from(first)).toEqual(Array.from(b.fallback()));
    expect(a.counters.fallbacks).toBe(1);
    const shifted = new Box({ low: [1, -1], high: [2, 1] });
    expect(Array.from(new ActionParser<Float32Array>(actionCodec(shifted), { fallback: 'noop' }).fallback())).toEqual([1, 0]);
    expect(() => new ActionParser(actionCodec(shifted), { fallback: 'zeros' })).toThrow(/not in the action space.*'noop'/);
    expect(new ActionParser<number>(actionCodec(new Discrete(3, { start: 1 })), { fallback: 'noop' }).fallback()).toBe(1);
    expect(Array.from(new ActionParser<Int32Array>(actionCodec(new MultiDiscrete([2, 2])), { fallback: { value: [1, 0] } }).fallback())).toEqual([1, 0]);
    expect(() => new ActionParser(actionCodec(new Discrete(2)), { fallback: { value: 5 } })).toThrow(/fallback action is not in the action space/);
  });

  it('passes text answers through, cutting over-long ones', () => {
    const parser = new ActionParser<string>(actionCodec(new Text(10, { minLength: 1, charset: null })));
    expect(parser.parse('{"a": 1}')).toEqual({ ok: true, action: '{"a": 1}', clipped: false });
    expect(parser.parse('0123456789abc')).toEqual({ ok: true, action: '0123456789', clipped: true });
    expect(parser.parse('')).toMatchObject({ ok: false, kind: 'empty-text' });
    expect(new ActionParser<string>(actionCodec(new Text(10, { minLength: 0, charset: null })), { fallback: 'noop' }).fallback()).toBe('');
  });

  it('summarises the counts in one line', () => {
    const parser = new ActionParser(actionCodec(new Discrete(2)));
    parser.parse('<action>1</action>');
    parser.parse('<action>1,0</action>');
    parser.parse('go right'); // lenient reads a completion without the tag as following a prefilled <action>
    parser.parse('<action>0,1</action>');
    parser.recordRetry();
    parser.fallback();
    expect(parser.counters.summary()).toBe(
      '4 completions: 1 parsed (25.0%), 3 failed (wrong-dimension 2, not-a-number 1), 0 clipped, 1 retries, 1 fallbacks',
    );
  });
});
