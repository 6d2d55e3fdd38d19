import { describe, expect, it } from 'vitest';
import {
  encodeAction,
  encodeDiscretisedAction,
  encodeDiscretisedObservation,
  encodeObservation,
  parseAction,
  parseDiscretisedAction,
  parseObservation,
  RangeAccumulator,
  undiscretise,
  discretise,
} from './text-format.js';

function pseudoRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('reference text format', () => {
  it('writes 5 decimals joined by commas without spaces', () => {
    expect(encodeObservation([0.1, -2, 3.123456789])).toBe('<observation>0.10000,-2.00000,3.12346</observation>');
    expect(encodeAction(new Float32Array([0.5, -0.25]))).toBe('<action>0.50000,-0.25000</action>');
    expect(encodeObservation([-0.000001])).toBe('<observation>0.00000</observation>');
  });

  it('writes a discrete action as its integer', () => {
    expect(encodeAction(1)).toBe('<action>1</action>');
    expect(parseAction('<action>1</action>', { dims: 1 })).toEqual({ ok: true, values: [1], closed: true, trailing: '' });
    expect(() => encodeAction(1.5)).toThrow(/integer/);
  });

  it('refuses non-finite values', () => {
    expect(() => encodeObservation([Number.NaN])).toThrow(/finite/);
  });

  it('round-trips values within 5-decimal rounding', () => {
    const next = pseudoRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const dims = 1 + Math.floor(next() * 17);
      const values = Array.from({ length: dims }, () => (next() - 0.5) * 200);
      const action = parseAction(encodeAction(values), { dims, mode: 'strict' });
      const observation = parseObservation(encodeObservation(values), { dims });
      if (!action.ok || !observation.ok) throw new Error('a round trip failed to parse');
      for (let i = 0; i < dims; i++) {
        expect(Math.abs(action.values[i]! - values[i]!)).toBeLessThanOrEqual(5e-6 + 1e-12);
        expect(observation.values[i]).toBe(action.values[i]);
      }
    }
  });
});

describe('parsing', () => {
  it('says why strict text is rejected', () => {
    const reason = (text: string, dims = 2): string => {
      const result = parseAction(text, { dims, mode: 'strict' });
      return result.ok ? 'ok' : result.reason;
    };
    expect(reason('<action>1.0,2.0</action>')).toBe('ok');
    expect(reason('1.0,2.0</action>')).toMatch(/start with <action>/);
    expect(reason('<action>1.0,2.0')).toMatch(/end with <\/action>/);
    expect(reason('<action>1.0</action>')).toMatch(/expected 2 values, found 1/);
    expect(reason('<action>1.0, 2.0</action>')).toMatch(/value 2 is not a number/);
    expect(reason('<action>1e3,2</action>')).toMatch(/value 1 is not a number/);
    expect(reason('<action></action>')).toBe('no values');
    expect(reason('<action>1,<action>2</action>')).toMatch(/unexpected tag/);
  });

  it('lenient mode accepts prefilled, unclosed and padded completions and reports trailing text', () => {
    expect(parseAction('0.5, -1</action> extra', { dims: 2, mode: 'lenient' })).toEqual({
      ok: true,
      values: [0.5, -1],
      closed: true,
      trailing: ' extra',
    });
    expect(parseAction('Sure: <action>1e-1,2', { dims: 2, mode: 'lenient' })).toEqual({
      ok: true,
      values: [0.1, 2],
      closed: false,
      trailing: '',
    });
    const bad = parseAction('<action>a,b</action>', { dims: 2, mode: 'lenient' });
    expect(bad.ok).toBe(false);
  });

  it('never throws on odd input', () => {
    for (const text of ['', '<', '</action>', ',,,', '<action>,</action>', 'NaN', '<action>Infinity</action>']) {
      expect(() => parseAction(text, { dims: 1, mode: 'lenient' })).not.toThrow();
      expect(() => parseAction(text, { dims: 1, mode: 'strict' })).not.toThrow();
    }
    expect(parseAction(undefined as unknown as string, { dims: 1 }).ok).toBe(false);
    expect(parseAction('<action>Infinity</action>', { dims: 1 }).ok).toBe(false);
  });
});

describe('discretised format', () => {
  const ranges = { min: [-1, 0, 10], max: [1, 5, 10] };

  it('maps values to bins 0–999, clamping outside the range', () => {
    expect(discretise([-1, 0, 10], ranges)).toEqual([0, 0, 0]);
    expect(discretise([1, 5, 10], ranges)).toEqual([999, 999, 0]);
    expect(discretise([5, -3, 12], ranges)).toEqual([999, 0, 0]);
    expect(discretise([0, 2.5, 10], ranges)).toEqual([500, 500, 0]);
    expect(encodeDiscretisedObservation([0, 2.5, 10], ranges)).toBe('<observation>500,500,0</observation>');
    expect(() => discretise([0, 1], ranges)).toThrow(/dimensions/);
  });

  it('decodes min + k/999·(max − min)', () => {
    expect(undiscretise([0, 999, 3], ranges)).toEqual([-1, 5, 10]);
  });

  it('round-trips within one bin', () => {
    const next = pseudoRandom(11);
    const wide = { min: [-3, 0.5, -100], max: [2, 0.75, 100] };
    for (let trial = 0; trial < 300; trial++) {
      const values = wide.min.map((min, d) => min + next() * (wide.max[d]! - min));
      const parsed = parseDiscretisedAction(encodeDiscretisedAction(values, wide), wide);
      if (!parsed.ok) throw new Error(parsed.reason);
      for (let d = 0; d < values.length; d++) {
        const bin = (wide.max[d]! - wide.min[d]!) / 999;
        expect(Math.abs(parsed.values[d]! - values[d]!)).toBeLessThanOrEqual(bin);
      }
    }
  });

  it('rejects bins outside 0–999 and non-integers', () => {
    const r = { min: [0], max: [1] };
    expect(parseDiscretisedAction('<action>1000</action>', r).ok).toBe(false);
    expect(parseDiscretisedAction('<action>1.5</action>', r).ok).toBe(false);
    expect(parseDiscretisedAction('<action>999</action>', r)).toMatchObject({ ok: true, values: [1] });
  });

  it('computes ranges from columns', () => {
    const accumulator = new RangeAccumulator(2);
    accumulator.addColumn(new Float32Array([1, -2, 3, 4]));
    accumulator.addColumn([0, Number.NaN]);
    expect(accumulator.ranges()).toEqual({ min: [0, -2], max: [3, 4] });
    expect(accumulator.rowCount).toBe(3);
    expect(() => accumulator.addColumn([1, 2, 3])).toThrow(/whole rows/);
    expect(new RangeAccumulator(1).ranges()).toEqual({ min: [0], max: [0] });
  });
});
