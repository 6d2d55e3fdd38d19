import { EnvRegistry, ResetNeededError, Rng, checkEnv, evaluatePolicy } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { parseAnswer } from './answer.js';
import { GeneralPointsExpert } from './expert.js';
import { GeneralPointsEnv, type GeneralPointsKwargs } from './general-points.js';
import { pointsRegistrations } from './registration.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of pointsRegistrations) envs.register(registration);
  return envs;
}

function answer(formula: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ cards: [], number: [], formula, ...extra });
}

/** One attempt on a fixed hand: reward and info. */
function attempt(cards: (number | string)[], text: string, kwargs: GeneralPointsKwargs = {}) {
  const env = new GeneralPointsEnv(kwargs);
  env.reset({ seed: 0, options: { cards } });
  return env.step(text);
}

describe('GeneralPoints-v0 rewards', () => {
  it('pays 5 for a correct formula and ends the episode', () => {
    for (const [cards, formula] of [
      [[4, 7, 8, 8], '(7-8/8)*4'],
      [[3, 3, 8, 8], '8/(3-8/3)'],
      [[1, 2, 3, 4], '1*2*3*4'],
      [[6, 6, 6, 6], '6+6+6+6'],
    ] as [number[], string][]) {
      const { reward, terminated, truncated, info } = attempt(cards, answer(formula));
      expect({ reward, terminated, truncated, correct: info.correct }, `${cards} ${formula}`).toEqual({ reward: 5, terminated: true, truncated: false, correct: true });
      expect(info.formula).toBe(formula);
    }
  });

  it('pays −1 for a legal formula over the right numbers with the wrong value', () => {
    const { reward, terminated, info } = attempt([4, 7, 8, 8], answer('4+7+8+8'));
    expect([reward, terminated, info.violations]).toEqual([-1, false, ['no-solution']]);
    expect(info.reward_reason).toMatch(/evaluates to 27, not 24/);
    expect(info.formula_value).toBe('27');
  });

  it('pays −2 for the target reached with the wrong numbers, −3 when the value is wrong too', () => {
    const wrongNumbers = attempt([4, 7, 8, 8], answer('3*8'));
    expect([wrongNumbers.reward, wrongNumbers.info.violations]).toEqual([-2, ['wrong-numbers']]);
    const wrongBoth = attempt([4, 7, 8, 8], answer('4*7*8*9'));
    expect([wrongBoth.reward, wrongBoth.info.violations]).toEqual([-3, ['wrong-numbers', 'no-solution']]);
    const missing = attempt([4, 7, 8, 8], answer('4+7+8'));
    expect([missing.reward, missing.info.violations]).toEqual([-3, ['wrong-numbers', 'no-solution']]);
  });

  it('pays −3 for an illegal formula, −5 when its numbers are wrong as well', () => {
    expect(attempt([4, 7, 8, 8], answer('(7-8/8)*4)')).reward).toBe(-3);
    expect(attempt([4, 7, 8, 8], answer('7 8 8 4')).reward).toBe(-3);
    expect(attempt([4, 7, 8, 8], answer('sqrt(4)')).reward).toBe(-3);
    const both = attempt([4, 7, 8, 8], answer('(1+2'));
    expect([both.reward, both.info.violations]).toEqual([-5, ['illegal-formula', 'wrong-numbers']]);
  });

  it('treats division by zero as an illegal formula', () => {
    const { reward, info } = attempt([4, 4, 8, 8], answer('8/(4-4)*8'));
    expect(reward).toBe(-3);
    expect(info.reward_reason).toMatch(/divides 8 by zero/);
  });

  it('pays 1 for the beginning of a solution, in either operand order, and continues', () => {
    for (const prefix of ['(7-8/8)*', '(7-8/8', '4*(', '4 × (7 − 8 ÷', '4*(7-8/8']) {
      const { reward, terminated, info } = attempt([4, 7, 8, 8], answer(prefix));
      expect([reward, terminated, info.partial], prefix).toEqual([1, false, true]);
    }
    // Not the start of any solution: illegal (incomplete) and missing numbers.
    expect(attempt([4, 7, 8, 8], answer('(4+4')).reward).toBe(-5);
  });

  it('reads J, Q, K as 10 by default and as 11, 12, 13 with face_cards_as_10: false', () => {
    const as10 = attempt(['J', 'Q', 'K', 'A'], answer('10+10+10*1'), {});
    expect([as10.info.numbers, as10.info.violations]).toEqual([[10, 10, 10, 1], ['no-solution']]);
    expect(attempt(['J', 'Q', 'K', 'A'], answer('11+12+13*1')).info.violations).toEqual(['wrong-numbers', 'no-solution']);
    const jq = attempt(['J', 'Q', 'K', 'A'], answer('12*(13-11)*1'), { face_cards_as_10: false });
    expect([jq.reward, jq.info.numbers, jq.info.cards]).toEqual([5, [11, 12, 13, 1], ['J', 'Q', 'K', 'A']]);
    expect(attempt(['J', 'Q', 'K', 'A'], answer('12*(13-11)*1'), { face_cards_as_10: true }).reward).toBe(-2);
    const prompt = new GeneralPointsEnv({ face_cards_as_10: false }).reset({ seed: 1 }).obs as string;
    expect(prompt).toMatch(/'J' counts as 11, 'Q' as 12 and 'K' as 13/);
    expect(new GeneralPointsEnv().reset({ seed: 1 }).obs).toMatch(/'J', 'Q' and 'K' each count as 10/);
  });

  it('deals solvable hands, and with ood at least one face card', () => {
    const env = new GeneralPointsEnv({ ood: true, face_cards_as_10: false });
    for (let seed = 0; seed < 40; seed++) {
      const { info } = env.reset({ seed });
      expect((info.card_ranks as number[]).some((r) => r > 10)).toBe(true);
      expect(info.solutions as number).toBeGreaterThan(0);
      expect(info.cards as string[]).toHaveLength(4);
    }
    const oodAs10 = new GeneralPointsEnv({ ood: true });
    for (let seed = 0; seed < 20; seed++) {
      const { info } = oodAs10.reset({ seed });
      expect((info.card_ranks as number[]).some((r) => r > 10)).toBe(true);
      expect((info.numbers as number[]).every((v) => v <= 10)).toBe(true);
    }
    const plain = new GeneralPointsEnv();
    const faces = Array.from({ length: 60 }, (_, seed) => (plain.reset({ seed }).info.card_ranks as number[]).some((r) => r > 10));
    expect(faces).toContain(false);
  });

  it('reads JSON in code fences and among prose, falls back to a pattern, and ignores "= …"', () => {
    const fenced = 'Let me think.\n```json\n{"cards": ["4","7","8","8"], "number": [4,7,8,8], "formula": "(7-8/8)*4 = 24"}\n```\nDone.';
    expect(attempt([4, 7, 8, 8], fenced)).toMatchObject({ reward: 5, info: { answer_source: 'json', formula: '(7-8/8)*4' } });
    const broken = '{"cards": [4, 7, 8, 8], "formula": "(7-8/8)*4 = 24", oops}';
    expect(attempt([4, 7, 8, 8], broken)).toMatchObject({ reward: 5, info: { answer_source: 'pattern' } });
    expect(attempt([4, 7, 8, 8], 'My answer.\nFormula: (7−8÷8)×4 = 24')).toMatchObject({ reward: 5, info: { answer_source: 'pattern' } });
    expect(parseAnswer('{"a": {"b": 1}, "formula": "1+2"}')).toMatchObject({ formula: '1+2', source: 'json' });
    expect(parseAnswer('I do not know')).toMatchObject({ formula: undefined, source: 'none' });
    const none = attempt([4, 7, 8, 8], 'I do not know');
    expect([none.reward, none.info.reward_reason]).toEqual([-3, expect.stringMatching(/no formula was found/)]);
  });

  it('explains a failure in the next observation, allows 5 attempts, then truncates with −1', () => {
    const env = new GeneralPointsEnv();
    env.reset({ seed: 0, options: { cards: [4, 7, 8, 8] } });
    const rewards: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = env.step(answer('4+7+8+8'));
      rewards.push(result.reward);
      expect(result.obs).toMatch(/You failed this trial because the formula evaluates to 27, not 24/);
      expect([result.terminated, result.truncated, result.info.attempt]).toEqual([false, false, i + 1]);
    }
    expect(rewards).toEqual([-1, -1, -1, -1, -1]);
    const last = env.step(answer('(7-8/8)*4'));
    expect([last.reward, last.terminated, last.truncated, last.info.correct]).toEqual([-1, false, true, false]);
    expect(() => env.step('x')).toThrow(ResetNeededError);
  });

  it('lets a correct answer on a later attempt end the episode', () => {
    const env = new GeneralPointsEnv({ max_attempts: 2 });
    env.reset({ seed: 0, options: { cards: ['A', 2, 3, 4] } });
    expect(env.step('no idea').reward).toBe(-3);
    expect(env.step(answer('1*2*3*4'))).toMatchObject({ reward: 5, terminated: true });
  });

  it('never throws on malformed output', () => {
    const env = new GeneralPointsEnv();
    env.reset({ seed: 3 });
    const inputs = ['', '{', '{"formula": 5}', '{"formula": null}', '"formula": "((((((', 'formula: 1e999', '{"formula": "' + '9'.repeat(5000) + '"}', '\u0000\uffff', '['.repeat(10_000)];
    for (const text of inputs) {
      env.reset({ seed: 3 });
      const { reward, info } = env.step(text);
      expect(reward).toBeLessThan(0);
      expect(typeof info.reward_reason).toBe('string');
      expect(env.observationSpace.contains(env.step(text).obs)).toBe(true);
    }
  });

  it('reads a long answer through make() (its action checker admits it) with the JSON at the end', async () => {
    const env = await registry().make('GeneralPoints-v0');
    env.reset({ seed: 0, options: { cards: [4, 7, 8, 8] } });
    const long = `${'Thinking about the cards. '.repeat(4000)}\n${answer('(7-8/8)*4')}`;
    expect(long.length).toBeGreaterThan(100_000);
    expect(env.step(long)).toMatchObject({ reward: 5, terminated: true });
  });

  it('scores seeded random answers without throwing, inside its observation space (fuzz)', () => {
    const rng = Rng.fromSeed(99);
    const pieces = ['{', '}', '"formula"', ':', '"', '(', ')', '7', '8', '4', '×', '÷', '−', '=', '24', ' ', '```json', '\n', 'formula:', '9'.repeat(30), '[', ']', ','];
    const env = new GeneralPointsEnv({ max_attempts: 100 });
    env.reset({ seed: 0, options: { cards: [4, 7, 8, 8] } });
    const rewards = new Set<number>();
    for (let n = 0; n < 100; n++) {
      let text = '';
      for (let i = rng.integer(0, 40); i > 0; i--) text += pieces[rng.integer(0, pieces.length - 1)];
      const { obs, reward, info } = env.step(text);
      expect(env.observationSpace.contains(obs)).toBe(true);
      expect(typeof info.reward_reason).toBe('string');
      rewards.add(reward);
    }
    expect([...rewards].every((r) => [5, 1, -1, -2, -3, -5].includes(r))).toBe(true);
    expect(rewards.size).toBeGreaterThan(1);
  });

  it('offers a numeric representation: a Box of the four card values', () => {
    const env = new GeneralPointsEnv({ representation: 'numeric', face_cards_as_10: true });
    const { obs, info } = env.reset({ seed: 0, options: { cards: ['K', 2, 3, 4] } });
    expect(Array.from(obs as Float32Array)).toEqual([10, 2, 3, 4]);
    expect(info.text).toMatch(/Your cards: K, 2, 3, 4/);
  });

  it('passes the env checker in both representations, raw and through make()', async () => {
    await checkEnv(() => new GeneralPointsEnv(), { seed: 1, steps: 40 });
    await checkEnv(() => new GeneralPointsEnv({ representation: 'numeric', ood: true }), { seed: 2, steps: 40 });
    await checkEnv(() => registry().make('GeneralPoints-v0', { face_cards_as_10: false }, { renderMode: 'ansi' }), { seed: 3, steps: 40 });
  });

  it('the solver expert wins 200 of 200 deals through evaluatePolicy', async () => {
    const env = await registry().make('GeneralPoints-v0', { face_cards_as_10: false });
    const result = await evaluatePolicy(env as never, new GeneralPointsExpert() as never, { episodes: 200, seed: 0 });
    expect(result.return.min).toBe(5);
    expect(result.length.max).toBe(1);
  });
});
