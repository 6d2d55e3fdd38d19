import { describe, expect, it } from 'vitest';
import { parseOptions, z, InvalidKwargsError } from '@rlft/core';
import { constantSchedule, cosineSchedule, linearSchedule, parseSchedule, scheduleSchema, withWarmup } from './schedules.js';

describe('schedules', () => {
  it('anneal linearly like CleanRL: frac = 1 − (update − 1)/num_updates', () => {
    const numUpdates = 4;
    const cleanRl = [1, 2, 3, 4].map((update) => 1 - (update - 1) / numUpdates);
    expect([0, 1, 2, 3].map((step) => linearSchedule(step, numUpdates))).toEqual(cleanRl);
    expect(cleanRl).toEqual([1, 0.75, 0.5, 0.25]);
    expect(linearSchedule(4, 4)).toBe(0);
    expect(linearSchedule(2, 4, 0.2)).toBeCloseTo(0.6, 12);
  });

  it('decay by a half cosine to the final fraction', () => {
    expect(cosineSchedule(0, 10)).toBe(1);
    expect(cosineSchedule(5, 10)).toBeCloseTo(0.5, 12);
    expect(cosineSchedule(10, 10)).toBeCloseTo(0, 12);
    // 0.1 + 0.9·½(1 + cos(π/4))
    expect(cosineSchedule(1, 4, 0.1)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2), 12);
    expect(cosineSchedule(4, 4, 0.1)).toBeCloseTo(0.1, 12);
    expect(constantSchedule(7, 10)).toBe(1);
  });

  it('clamp steps outside the run and reject an empty run', () => {
    expect(linearSchedule(20, 10)).toBe(0);
    expect(cosineSchedule(-1, 10)).toBe(1);
    expect(() => linearSchedule(0, 0)).toThrow(/totalSteps > 0/);
  });

  it('warm up linearly, then run the schedule over the remaining steps', () => {
    const schedule = withWarmup(linearSchedule, 2);
    // 2 warm-up steps of 6: 0, 0.5, then linear over 4 updates: 1, 0.75, 0.5, 0.25.
    expect([0, 1, 2, 3, 4, 5].map((step) => schedule(step, 6))).toEqual([0, 0.5, 1, 0.75, 0.5, 0.25]);
    const fromTenth = withWarmup(constantSchedule, 4, 0.1);
    expect([0, 2, 4].map((step) => fromTenth(step, 10))).toEqual([0.1, expect.closeTo(0.55, 12), 1]);
    expect(withWarmup(cosineSchedule, 0)).toBe(cosineSchedule);
    expect(() => schedule(0, 2)).toThrow(/warmupSteps \(2\) must be smaller than the number of updates \(2\)/);
    expect(() => withWarmup(linearSchedule, 1.5)).toThrow(/integer/);
  });

  it('parse names and objects from configs', () => {
    expect(parseSchedule('constant')(3, 10)).toBe(1);
    expect(parseSchedule('linear')(3, 10)).toBeCloseTo(0.7, 12);
    expect(parseSchedule('cosine')(5, 10)).toBeCloseTo(0.5, 12);
    const warm = parseSchedule({ type: 'cosine', warmupSteps: 2, finalFraction: 0.1 });
    expect(warm(1, 12)).toBeCloseTo(0.5, 12);
    expect(warm(2, 12)).toBe(1);
    expect(warm(12, 12)).toBeCloseTo(0.1, 12);
  });

  it('reject unknown types and keys with the allowed ones named', () => {
    expect(() => parseSchedule('exponential' as never)).toThrow(InvalidKwargsError);
    expect(() => parseSchedule('exponential' as never)).toThrow(/unknown schedule "exponential".*Allowed: constant, linear, cosine/);
    expect(() => parseSchedule({ type: 'step' } as never)).toThrow(/'type'.*Allowed: type, warmupSteps, warmupStartFraction, finalFraction/);
    expect(() => parseSchedule({ type: 'linear', warmup: 3 } as never)).toThrow(/warmup/);
    expect(() => parseSchedule({ type: 'constant', finalFraction: 0.5 })).toThrow(/finalFraction applies to linear and cosine/);
    expect(() => parseSchedule({ type: 'linear', warmupSteps: -1 })).toThrow(/'warmupSteps'/);
  });

  it('embed in an algorithm config schema', () => {
    const config = z.object({ learningRate: z.number(), lrSchedule: scheduleSchema.default('linear') });
    expect(parseOptions(config, { learningRate: 1e-3 }, 'algo').lrSchedule).toBe('linear');
    const parsed = parseOptions(config, { learningRate: 1e-3, lrSchedule: { type: 'cosine', warmupSteps: 5 } }, 'algo');
    expect(parseSchedule(parsed.lrSchedule)(0, 10)).toBe(0);
    expect(() => parseOptions(config, { learningRate: 1e-3, lrSchedule: 'cyclic' }, 'algo')).toThrow(/lrSchedule/);
  });
});
