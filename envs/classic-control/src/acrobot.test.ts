import { checkEnv, EnvRegistry } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { AcrobotEnv } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

/**
 * The "book" equations with the acrobot's constants put in by hand (masses 1, lengths 1,
 * centres of mass 0.5, inertias 1, g 9.8) and cos(x − π/2) written as sin x: an independent
 * formulation of what the env integrates, over y = [θ1, θ2, θ̇1, θ̇2] with torque a.
 */
function bookDerivatives([t1, t2, w1, w2]: readonly number[], a: number): number[] {
  const d1 = 3.5 + Math.cos(t2); // 0.25 + (1 + 0.25 + cos θ2) + 1 + 1
  const d2 = 1.25 + 0.5 * Math.cos(t2); // (0.25 + 0.5 cos θ2) + 1
  const phi2 = 4.9 * Math.sin(t1 + t2); // 0.5 · 9.8 · cos(θ1 + θ2 − π/2)
  const phi1 = -0.5 * w2 * w2 * Math.sin(t2) - w2 * w1 * Math.sin(t2) + 14.7 * Math.sin(t1) + phi2; // (0.5 + 1) · 9.8 = 14.7
  const dd2 = (a + (d2 / d1) * phi1 - 0.5 * w1 * w1 * Math.sin(t2) - phi2) / (1.25 - (d2 * d2) / d1);
  const dd1 = -(d2 * dd2 + phi1) / d1;
  return [w1, w2, dd1, dd2];
}

