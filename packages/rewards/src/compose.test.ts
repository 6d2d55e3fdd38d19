import { describe, expect, it } from 'vitest';
import { BcReward } from './bc.js';
import { closeRewards, composeRewards } from './compose.js';
import { FormatReward } from './format.js';
import { LengthReward } from './length.js';
import type { CompletionSample } from './sample.js';

const samples: CompletionSample[] = [
  { prompt: '', prefix: '<action>', completion: '0.5,0.5</action>', referenceAction: [0.5, 0.5] },
  { prompt: '', prefix: '<action>', completion: '1.5,0.5</action>xy', referenceAction: [0.5, 0.5] },
  { prompt: '', prefix: '<action>', completion: 'no idea', referenceAction: [0.5, 0.5] },
];

describe('composeRewards', () => {
  const parts = [
    { reward: new FormatReward({ dims: 2 }), weight: 1 },
    { reward: new BcReward(), weight: 2 },
    { reward: new LengthReward({ coef: 0.1, target: 16 }), weight: 0.5 },
  ];

  it('logs every component under its stable name and the weighted sum as the training signal', async () => {
    const composed = composeRewards(parts);
    const { total, components } = await composed.scoreWithComponents(samples);
    expect(Object.keys(components)).toEqual(['format', 'bc', 'length']);
    // Hand-computed: format 1, −0.2, −10; bc 0, −0.5, −10; length 0, −0.2 (18 characters), 0.
    expect(components.format[0]).toBe(1);
    expect(components.format[1]).toBeCloseTo(-0.2, 12);
    expect(components.format[2]).toBe(-10);
    expect(components.bc).toEqual([0, -0.5, -10]);
    expect(components.length[1]).toBeCloseTo(-0.2, 12);
    expect(total[0]).toBe(1);
    expect(total[1]).toBeCloseTo(-0.2 - 1 - 0.1, 12);
    expect(total[2]).toBe(-30);
    for (let i = 0; i < samples.length; i++) {
      const weighted = parts.reduce((sum, { reward, weight }) => sum + weight * components[reward.name][i], 0);
      expect(total[i]).toBeCloseTo(weighted, 12);
    }
    expect(await composed.score(samples)).toEqual(total);
  });

  it('refuses two components with the same name', () => {
    expect(() => composeRewards([...parts, { reward: new FormatReward(), weight: 1 }])).toThrow(/'format' appears twice/);
  });

  it('closes the parts that hold envs and skips the others', async () => {
    let closed = 0;
    const holder = { name: 'holder', score: (batch: readonly CompletionSample[]) => batch.map(() => 0), close: () => void closed++ };
    await closeRewards([...parts, { reward: holder, weight: 1 }]);
    expect(closed).toBe(1);
  });
});
