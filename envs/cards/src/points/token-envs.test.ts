import { EnvRegistry, ResetNeededError, checkEnv, evaluatePolicy } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { pointsRegistrations } from './registration.js';
import { EZPointsEnv, Points24Env } from './token-envs.js';
import type { TokenPointsEnv } from './token-game.js';
import { TokenPointsExpert } from './token-expert.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of pointsRegistrations) envs.register(registration);
  return envs;
}

/** Step the tokens (by their text) and return every step's reward, plus the last result. */
function play(env: TokenPointsEnv, tokens: string[]) {
  const rewards: number[] = [];
  let last;
  for (const token of tokens) {
    const action = env.vocabulary.indexOf(token);
    expect(action, `token ${token}`).toBeGreaterThanOrEqual(0);
    last = env.step(action);
    rewards.push(last.reward);
  }
  return { rewards, last: last! };
}

describe('Points24-v0', () => {
  it('has the tokens 1–10, + - * / ( ) = (1–13 when face cards count 11–13)', () => {
    expect(new Points24Env().vocabulary.join(' ')).toBe('1 2 3 4 5 6 7 8 9 10 + - * / ( ) =');
    expect(new Points24Env({ face_cards_as_10: false }).vocabulary.length).toBe(20);
  });

  it('pays +10 for a correct formula and 0 for each accepted token', () => {
    const env = new Points24Env();
    env.reset({ options: { cards: [4, 7, 8, 8] } });
    const { rewards, last } = play(env, ['(', '7', '-', '8', '/', '8', ')', '*', '4', '=']);
    expect(rewards).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
    expect([last.terminated, last.info.correct]).toEqual([true, true]);
    expect(() => env.step(0)).toThrow(ResetNeededError);
  });

  it('rejects tokens that cannot continue the formula with −1 and goes on', () => {
    const env = new Points24Env();
    env.reset({ options: { cards: [4, 7, 8, 8] } });
    const { rewards, last } = play(env, ['+', '5', '4', '4', ')', '*', '*', '(']);
    expect(rewards).toEqual([-1, -1, 0, -1, -1, 0, -1, 0]);
    expect(last.terminated).toBe(false);
    expect(last.info.formula_tokens).toEqual(['4', '*', '(']);
    expect(Array.from((last.obs as { formula: Int32Array }).formula.slice(0, 4))).toEqual([3, 12, 14, -1]);
  });

  it('pays −1 and ends on = with a wrong value, unused cards or an incomplete formula', () => {
    for (const tokens of [['4', '+', '7', '+', '8', '+', '8', '='], ['8', '*', '4', '='], ['(', '7', '-', '=']]) {
      const env = new Points24Env();
      env.reset({ options: { cards: [4, 7, 8, 8] } });
      const { last } = play(env, tokens);
      expect([last.reward, last.terminated, last.info.correct], tokens.join(' ')).toEqual([-1, true, false]);
    }
  });

  it('ends with −1 on the 21st token', () => {
    const env = new Points24Env();
    env.reset({ options: { cards: [4, 7, 8, 8] } });
    const { rewards, last } = play(env, Array(21).fill('('));
    expect(rewards.slice(0, 20)).toEqual(Array(20).fill(0));
    expect([last.reward, last.terminated, last.info.reward_reason]).toEqual([-1, true, 'the formula ran past 20 tokens']);
  });

  it('renders text and passes the env checker', async () => {
    const env = await registry().make('Points24-v0', {}, { renderMode: 'ansi' });
    env.reset({ seed: 0 });
    expect(env.render()).toMatch(/^Cards: .*target 24\nFormula: \(empty\)/);
    await checkEnv(() => new Points24Env(), { seed: 0, steps: 60 });
    await checkEnv(() => registry().make('Points24-v0', { face_cards_as_10: false }, { renderMode: 'ansi' }), { seed: 1, steps: 60 });
  });

  it('the solver expert wins every deal token by token', async () => {
    for (const kwargs of [{}, { face_cards_as_10: false }]) {
      const env = await registry().make('Points24-v0', kwargs);
      const result = await evaluatePolicy(env as never, new TokenPointsExpert() as never, { episodes: 100, seed: 0 });
      expect(result.return.min).toBe(10);
    }
  });
});

describe('EZPoints-v0', () => {
  it('has the tokens 1–10, + * =, two cards and target 12', () => {
    const env = new EZPointsEnv();
    expect(env.vocabulary.join(' ')).toBe('1 2 3 4 5 6 7 8 9 10 + * =');
    const { obs, info } = env.reset({ seed: 0 });
    expect((obs as { cards: Int32Array }).cards.length).toBe(2);
    expect(info.target).toBe(12);
  });

  it('pays +10 for 3*4 and for 5+7, −1 for a wrong result; J/Q/K count 10', () => {
    const env = new EZPointsEnv();
    env.reset({ options: { cards: [3, 4] } });
    expect(play(env, ['3', '*', '4', '=']).rewards).toEqual([0, 0, 0, 10]);
    env.reset({ options: { cards: [5, 7] } });
    expect(play(env, ['7', '+', '5', '=']).last.reward).toBe(10);
    env.reset({ options: { cards: [3, 4] } });
    expect(play(env, ['3', '+', '4', '=']).last).toMatchObject({ reward: -1, terminated: true });
    env.reset({ options: { cards: [2, 13] } });
    expect(play(env, ['10', '+', '2', '=']).last.reward).toBe(10);
  });

  it('ends with −1 on the 6th token', () => {
    const env = new EZPointsEnv();
    env.reset({ options: { cards: [3, 4] } });
    const { rewards, last } = play(env, ['+', '+', '+', '+', '+', '3']);
    expect(rewards).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(last.terminated).toBe(true);
  });

  it('passes the env checker and the expert wins every deal', async () => {
    await checkEnv(() => registry().make('EZPoints-v0', {}, { renderMode: 'ansi' }), { seed: 0, steps: 60 });
    const env = await registry().make('EZPoints-v0');
    const result = await evaluatePolicy(env as never, new TokenPointsExpert() as never, { episodes: 100, seed: 0 });
    expect([result.return.min, result.length.max]).toEqual([10, 4]);
  });
});
