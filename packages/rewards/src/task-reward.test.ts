import cardsPlugin from '@rlft/envs-cards/plugin';
import { PluginHost } from '@rlft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionSample } from './sample.js';
import { TaskReward, splitTokens } from './task-reward.js';

let host: PluginHost;
beforeAll(async () => {
  host = new PluginHost();
  expect(await host.add(cardsPlugin)).toBe(true);
});

const answer = (formula: string): string => JSON.stringify({ cards: ['A', '2', '3', '4'], number: [1, 2, 3, 4], formula });

describe('task reward: GeneralPoints', () => {
  let reward: TaskReward;
  beforeAll(() => {
    reward = new TaskReward({ registry: host.registry });
  });
  afterAll(() => reward.close());

  it("pays the game's rewards for the prompt's deal (meta.cards)", async () => {
    const deal = (completion: string): CompletionSample => ({ prompt: 'cards A 2 3 4', completion, meta: { cards: ['A', '2', '3', '4'] } });
    const scores = await reward.score([
      deal(answer('(1+2+3)*4')), // correct: 5
      deal(answer('1+2+3+4')), // the right cards but 10: no solution, −1
      deal(answer('(1+2+3)*5')), // 30 with a 5 that is no card: −1 (value) −2 (numbers)
      deal('I do not know'), // no formula at all: illegal, −3
    ]);
    expect(scores).toEqual([5, -1, -3, -3]);
  });

  it('reproduces a seeded deal, so the same answer scores as it would in the env', async () => {
    const env = await host.registry.make<string, string>('GeneralPoints-v0');
    const { info } = env.reset({ seed: 11 });
    const numbers = info.numbers as number[];
    const sumFormula = numbers.join('+');
    const expected = env.step(JSON.stringify({ formula: sumFormula })).reward;
    env.close();
    expect(await reward.score([{ prompt: '', completion: JSON.stringify({ formula: sumFormula }), meta: { seed: 11 } }])).toEqual([expected]);
    await expect(reward.score([{ prompt: '', completion: '{}' }])).rejects.toThrow(/meta.cards or meta.seed/);
  });

  it('uses the sample env kwargs (face cards as 11, 12, 13)', async () => {
    const faces = (formula: string): CompletionSample => ({
      prompt: '',
      completion: JSON.stringify({ formula }),
      envKwargs: { face_cards_as_10: false },
      envState: { options: { cards: ['J', 'Q', 'K', 'A'] } },
    });
    // 11, 12, 13, 1: 12·(13 − 11 − 1) = 12 is wrong; (13 − 11)·12·1 = 24 is right.
    expect(await reward.score([faces('(13-11)*12*1'), faces('(13-11)*10*1')])).toEqual([5, -3]);
  });
});

describe('task reward: Points24 token by token', () => {
  let reward: TaskReward;
  beforeAll(() => {
    reward = new TaskReward({ registry: host.registry, envId: 'Points24-v0' });
  });
  afterAll(() => reward.close());

  const deal = (completion: string): CompletionSample => ({ prompt: '', completion, envState: { options: { cards: [1, 2, 3, 4] } } });

  it('plays the answer as tokens and sums the rewards', async () => {
    const scores = await reward.score([
      deal('(1+2+3)*4='), // +10
      deal('( 1 + 2 + 3 ) × 4'), // submitted at the end: +10
      deal('1+2'), // submitted unfinished: −1
      deal('1+1+2'), // the second 1 and the + after it are rejected (−1 each), then 1+2 is submitted (−1)
      deal('1+two'), // not tokens: −1
    ]);
    expect(scores).toEqual([10, 10, -1, -3, -1]);
  });

  it('splits text by the longest token', () => {
    expect(splitTokens('10+1', ['1', '10', '+'])).toEqual([1, 2, 0]);
    expect(splitTokens('1 ? 2', ['1', '2'])).toBeUndefined();
  });
});
