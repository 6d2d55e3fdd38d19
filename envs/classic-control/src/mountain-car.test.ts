import { checkEnv, EnvRegistry } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { MountainCarContinuousEnv, MountainCarEnv } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

const force = (a: number): Float32Array => Float32Array.of(a);

describe('MountainCar-v0', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new MountainCarEnv(), { seed: 5, steps: 250 });
    await checkEnv(() => registry().make('MountainCar-v0'), { seed: 6, steps: 250 });
  });

  it('takes one step by the formulas: from [−0.5, 0] pushing right', () => {
    const env = new MountainCarEnv();
    env.reset({ options: { state: [-0.5, 0] } });
    const { obs, reward, terminated } = env.step(2);
    // v' = 0 + (2 − 1)·0.001 + cos(3·(−0.5))·(−0.0025) = 0.001 − 0.0025·0.0707372
    const velocity = 0.001 + Math.cos(-1.5) * -0.0025;
    expect(velocity).toBeCloseTo(0.000823157, 9);
    expect(Array.from(env.getState())).toEqual([-0.5 + velocity, velocity]);
    expect(Array.from(obs)).toEqual([Math.fround(-0.5 + velocity), Math.fround(velocity)]);
    expect([reward, terminated]).toEqual([-1, false]);
  });

  it('terminates at position ≥ 0.5 only with velocity ≥ goal_velocity', () => {
    const env = new MountainCarEnv();
    env.reset({ options: { state: [0.49, 0.02] } });
    const reached = env.step(2); // v = 0.021 − 0.0025·cos(1.47) ≈ 0.02075, p ≈ 0.5108
    expect(env.getState()[0]).toBeCloseTo(0.49 + 0.021 - 0.0025 * Math.cos(1.47), 12);
    expect(reached).toMatchObject({ terminated: true, reward: -1 });

    env.reset({ options: { state: [0.51, -0.001] } });
    const backing = env.step(0); // p ≈ 0.5079 ≥ 0.5 but v < 0
    expect(env.getState()[0]).toBeGreaterThan(0.5);
    expect(backing.terminated).toBe(false);

    const demanding = new MountainCarEnv({ goal_velocity: 0.05 });
    demanding.reset({ options: { state: [0.49, 0.02] } });
    expect(demanding.step(2).terminated).toBe(false);
  });

  it('clips the velocity to ±0.07, then the position, and stops the car at the left wall', () => {
    const env = new MountainCarEnv();
    // At p = −π/6 the slope term vanishes: v = 0.0695 + 0.001 = 0.0705 → 0.07.
    env.reset({ options: { state: [-Math.PI / 6, 0.0695] } });
    env.step(2);
    expect(Array.from(env.getState())).toEqual([-Math.PI / 6 + 0.07, 0.07]);
    env.reset({ options: { state: [-Math.PI / 6, -0.0695] } });
    env.step(0);
    expect(env.getState()[1]).toBe(-0.07);

    env.reset({ options: { state: [-1.19, -0.05] } });
    const { obs } = env.step(0); // p = −1.19 − 0.0487 → −1.2, and v < 0 → 0
    expect(Array.from(env.getState())).toEqual([-1.2, 0]);
    expect(Array.from(obs)).toEqual([Math.fround(-1.2), 0]);
  });

  it('resets position ~ U(−0.6, −0.4) with velocity 0, or within options.low / options.high', () => {
    const env = new MountainCarEnv();
    const positions: number[] = [];
    for (let seed = 0; seed < 100; seed++) {
      env.reset({ seed });
      const [position, velocity] = env.getState();
      expect(velocity).toBe(0);
      positions.push(position);
    }
    expect(Math.min(...positions)).toBeGreaterThanOrEqual(-0.6);
    expect(Math.max(...positions)).toBeLessThan(-0.4);
    expect(Math.max(...positions) - Math.min(...positions)).toBeGreaterThan(0.15);
    env.reset({ seed: 0, options: { low: 0.1, high: 0.2 } });
    expect(env.getState()[0]).toBeGreaterThanOrEqual(0.1);
    expect(() => env.reset({ options: { state: [0.1, 0, 0] } })).toThrow(/2 numbers \[position, velocity\], got 3 values/);
  });

  it('is deterministic under a seed and replays exactly from getState/setState', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 11 });
    for (let t = 0; t < 30; t++) env.step(t % 3);
    const saved = env.getState();
    const next = env.step(2);
    const twin = new MountainCarEnv();
    twin.setState(saved);
    expect(twin.step(2).obs).toEqual(next.obs);
    expect(twin.getState()).toEqual(env.getState());
  });

  it('renders the valley, the car and the numbers', () => {
    const env = new MountainCarEnv({}, { renderMode: 'ansi' });
    env.reset({ options: { state: [-0.5234, 0.0123] } });
    const text = env.render() as string;
    expect(text).toContain('position=-0.5234 velocity=+0.01230 goal=0.5');
    expect(text).toContain('@');
    expect(text).toContain('F');
    env.renderMode = 'rgb_array';
    const frame = env.render() as { width: number; height: number };
    expect([frame.width, frame.height]).toEqual([600, 400]);
  });
});

