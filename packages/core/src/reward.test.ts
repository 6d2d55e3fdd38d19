import { describe, expect, it } from 'vitest';
import { ComposedReward, type RewardFunction } from './reward.js';

const length: RewardFunction<string> = { name: 'length', score: (batch) => batch.map((s) => s.length) };
const hasAnswer: RewardFunction<string> = { name: 'format', score: async (batch) => batch.map((s) => (s.includes('<answer>') ? 1 : 0)) };

describe('ComposedReward', () => {
  it('sums weighted components and reports each unweighted under its name', async () => {
    const reward = new ComposedReward([
      { reward: length, weight: -0.5 },
      { reward: hasAnswer, weight: 2 },
    ]);
    const batch = ['<answer>4</answer>', 'four'];
    const { total, components } = await reward.scoreWithComponents(batch);
    expect(components).toEqual({ length: [18, 4], format: [1, 0] });
    expect(total).toEqual([-0.5 * 18 + 2, -0.5 * 4]);
    expect(await reward.score(batch)).toEqual(total);
    expect(reward.name).toBe('total');
  });

  it('can itself be a component of another composition', async () => {
    const inner = new ComposedReward([{ reward: length, weight: 1 }], 'inner');
    const outer = new ComposedReward([
      { reward: inner, weight: 3 },
      { reward: hasAnswer, weight: 1 },
    ]);
    expect(await outer.score(['ab'])).toEqual([6]);
  });

  it('rejects clashing names, empty lists, non-finite weights and short score lists', async () => {
    expect(() => new ComposedReward([{ reward: length, weight: 1 }, { reward: { ...hasAnswer, name: 'length' }, weight: 1 }])).toThrow(
      "Reward component 'length' appears twice; names must be unique",
    );
    expect(() => new ComposedReward([])).toThrow('A composed reward needs at least one component');
    expect(() => new ComposedReward([{ reward: length, weight: NaN }])).toThrow("Reward 'length' has a non-finite weight NaN");
    const short: RewardFunction<string> = { name: 'short', score: () => [1] };
    await expect(new ComposedReward([{ reward: short, weight: 1 }]).score(['a', 'b'])).rejects.toThrow("Reward 'short' returned 1 scores for 2 inputs");
  });
});
