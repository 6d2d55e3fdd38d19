import { checkEnv, evaluatePolicy, EnvRegistry, RandomPolicy } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from '../plugin.js';
import { BlackjackEnv, HIT, STICK } from './env.js';
import { BlackjackBasicStrategy, basicStrategy } from './expert.js';
import { handSum, hasUsableAce, isNatural } from './hand.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

/** Deal a scripted hand: cards go dealer, dealer, player, player, then in draw order. */
function deal(cards: number[], kwargs = {}): BlackjackEnv {
  const env = new BlackjackEnv(kwargs);
  env.reset({ seed: 0, options: { cards } });
  return env;
}

describe('Blackjack hand arithmetic', () => {
  it('counts an ace as 11 only when that does not bust', () => {
    expect([handSum([1, 6]), hasUsableAce([1, 6])]).toEqual([17, true]);
    expect([handSum([1, 6, 9]), hasUsableAce([1, 6, 9])]).toEqual([16, false]);
    expect([handSum([1, 1]), hasUsableAce([1, 1])]).toEqual([12, true]);
    expect(handSum([10, 10, 1])).toBe(21);
    expect([isNatural([10, 1]), isNatural([1, 10]), isNatural([5, 5, 1]), isNatural([1, 9])]).toEqual([true, true, false, false]);
  });
});

