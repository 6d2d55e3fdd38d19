import { checkEnv, EnvRegistry, ResetNeededError } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

describe('CartPole-v1', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new CartPoleEnv(), { seed: 3, steps: 300 });
    await checkEnv(() => registry().make('CartPole-v1'), { seed: 4, steps: 300 });
  });

  it('takes one Euler step by the formulas: from [0, 0, 0.05, 0] pushing right', () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [0, 0, 0.05, 0] } });
    const { obs, reward, terminated, truncated } = env.step(1);

    // Written out with the constants: g 9.8, masses 1.0 (cart) and 0.1 (pole), half-length 0.5, force +10, τ 0.02.
    const sin = Math.sin(0.05);
    const cos = Math.cos(0.05);
    const temp = (10 + 0.1 * 0.5 * 0 * sin) / 1.1;
    const thetaAcc = (9.8 * sin - cos * temp) / (0.5 * (4 / 3 - (0.1 * cos * cos) / 1.1));
    const xAcc = temp - (0.05 * thetaAcc * cos) / 1.1;
    expect(thetaAcc).toBeCloseTo(-13.8249, 3); // by hand: (0.48980 − 9.07955) / 0.62133
    expect(xAcc).toBeCloseTo(9.7185, 3); // by hand: 9.09091 + 0.05 · 13.8249 · 0.99875 / 1.1

    // Positions move with the old velocities (both 0), velocities with the accelerations.
    const expected = [0, 0.02 * xAcc, 0.05, 0.02 * thetaAcc];
    const state = env.getState();
    for (let i = 0; i < 4; i++) expect(state[i]).toBeCloseTo(expected[i], 14);
    expect(obs).toBeInstanceOf(Float32Array);
    expect(Array.from(obs)).toEqual(expected.map(Math.fround));
    expect([reward, terminated, truncated]).toEqual([1, false, false]);
  });

  it('moves x with the old velocity (explicit Euler, not semi-implicit)', () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [0.1, 0.5, 0, 0] } });
    env.step(0);
    expect(env.getState()[0]).toBe(0.1 + 0.02 * 0.5);
  });

  it('terminates just past x = ±2.4 and past 12°, paying +1 on the terminal step', () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [2.37, 1, 0, 0] } });
    expect(env.step(1).terminated).toBe(false); // x = 2.39
    env.reset({ options: { state: [2.39, 1, 0, 0] } });
    expect(env.step(1)).toMatchObject({ terminated: true, reward: 1 }); // x = 2.41
    env.reset({ options: { state: [-2.39, -1, 0, 0] } });
    expect(env.step(0).terminated).toBe(true);

    const threshold = (12 * 2 * Math.PI) / 360; // 0.20944
    env.reset({ options: { state: [0, 0, threshold - 0.001, 0.04] } });
    expect(env.step(1).terminated).toBe(false); // θ = threshold − 0.0002
    env.reset({ options: { state: [0, 0, 0.2, 0.5] } });
    expect(env.step(1)).toMatchObject({ terminated: true, reward: 1 }); // θ = 0.21
  });

  it('pays 0 for steps after termination, and Sutton & Barto rewards 0 / −1 when asked', () => {
    const env = new CartPoleEnv();
    env.reset({ options: { state: [2.39, 1, 0, 0] } });
    expect(env.step(1).reward).toBe(1);
    expect(env.step(1).reward).toBe(0);

    const sb = new CartPoleEnv({ sutton_barto_reward: true });
    sb.reset({ options: { state: [0, 0, 0, 0] } });
    expect(sb.step(1).reward).toBe(0);
    sb.reset({ options: { state: [2.39, 1, 0, 0] } });
    expect(sb.step(1)).toMatchObject({ reward: -1, terminated: true });
  });

  it('resets each component from U(−0.05, 0.05), or from options.low / options.high', () => {
    const env = new CartPoleEnv();
    const starts: number[] = [];
    for (let seed = 0; seed < 50; seed++) {
      const { obs } = env.reset({ seed });
      const state = env.getState();
      expect(Array.from(obs)).toEqual(Array.from(state, Math.fround));
      starts.push(...state);
    }
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...starts)).toBeLessThan(0.05);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(0.09); // spread over the whole interval
    env.reset({ seed: 1, options: { low: 0.2, high: 0.3 } });
    for (const v of env.getState()) expect(v >= 0.2 && v < 0.3).toBe(true);
    expect(() => env.reset({ options: { low: 0.3, high: 0.2 } })).toThrow(/low \(0.3\) must not be above high \(0.2\)/);
    expect(() => env.reset({ options: { low: 'a' } })).toThrow(/'low' must be a finite number/);
  });

  it('rejects a start state of the wrong length or with non-numbers', () => {
    const env = new CartPoleEnv();
    expect(() => env.reset({ options: { state: [0, 0, 0] } })).toThrow(/4 numbers \[x, x_dot, theta, theta_dot\], got 3 values/);
    expect(() => env.reset({ options: { state: [0, 0, NaN, 0] } })).toThrow(/state\[2\] \(theta\) must be a finite number/);
    expect(() => env.reset({ options: { state: [0, 0, 0, 0], low: -1 } })).toThrow(/exclude each other/);
    expect(() => env.setState([1, 2])).toThrow(/setState\(state\) must hold 4 numbers/);
  });

  it('is deterministic under a seed and replays exactly from getState/setState', () => {
    const run = (): number[] => {
      const env = new CartPoleEnv();
      const trace = Array.from(env.reset({ seed: 42 }).obs);
      for (let t = 0; t < 30; t++) trace.push(...env.step(t % 3 === 0 ? 0 : 1).obs);
      return trace;
    };
    expect(run()).toEqual(run());

    const env = new CartPoleEnv();
    env.reset({ seed: 7 });
    for (let t = 0; t < 5; t++) env.step(t % 2);
    const saved = env.getState();
    const next = env.step(1);
    const twin = new CartPoleEnv();
    twin.setState(saved);
    const replayed = twin.step(1);
    expect(replayed.obs).toEqual(next.obs);
    expect(twin.getState()).toEqual(env.getState());
    expect(saved).not.toBe(env.getState()); // a copy, not the live state
  });

  it('checks the order of calls and the action', () => {
    const env = new CartPoleEnv();
    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset({ seed: 0 });
    expect(() => env.step(2)).toThrow(/action must be 0 \(push left\) or 1 \(push right\), got 2/);
  });

  it('rejects unknown kwargs, naming the allowed ones', async () => {
    expect(() => new CartPoleEnv({ suton_barto_reward: true } as never)).toThrow(/unknown option 'suton_barto_reward' \(did you mean 'sutton_barto_reward'\?\)/);
    await expect(registry().make('CartPole-v1', { gravity: 3 })).rejects.toThrow(/Allowed: sutton_barto_reward/);
  });

  it('renders the state as text and as a 600×400 RGB frame that follows the cart', () => {
    const env = new CartPoleEnv({}, { renderMode: 'ansi' });
    env.reset({ options: { state: [0.5, -0.25, 0.1, 0.3] } });
    const text = env.render() as string;
    expect(text).toContain('x=+0.5000 x_dot=-0.2500 theta=+0.1000 rad (+5.73 deg) theta_dot=+0.3000');
    expect(text).toContain('[===]');
    expect(text.split('\n').some((line) => /^\|-+\|$/.test(line))).toBe(true);

    const rgb = new CartPoleEnv({}, { renderMode: 'rgb_array' });
    const pixel = (frame: { width: number; data: Uint8Array }, x: number, y: number): number[] =>
      Array.from(frame.data.subarray((y * frame.width + x) * 3, (y * frame.width + x) * 3 + 3));
    rgb.reset({ options: { state: [0, 0, 0, 0] } });
    const centred = rgb.render() as { width: number; height: number; data: Uint8Array };
    expect([centred.width, centred.height, centred.data.length]).toEqual([600, 400, 600 * 400 * 3]);
    // Cart body (black) around x = 300 px, 300 px from the top; pole (brown) straight above it.
    expect(pixel(centred, 280, 305)).toEqual([0, 0, 0]);
    expect(pixel(centred, 300, 200)).toEqual([202, 152, 101]);
    rgb.setState([1, 0, 0, 0]);
    const moved = rgb.render() as { width: number; data: Uint8Array };
    expect(pixel(moved, 280, 305)).toEqual([255, 255, 255]);
    expect(pixel(moved, 280 + 125, 305)).toEqual([0, 0, 0]); // 1 m = 125 px
    expect(Buffer.compare(Buffer.from(moved.data), Buffer.from(centred.data))).not.toBe(0);
  });

  it('asks for a render mode when created without one', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    expect(() => env.render()).toThrow(/render\(\) needs a render mode; create the env with one of ansi, rgb_array/);
    expect(() => new CartPoleEnv({}, { renderMode: 'human' })).toThrow(/no render mode 'human'; allowed: ansi, rgb_array/);
  });
});
