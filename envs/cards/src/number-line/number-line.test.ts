import { checkEnv, evaluatePolicy, EnvRegistry } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from '../plugin.js';
import { MOVE_LEFT, MOVE_RIGHT, NumberLineEnv } from './env.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

describe('NumberLine-v0', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new NumberLineEnv({}, { renderMode: 'ansi' }), { seed: 1, steps: 200 });
    await checkEnv(() => registry().make('NumberLine-v0', { max_position: 9 }), { seed: 2, steps: 200 });
  });

  it('gives 0 for a move closer, −1 for a move away or into a wall, +1 at the target', () => {
    const env = new NumberLineEnv();
    const { obs, info } = env.reset({ options: { current: 1, target: 3 } });
    expect(Array.from(obs)).toEqual([1, 3]);
    expect(info.text).toContain('You are at 1 on a number line from 0 to 5; the target is 3.');
    expect(env.step(MOVE_LEFT)).toMatchObject({ reward: -1, terminated: false });
    expect(Array.from(env.step(MOVE_LEFT).obs)).toEqual([0, 3]); // the wall: no closer, −1
    expect(env.step(MOVE_RIGHT)).toMatchObject({ reward: 0, terminated: false });
    expect(env.step(MOVE_RIGHT).reward).toBe(0);
    expect(env.step(MOVE_RIGHT)).toMatchObject({ reward: 1, terminated: true, truncated: false, info: { text: 'You reached the target 3.' } });
  });

  it('truncates after 2·max_position steps', () => {
    const env = new NumberLineEnv({ max_position: 3 });
    env.reset({ options: { current: 3, target: 0 } });
    const rewards: number[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = env.step(MOVE_RIGHT);
      rewards.push(last.reward);
      expect(last.truncated).toBe(i === 5);
    }
    expect(rewards).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(last!.terminated).toBe(false);
  });

  it('never starts on the target and covers every other position', () => {
    const env = new NumberLineEnv();
    env.reset({ seed: 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const [current, target] = env.reset().obs;
      expect(current).not.toBe(target);
      seen.add(`${current},${target}`);
    }
    expect(seen.size).toBe(30); // 6·5 ordered pairs
  });

  it('renders the line and rejects bad actions and reset options', () => {
    const env = new NumberLineEnv({}, { renderMode: 'ansi' });
    env.reset({ options: { current: 4, target: 1 } });
    expect(env.render()).toBe('.T..@.  (at 4, target 1, step 0/10)\n');
    expect(() => env.step(2)).toThrow(/0 \(move left\) or 1 \(move right\)/);
    expect(() => env.reset({ options: { current: 6, target: 1 } })).toThrow(/integers in \[0, 5\]/);
    expect(() => new NumberLineEnv({ max_position: 0 })).toThrow(/max_position/);
  });

  it('its expert always reaches the target, in |target − start| steps', async () => {
    const envs = registry();
    const env = await envs.make('NumberLine-v0', { max_position: 7 });
    const expert = await envs.spec('NumberLine-v0').expert!({ envId: 'NumberLine-v0', observationSpace: env.observationSpace, actionSpace: env.actionSpace }, {});
    const result = await evaluatePolicy(env, expert, { episodes: 200, seed: 0 });
    expect(result.episodes.every((e) => e.terminated && e.return === 1)).toBe(true);
    expect(result.length.max).toBeLessThanOrEqual(7);
  });
});