describe('Blackjack-v1', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new BlackjackEnv({}, { renderMode: 'ansi' }), { seed: 1, steps: 200 });
    await checkEnv(() => registry().make('Blackjack-v1', { natural: true }), { seed: 2, steps: 200 });
  });

  it('observes (player sum, dealer showing card, usable ace) and describes it in info.text', () => {
    const env = new BlackjackEnv();
    const { obs, info } = env.reset({ options: { cards: [10, 7, 1, 4] } });
    expect(obs).toEqual([15, 10, 1]);
    expect(info.text).toBe('Your sum is 15 with a usable ace; the dealer shows 10. Choose 0 to stick or 1 to hit.');
  });

  it('hits: a usable ace turns hard instead of busting, then a bust loses −1', () => {
    const env = deal([10, 7, 1, 4, 9, 8]);
    const soft = env.step(HIT); // A 4 9 = 14, the ace now counts 1
    expect(soft).toMatchObject({ obs: [14, 10, 0], reward: 0, terminated: false });
    const bust = env.step(HIT); // 22
    expect(bust).toMatchObject({ obs: [22, 10, 0], reward: -1, terminated: true, truncated: false });
    expect(bust.info.text).toBe('You bust with 22. You lose (-1).');
  });

  it('sticks: the dealer draws to 17 or more, then the higher score wins', () => {
    // Dealer 2 3 → draws 4 (9), 5 (14), 6 (20) and stops; player 10 9 = 19 loses.
    const lose = deal([2, 3, 10, 9, 4, 5, 6]).step(STICK);
    expect(lose).toMatchObject({ reward: -1, terminated: true, info: { dealer_hand: [2, 3, 4, 5, 6] } });
    // Dealer 10 6 draws 10 and busts: any standing player wins.
    expect(deal([10, 6, 10, 2, 10]).step(STICK)).toMatchObject({ reward: 1, info: { dealer_hand: [10, 6, 10] } });
    // Dealer A 6 is a soft 17 and stands; player 10 7 pushes.
    expect(deal([1, 6, 10, 7]).step(STICK)).toMatchObject({ reward: 0, info: { dealer_hand: [1, 6] } });
    // Dealer 10 7 stands; player 10 8 wins.
    expect(deal([10, 7, 10, 8]).step(STICK).reward).toBe(1);
  });

  it('pays a natural as Gymnasium: +1 plain, +1.5 with natural=true, and only when it wins', () => {
    const naturalVs = (dealer: number[], kwargs: object): number => deal([...dealer, 1, 10], kwargs).step(STICK).reward;
    expect(naturalVs([10, 8], {})).toBe(1);
    expect(naturalVs([10, 8], { natural: true })).toBe(1.5);
    expect(naturalVs([10, 1], { natural: true })).toBe(0); // the dealer's natural pushes
    // A 21 of three cards is not a natural.
    expect(deal([10, 8, 5, 6, 10], { natural: true }).step(HIT).reward).toBe(0);
  });

  it("applies Sutton & Barto's rules with sab=true (overriding natural)", () => {
    expect(deal([10, 8, 1, 10], { sab: true, natural: true }).step(STICK).reward).toBe(1);
    expect(deal([10, 1, 1, 10], { sab: true }).step(STICK).reward).toBe(0);
    // Under sab the player's natural wins even against a dealer 21 of three cards.
    expect(deal([5, 6, 1, 10, 10], { sab: true }).step(STICK)).toMatchObject({ reward: 1, info: { dealer_hand: [5, 6, 10] } });
    expect(deal([5, 6, 1, 10, 10], { natural: true }).step(STICK).reward).toBe(0);
  });

  it('draws uniformly from the 13-card infinite deck, reproducibly per seed', () => {
    const env = new BlackjackEnv();
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      env.reset(i === 0 ? { seed: 3 } : {});
      const { info } = env.step(STICK);
      for (const card of info.player_hand as number[]) counts.set(card, (counts.get(card) ?? 0) + 1);
    }
    // 4000 player cards: tens are 4/13 of them, each other value 1/13.
    expect((counts.get(10) ?? 0) / 4000).toBeCloseTo(4 / 13, 1);
    expect((counts.get(1) ?? 0) / 4000).toBeCloseTo(1 / 13, 1);
    const a = new BlackjackEnv().reset({ seed: 9 }).obs;
    const b = new BlackjackEnv().reset({ seed: 9 }).obs;
    expect(a).toEqual(b);
  });

  it('renders the hands as text, hiding the dealer hole card until the end', () => {
    const env = new BlackjackEnv({}, { renderMode: 'ansi' });
    env.reset({ options: { cards: [10, 7, 1, 4] } });
    expect(env.render()).toBe('dealer: 10 ?\nplayer: A 4 (15, usable ace)\n');
    env.step(STICK);
    expect(env.render()).toBe('dealer: 10 7 (17)\nplayer: A 4 (15, usable ace)\nresult: -1\n');
  });

  it('rejects bad actions, stepping a finished hand and malformed scripted cards', () => {
    const env = deal([10, 7, 10, 8]);
    expect(() => env.step(2)).toThrow(/0 \(stick\) or 1 \(hit\)/);
    env.step(STICK);
    expect(() => env.step(STICK)).toThrow(/after the hand ended/);
    expect(() => env.reset({ options: { cards: [11] } })).toThrow(/card values 1–10/);
    expect(() => new BlackjackEnv({ split: true } as object)).toThrow(/split/);
  });

  it("plays Sutton & Barto's basic strategy as the expert, which beats random play", async () => {
    expect([basicStrategy(18, 9, true), basicStrategy(18, 8, true), basicStrategy(12, 3, false), basicStrategy(12, 4, false)]).toEqual([HIT, STICK, HIT, STICK]);
    expect([basicStrategy(16, 6, false), basicStrategy(16, 7, false), basicStrategy(17, 1, false), basicStrategy(11, 6, false)]).toEqual([STICK, HIT, STICK, HIT]);
    const envs = registry();
    const env = await envs.make('Blackjack-v1');
    const expert = await envs.spec('Blackjack-v1').expert!({ envId: 'Blackjack-v1', observationSpace: env.observationSpace, actionSpace: env.actionSpace }, {});
    const expertResult = await evaluatePolicy(env, expert as BlackjackBasicStrategy, { episodes: 3000, seed: 0 });
    const randomResult = await evaluatePolicy(env, new RandomPolicy(env.actionSpace, 0), { episodes: 3000, seed: 0 });
    // Random play loses about 0.4 per hand; basic strategy only a few hundredths.
    expect(randomResult.return.mean).toBeLessThan(-0.3);
    expect(expertResult.return.mean).toBeGreaterThan(-0.12);
  });
});
