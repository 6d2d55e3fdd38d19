import { describe, expect, it } from 'vitest';
import { LengthReward } from './length.js';

describe('length reward', () => {
  it('charges coef per character of the completion past the target', () => {
    const reward = new LengthReward({ coef: 0.5, target: 4 });
    const scores = reward.score([
      { prompt: 'a long prompt that does not count', prefix: '<action>', completion: '1,2' },
      { prompt: '', completion: '1.000,2.000' },
    ]);
    expect(scores[0]).toBe(0);
    expect(scores[1]).toBe(-3.5);
  });

  it('counts code points, and counts tokens with a given counter', () => {
    expect(new LengthReward({ coef: 1 }).score([{ prompt: '', completion: 'é😀' }])).toEqual([-2]);
    const words = new LengthReward({ coef: 1, target: 1, countLength: (text) => text.split(' ').length });
    expect(words.score([{ prompt: '', completion: 'one two three' }])).toEqual([-2]);
  });

  it('rejects a negative coef or target', () => {
    expect(() => new LengthReward({ coef: -1 })).toThrow(/coef ≥ 0/);
  });
});