/** Classical RK4 over one step of 0.2 s, without wrapping or bounds. */
function rk4(y: readonly number[], a: number): number[] {
  const h = 0.2;
  const add = (u: readonly number[], v: readonly number[], s: number): number[] => u.map((x, i) => x + s * v[i]);
  const k1 = bookDerivatives(y, a);
  const k2 = bookDerivatives(add(y, k1, h / 2), a);
  const k3 = bookDerivatives(add(y, k2, h / 2), a);
  const k4 = bookDerivatives(add(y, k3, h), a);
  return y.map((x, i) => x + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
}

describe('Acrobot-v1', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new AcrobotEnv(), { seed: 9, steps: 200 });
    await checkEnv(() => registry().make('Acrobot-v1', { torque_noise_max: 0.1 }), { seed: 10, steps: 200 });
  });

  it('has the book accelerations: at rest with torque +1, θ̈2 = 1/(1.25 − 1.75²/4.5) and θ̈1 = −1.75·θ̈2/4.5', () => {
    const [, , dd1, dd2] = bookDerivatives([0, 0, 0, 0], 1);
    expect(dd2).toBeCloseTo(1.756098, 6);
    expect(dd1).toBeCloseTo(-0.682927, 6);
  });

  it('integrates one RK4 step of 0.2 s of the book dynamics', () => {
    for (const [start, action] of [
      [[0, 0, 0, 0], 2],
      [[0.3, -0.4, 1.2, -2.5], 0],
      [[-2, 1.5, -3, 6], 1],
    ] as const) {
      const env = new AcrobotEnv();
      env.reset({ options: { state: [...start] } });
      const { obs, reward, terminated } = env.step(action);
      const expected = rk4(start, action - 1);
      const state = env.getState();
      for (let i = 0; i < 4; i++) expect(state[i]).toBeCloseTo(expected[i], 11);
      const [t1, t2, w1, w2] = expected;
      const observation = [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), w1, w2];
      for (let i = 0; i < 6; i++) expect(obs[i]).toBeCloseTo(observation[i], 6);
      expect(terminated).toBe(-Math.cos(t1) - Math.cos(t1 + t2) > 1);
      expect(reward).toBe(terminated ? 0 : -1);
    }
  });

  it('ends with reward 0 once the free end is more than one link above the pivot', () => {
    const env = new AcrobotEnv();
    env.reset({ options: { state: [Math.PI, 0, 0, 0] } }); // standing straight up: height 2
    expect(env.step(1)).toMatchObject({ terminated: true, reward: 0 });
    env.reset({ options: { state: [Math.PI / 2, 0, 0, 0] } }); // horizontal: height ≈ 0
    expect(env.step(1)).toMatchObject({ terminated: false, reward: -1 });
    // Near the line: the outcome follows −cos θ1 − cos(θ1 + θ2) > 1 of the integrated state.
    const outcomes = [2.1, 2.15, 2.2, 2.25].map((theta1) => {
      env.reset({ options: { state: [theta1, 0, 0, 0] } });
      const [t1, t2] = rk4([theta1, 0, 0, 0], 0);
      const { terminated } = env.step(1);
      expect(terminated).toBe(-Math.cos(t1) - Math.cos(t1 + t2) > 1);
      return terminated;
    });
    expect(outcomes).toEqual([false, false, true, true]); // the line lies between 2.15 and 2.2
  });

  it('wraps the angles into [−π, π] and bounds the speeds to 4π and 9π', () => {
    const env = new AcrobotEnv();
    env.reset({ options: { state: [Math.PI - 0.01, 0, 2, 0] } });
    env.step(1);
    const raw = rk4([Math.PI - 0.01, 0, 2, 0], 0);
    expect(raw[0]).toBeGreaterThan(Math.PI);
    expect(env.getState()[0]).toBeCloseTo(raw[0] - 2 * Math.PI, 11);

    env.reset({ options: { state: [Math.PI, 0, 13, 0] } });
    env.step(1);
    expect(rk4([Math.PI, 0, 13, 0], 0)[2]).toBeGreaterThan(4 * Math.PI);
    expect(env.getState()[2]).toBe(4 * Math.PI);

    env.reset({ options: { state: [0, 0, 0, -30] } });
    env.step(1);
    expect(rk4([0, 0, 0, -30], 0)[3]).toBeLessThan(-9 * Math.PI);
    expect(env.getState()[3]).toBe(-9 * Math.PI);
  });

  it('resets all four components ~ U(−0.1, 0.1), stored as float32 like Gymnasium', () => {
    const env = new AcrobotEnv();
    const values: number[] = [];
    for (let seed = 0; seed < 50; seed++) {
      env.reset({ seed });
      for (const v of env.getState()) {
        expect(Math.fround(v)).toBe(v);
        values.push(v);
      }
    }
    expect(Math.min(...values)).toBeGreaterThanOrEqual(Math.fround(-0.1));
    expect(Math.max(...values)).toBeLessThanOrEqual(Math.fround(0.1));
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.18);
    expect(() => env.reset({ options: { state: [0, 0] } })).toThrow(/4 numbers \[theta1, theta2, theta1_dot, theta2_dot\], got 2 values/);
  });

  it('offers the NeurIPS dynamics and torque noise drawn from the seeded generator', () => {
    const run = (kwargs: ConstructorParameters<typeof AcrobotEnv>[0]): number[] => {
      const env = new AcrobotEnv(kwargs);
      env.reset({ seed: 21 });
      for (let t = 0; t < 20; t++) env.step(t % 3);
      return Array.from(env.getState());
    };
    const book = run({});
    expect(run({ book_or_nips: 'nips' })).not.toEqual(book);
    const noisy = run({ torque_noise_max: 0.2 });
    expect(noisy).not.toEqual(book);
    expect(run({ torque_noise_max: 0.2 })).toEqual(noisy);
    expect(() => new AcrobotEnv({ book_or_nips: 'paper' as never })).toThrow(/book_or_nips/);
  });

  it('replays exactly from getState/setState', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 2 });
    for (let t = 0; t < 10; t++) env.step(2 * (t % 2));
    const saved = env.getState();
    const next = env.step(0);
    const twin = new AcrobotEnv();
    twin.setState(saved);
    expect(twin.step(0).obs).toEqual(next.obs);
  });

  it('renders the links and the goal line', () => {
    const env = new AcrobotEnv({}, { renderMode: 'ansi' });
    env.reset({ options: { state: [0.5, -0.25, 1, -1] } });
    env.step(2);
    const text = env.render() as string;
    expect(text).toMatch(/theta1=[+-]\d\.\d{4} theta2=[+-]\d\.\d{4} .* torque=\+1$/m);
    expect(text).toContain('O');
    expect(text).toContain('*');
    expect(text).toContain('.'.repeat(27));
    env.renderMode = 'rgb_array';
    const frame = env.render() as { width: number; height: number };
    expect([frame.width, frame.height]).toEqual([500, 500]);
  });
});
