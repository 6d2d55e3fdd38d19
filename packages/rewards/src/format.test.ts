import { Box, Discrete } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { FormatReward } from './format.js';
import type { CompletionSample } from './sample.js';

const prefilled = (completion: string): CompletionSample => ({ prompt: '<observation>0.1</observation>', prefix: '<action>', completion });

describe('format reward (reference definition)', () => {
  const reward = new FormatReward({ dims: 2 });

  it('gives +1 for an answer that ends with </action>, minus 0.1 per trailing character', () => {
    const scores = reward.score([
      prefilled('0.50000,-0.25000</action>'),
      prefilled('0.5,-0.25</action>abc'),
      prefilled('0.5,-0.25</action>\n'),
    ]);
    expect(scores[0]).toBe(1);
    expect(scores[1]).toBeCloseTo(-0.3, 12);
    expect(scores[2]).toBeCloseTo(-0.1, 12);
  });

  it('scores −10 for unreadable answers and for the wrong number of values', () => {
    expect(reward.score([prefilled('hello'), prefilled('0.5</action>'), prefilled('0.5,0.1,0.2</action>'), prefilled('0.5,0.1')])).toEqual([
      -10, -10, -10, -10,
    ]);
  });

  it('reads the opening tag from the completion when nothing was prefilled', () => {
    expect(reward.score([{ prompt: '', completion: '<action>1,2</action>' }])).toEqual([1]);
    // Text before the tag is not "after </action>", so it costs nothing here.
    expect(reward.score([{ prompt: '', completion: 'ok <action>1,2</action>' }])).toEqual([1]);
  });

  it('tells the two penalties apart when they are configured differently', () => {
    const custom = new FormatReward({ dims: 2, unreadablePenalty: -7, wrongCountPenalty: -3, trailingCharacterCost: 1, closingBonus: 2 });
    expect(custom.score([prefilled('x,y</action>'), prefilled('1</action>'), prefilled('1,2</action>zz')])).toEqual([-7, -3, -2]);
  });

  it('checks discretised answers as bins 0–999', () => {
    const discretised = new FormatReward({ format: 'discretised', ranges: { min: [-1, -1], max: [1, 1] } });
    expect(discretised.score([prefilled('0,999</action>'), prefilled('0,1000</action>'), prefilled('0.5,3</action>')])).toEqual([1, -10, -10]);
  });

  it('takes the number of values from the action space', () => {
    const box = new FormatReward({ actionSpace: new Box({ low: -1, high: 1, shape: [3], dtype: 'float32' }) });
    const discrete = new FormatReward({ actionSpace: new Discrete(4).toJSON() });
    expect(box.score([prefilled('1,2,3</action>'), prefilled('1</action>')])).toEqual([1, -10]);
    expect(discrete.score([prefilled('1,2,3</action>'), prefilled('1</action>')])).toEqual([-10, 1]);
  });

  it('takes the number of values from the reference action when dims is not set', () => {
    const fromReference = new FormatReward();
    expect(fromReference.score([{ ...prefilled('1</action>'), referenceAction: 3 }, { ...prefilled('1</action>'), referenceAction: [1, 2] }])).toEqual([1, -10]);
    expect(() => fromReference.score([prefilled('1</action>')])).toThrow(/set 'dims'/);
  });
});
