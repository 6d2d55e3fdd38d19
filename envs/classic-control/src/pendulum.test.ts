import { checkEnv, EnvRegistry } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { PendulumEnv, angleNormalize } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

const torque = (u: number): Float32Array => Float32Array.of(u);

describe('Pendulum-v1', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new PendulumEnv(), { seed: 1, steps: 250 });
    await checkEnv(() => registry().make('Pendulum-v1', { g: 9.81 }), { seed: 2, steps: 250 });
  });

  it('takes one step by the formulas: from [1, 2] with torque 1.5', () => {
    const env = new PendulumEnv();
    env.reset({ options: { state: [1, 2] } });
    const { obs, reward, terminated, truncated } = env.step(torque(1.5));
    // cost = θ² + 0.1·θ̇² + 0.001·u² = 1 + 0.4 + 0.00225
    expect(reward).toBeCloseTo(-1.40225, 9);
    // θ̇' = 2 + (3·10/(2·1)·sin 1 + 3/(1·1²)·1.5)·0.05 = 2 + (12.62206 + 4.5)·0.05
    const thetaDot = 2 + (15 * Math.sin(1) + 4.5) * 0.05;
    expect(thetaDot).toBeCloseTo(2.856103, 6);
    const theta = 1 + thetaDot * 0.05;
    const state = env.getState();
    expect(state[0]).toBeCloseTo(theta, 14);
    expect(state[1]).toBeCloseTo(thetaDot, 14);
    expect(Array.from(obs)).toEqual([Math.cos(theta), Math.sin(theta), thetaDot].map(Math.fround));
    expect([terminated, truncated]).toEqual([false, false]);
  });

  it('uses the g kwarg in the dynamics', () => {
    const env = new PendulumEnv({ g: 9.81 });
    env.reset({ options: { state: [0.5, 0] } });
    env.step(torque(0));
    expect(env.getState()[1]).toBeCloseTo(((3 * 9.81) / 2) * Math.sin(0.5) * 0.05, 14);
  });

  it('clips the torque to ±2 (the cost sees the clipped torque) and the speed to ±8', () => {
    const env = new PendulumEnv();
    env.reset({ options: { state: [0, 0] } });
    expect(env.step(torque(3)).reward).toBeCloseTo(-0.001 * 4, 9);
    expect(env.getState()[1]).toBeCloseTo(3 * 2 * 0.05, 7);

    env.reset({ options: { state: [0, 7.9] } });
    const { obs, reward } = env.step(torque(2)); // 7.9 + (0 + 6)·0.05 = 8.2 → 8
    expect(env.getState()).toEqual(Float64Array.of(8 * 0.05, 8));
    expect(obs[2]).toBe(8);
    expect(reward).toBeCloseTo(-(0.1 * 7.9 * 7.9 + 0.004), 9);
    env.reset({ options: { state: [0, -7.9] } });
    env.step(torque(-2));
    expect(env.getState()[1]).toBe(-8);
  });

  it('normalises θ to [−π, π) in the cost with a floored modulo', () => {
    expect(angleNormalize(0.5)).toBeCloseTo(0.5, 15);
    expect(angleNormalize(-4)).toBeCloseTo(-4 + 2 * Math.PI, 14); // JS % alone would give −4
    expect(angleNormalize(3 * Math.PI)).toBeCloseTo(-Math.PI, 14);
    expect(angleNormalize(7)).toBeCloseTo(7 - 2 * Math.PI, 14);
    const env = new PendulumEnv();
    env.reset({ options: { state: [-4, 0] } });
    expect(env.step(torque(0)).reward).toBeCloseTo(-((2 * Math.PI - 4) ** 2), 12);
    env.reset({ options: { state: [(3 * Math.PI) / 2, 0] } });
    expect(env.step(torque(0)).reward).toBeCloseTo(-((Math.PI / 2) ** 2), 12);
  });

  it('resets θ ~ U(−π, π), θ̇ ~ U(−1, 1), or within x_init / y_init', () => {
    const env = new PendulumEnv();
    const thetas: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      env.reset({ seed });
      const [theta, thetaDot] = env.getState();
      expect(Math.abs(thetaDot)).toBeLessThanOrEqual(1);
      thetas.push(theta);
    }
    expect(Math.min(...thetas)).toBeGreaterThanOrEqual(-Math.PI);
    expect(Math.max(...thetas)).toBeLessThanOrEqual(Math.PI);
    expect(Math.max(...thetas) - Math.min(...thetas)).toBeGreaterThan(5.5);
    env.reset({ seed: 0, options: { x_init: 0.1, y_init: 0.01 } });
    const [theta, thetaDot] = env.getState();
    expect(Math.abs(theta)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(thetaDot)).toBeLessThanOrEqual(0.01);
    expect(() => env.reset({ options: { state: [1] } })).toThrow(/2 numbers \[theta, theta_dot\], got 1 value/);
  });

  it('is deterministic under a seed and replays exactly from getState/setState', () => {
    const run = (): number[] => {
      const env = new PendulumEnv();
      const trace = Array.from(env.reset({ seed: 9 }).obs);
      for (let t = 0; t < 50; t++) {
        const { obs, reward } = env.step(torque(Math.sin(t)));
        trace.push(...obs, reward);
      }
      return trace;
    };
    expect(run()).toEqual(run());
    const env = new PendulumEnv();
    env.reset({ seed: 4 });
    env.step(torque(1));
    const saved = env.getState();
    const next = env.step(torque(-0.7));
    const twin = new PendulumEnv();
    twin.setState(saved);
    const replayed = twin.step(torque(-0.7));
    expect(replayed.obs).toEqual(next.obs);
    expect(replayed.reward).toBe(next.reward);
  });

  it('rejects malformed actions and unknown kwargs', () => {
    const env = new PendulumEnv();
    env.reset({ seed: 0 });
    expect(() => env.step(Float32Array.of(1, 2))).toThrow(/array of 1 number/);
    expect(() => env.step([NaN])).toThrow(/finite number/);
    expect(() => new PendulumEnv({ gravity: 3 } as never)).toThrow(/unknown option 'gravity'/);
  });

  it('renders the state as text and as an RGB frame', () => {
    const env = new PendulumEnv({}, { renderMode: 'ansi' });
    env.reset({ options: { state: [0.25, -1.5] } });
    expect(env.render()).toContain('theta=+0.2500 rad theta_dot=-1.5000 torque=none');
    env.step(torque(1.25));
    const text = env.render() as string;
    expect(text).toContain('torque=+1.250');
    expect(text).toMatch(/O/);
    expect(text).toMatch(/@/);
    env.renderMode = 'rgb_array';
    const frame = env.render() as { width: number; height: number; data: Uint8Array };
    expect([frame.width, frame.height, frame.data.length]).toEqual([500, 500, 500 * 500 * 3]);
  });
});