describe('MountainCarContinuous-v0', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => new MountainCarContinuousEnv(), { seed: 7, steps: 250 });
    await checkEnv(() => registry().make('MountainCarContinuous-v0'), { seed: 8, steps: 250 });
  });

  it('takes one step by the formulas: from [−0.5, 0] with force 0.5, paying −0.1·a²', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ options: { state: [-0.5, 0] } });
    const { obs, reward, terminated } = env.step(force(0.5));
    // v' = 0 + 0.5·0.0015 − 0.0025·cos(−1.5) ≈ 0.000573157 (computed in float32, as Gymnasium does)
    const velocity = 0.5 * 0.0015 - 0.0025 * Math.cos(-1.5);
    expect(obs[1]).toBeCloseTo(velocity, 10);
    expect(obs[0]).toBeCloseTo(-0.5 + velocity, 7);
    expect(reward).toBeCloseTo(-0.1 * 0.25, 15);
    expect(terminated).toBe(false);
  });

  it('pays +100 on reaching position ≥ 0.45 with velocity ≥ 0', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ options: { state: [0.44, 0.02] } });
    const { reward, terminated } = env.step(force(1)); // p ≈ 0.44 + 0.0215 − 0.0025·cos(1.32) ≈ 0.4609
    expect(env.getState()[0]).toBeCloseTo(0.44 + 0.0215 - 0.0025 * Math.cos(1.32), 7);
    expect(terminated).toBe(true);
    expect(reward).toBeCloseTo(100 - 0.1, 12);

    env.reset({ options: { state: [0.46, -0.001] } });
    expect(env.step(force(0))).toMatchObject({ terminated: false, reward: 0 }); // p ≈ 0.4585 ≥ 0.45 but v < 0
  });

  it('clips the force to [−1, 1] but charges the action as given', () => {
    const clipped = new MountainCarContinuousEnv();
    clipped.reset({ options: { state: [-0.3, 0.01] } });
    const over = clipped.step(force(2));
    const full = new MountainCarContinuousEnv();
    full.reset({ options: { state: [-0.3, 0.01] } });
    const one = full.step(force(1));
    expect(clipped.getState()).toEqual(full.getState());
    expect(over.reward).toBeCloseTo(-0.4, 12);
    expect(one.reward).toBeCloseTo(-0.1, 12);
  });

  it('clips the velocity and stops at the left wall', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ options: { state: [-Math.PI / 6, 0.0695] } });
    env.step(force(1)); // 0.0695 + 0.0015 = 0.071 → 0.07
    expect(env.getState()[1]).toBe(Math.fround(0.07));
    env.reset({ options: { state: [-1.19, -0.05] } });
    env.step(force(-1));
    expect(Array.from(env.getState())).toEqual([Math.fround(-1.2), 0]);
  });

  it('keeps its state in float32 after a step, as Gymnasium does', () => {
    const env = new MountainCarContinuousEnv();
    env.reset({ seed: 3 });
    const [start] = env.getState();
    expect(Math.fround(start)).not.toBe(start); // float64 right after the reset
    env.step(force(0.3));
    for (const v of env.getState()) expect(Math.fround(v)).toBe(v);
  });

  it('replays exactly from getState/setState, right after a reset and after steps', () => {
    const env = new MountainCarContinuousEnv();
    const twin = new MountainCarContinuousEnv();
    for (let episode = 0; episode < 3; episode++) {
      env.reset({ seed: 12 + episode });
      for (let t = 0; t < 150; t++) {
        // Restore the twin from every state (the first one is float64, the others float32) and compare the next step bit for bit.
        twin.setState(env.getState());
        const action = force(Math.sin(t * 0.7) * 1.2);
        const next = env.step(action);
        const replayed = twin.step(action);
        expect(twin.getState()).toEqual(env.getState());
        expect(replayed.reward).toBe(next.reward);
      }
    }
  });

  it('renders text with the goal at 0.45', () => {
    const env = new MountainCarContinuousEnv({}, { renderMode: 'ansi' });
    env.reset({ seed: 0 });
    expect(env.render()).toContain('goal=0.45');
  });
});
