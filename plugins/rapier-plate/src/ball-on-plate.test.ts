import { readdirSync, readFileSync } from 'node:fs';
import { checkEnv, evaluatePolicy, PluginHost, RandomPolicy, type Env, type Policy } from '@rlft/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BALL_ON_PLATE_ID, ballOnPlateReward, OBS } from './ball-on-plate.js';
import rapierPlatePlugin from './plugin.js';

// Loaded exactly as rlft loads it: the default export is an async function of the host's core API.
let host: PluginHost;
beforeAll(async () => {
  host = await PluginHost.create();
  expect(await host.add(rapierPlatePlugin)).toBe(true);
  expect(host.failures).toEqual([]);
});

type PlateEnv = Env<Float32Array, Float32Array>;
const make = (kwargs: Record<string, unknown> = {}, renderMode?: string): Promise<PlateEnv> =>
  host.registry.make<Float32Array, Float32Array>(BALL_ON_PLATE_ID, kwargs, renderMode ? { renderMode } : {});

const GRAVITY = 9.81;
const still = [0, 0];

/** A hand-tuned PD controller on the ball's position: tilts the plate against offset and motion. */
const pdController: Policy<Float32Array, Float32Array> = {
  id: 'pd',
  act: (obs) => {
    const clip = (v: number) => Math.max(-1, Math.min(1, v));
    return Float32Array.of(clip(-8 * obs[OBS.ballX] - 4 * obs[OBS.ballVx]), clip(-8 * obs[OBS.ballY] - 4 * obs[OBS.ballVy]));
  },
};

describe('the plugin', () => {
  it('registers rapier/BallOnPlate-v0 (alias ballplate) with a 500-step limit', () => {
    const spec = host.registry.spec('ballplate');
    expect(spec.id).toBe(BALL_ON_PLATE_ID);
    expect(spec.plugin).toBe('rlft-env-rapier-plate');
    expect(spec.maxEpisodeSteps).toBe(500);
  });

  it('imports only types from @rlft/core, so an installed copy needs no core of its own', () => {
    const dir = new URL('.', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from '@rlft\/core'/m);
      expect(source, file).not.toMatch(/import\(\s*'@rlft\/core'\s*\)/);
    }
  });
});

describe('rapier/BallOnPlate-v0', () => {
  it('passes checkEnv with the default options and with other sizes and rates', async () => {
    await checkEnv(() => make());
    await checkEnv(() => make({ plate_size: 1, ball_radius: 0.05, max_tilt: 0.3, dt: 0.05, substeps: 2, friction: 0.3 }), { seed: 3, steps: 150 });
  });

  it('observes tilt angles and rates, ball position and velocity as float32 in bounded tilt ranges', async () => {
    const env = await make({ max_tilt: 0.25, max_tilt_rate: 3 });
    expect(env.observationSpace.toString()).toBe('Box([-0.25 -0.25 -3.0 -3.0 -inf -inf -inf -inf], [0.25 0.25 3.0 3.0 inf inf inf inf], (8,), float32)');
    expect(env.actionSpace.toString()).toBe('Box(-1.0, 1.0, (2,), float32)');
    const { obs } = env.reset({ seed: 0 });
    expect(obs).toBeInstanceOf(Float32Array);
    expect(obs[OBS.tiltRateX]).toBe(0);
    expect(obs[OBS.tiltRateY]).toBe(0);
    env.close();
  });

  it('keeps a centred ball still on a level plate', async () => {
    const env = await make({ reset_noise: 0 });
    expect(Array.from(env.reset({ seed: 0 }).obs)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (let t = 0; t < 200; t++) {
      const { obs, reward, terminated } = env.step(Float32Array.from(still));
      expect(terminated).toBe(false);
      expect(reward).toBe(1);
      for (const value of obs) expect(Math.abs(value)).toBeLessThan(1e-6);
    }
    env.close();
  });

  it('servoes the tilt toward the commanded angle at max_tilt_rate', async () => {
    const env = await make({ reset_noise: 0, max_tilt: 0.2, max_tilt_rate: 2, dt: 0.02 });
    env.reset({ seed: 0 });
    let obs = env.step(Float32Array.of(1, -0.5)).obs;
    expect(obs[OBS.tiltX]).toBeCloseTo(0.04, 6);
    expect(obs[OBS.tiltY]).toBeCloseTo(-0.04, 6);
    expect(obs[OBS.tiltRateX]).toBeCloseTo(2, 5);
    expect(obs[OBS.tiltRateY]).toBeCloseTo(-2, 5);
    for (let t = 0; t < 10; t++) obs = env.step(Float32Array.of(1, -0.5)).obs;
    expect(obs[OBS.tiltX]).toBeCloseTo(0.2, 6);
    expect(obs[OBS.tiltY]).toBeCloseTo(-0.1, 6);
    expect(obs[OBS.tiltRateX]).toBe(0);
    expect(obs[OBS.tiltRateY]).toBe(0);
    env.close();
  });

  it('rolls the ball downhill with the acceleration of a rolling solid sphere, (5/7)·g·sin(tilt)', async () => {
    for (const [tilt, axis] of [
      [[0.15, 0], 'x'],
      [[0, -0.1], 'y'],
    ] as const) {
      const env = await make({ reset_noise: 0 });
      env.reset({ seed: 0, options: { tilt } });
      const action = Float32Array.of(tilt[0] / 0.2, tilt[1] / 0.2);
      const position = axis === 'x' ? OBS.ballX : OBS.ballY;
      const velocity = axis === 'x' ? OBS.ballVx : OBS.ballVy;
      const across = axis === 'x' ? OBS.ballY : OBS.ballX;
      const angle = tilt[0] + tilt[1];
      let obs = env.step(action).obs;
      const v0 = obs[velocity];
      for (let t = 0; t < 25; t++) obs = env.step(action).obs;
      // downhill is +x for a positive tilt x, −y for a negative tilt y
      expect(Math.sign(obs[position])).toBe(Math.sign(angle));
      expect(Math.abs(obs[across])).toBeLessThan(1e-6);
      const acceleration = (obs[velocity] - v0) / (25 * 0.02);
      const expected = (5 / 7) * GRAVITY * Math.sin(angle);
      expect(Math.abs(acceleration - expected) / Math.abs(expected)).toBeLessThan(0.02);
      env.close();
    }
  });

  it('terminates when the ball leaves the plate, and not before', async () => {
    const env = await make({ reset_noise: 0 });
    env.reset({ seed: 0, options: { ball_position: [0.2, 0.05], ball_velocity: [0.3, 0] } });
    let steps = 0;
    for (;;) {
      const { obs, terminated, truncated, reward } = env.step(Float32Array.of(1, 0));
      steps++;
      expect(truncated).toBe(false);
      if (terminated) {
        expect(obs[OBS.ballX]).toBeGreaterThan(0.25);
        expect(reward).toBeCloseTo(-0.01, 12);
        break;
      }
      expect(obs[OBS.ballX]).toBeLessThanOrEqual(0.25);
      expect(steps).toBeLessThan(20);
    }
    env.close();
  });

  it('rewards 1 − distance / (plate_size / 2), floored at 0, minus action_cost · |action|²', async () => {
    expect(ballOnPlateReward(0, 0, 0, 0, 0.5, 0.01)).toBe(1);
    expect(ballOnPlateReward(0.15, -0.2, 0, 0, 0.5, 0.01)).toBeCloseTo(0, 12);
    expect(ballOnPlateReward(0.125, 0, 1, 0, 0.5, 0.01)).toBeCloseTo(0.49, 12);
    expect(ballOnPlateReward(0, 0.05, 0.5, -0.5, 1, 0.2)).toBeCloseTo(0.9 - 0.1, 12);
    expect(ballOnPlateReward(0.4, 0.4, -1, 1, 0.5, 0.01)).toBeCloseTo(-0.02, 12);

    const env = await make({ action_cost: 0.05 });
    env.reset({ seed: 4 });
    for (let t = 0; t < 30; t++) {
      const action = Float32Array.of(Math.sin(t / 3), Math.cos(t / 5) * 0.5);
      const { obs, reward } = env.step(action);
      const expected = 1 - Math.min(1, Math.hypot(obs[OBS.ballX], obs[OBS.ballY]) / 0.25) - 0.05 * (action[0] ** 2 + action[1] ** 2);
      expect(reward).toBeCloseTo(expected, 6);
    }
    env.close();
  });

  it('starts from the seed: same seed, same start; reset options pin the start', async () => {
    const env = await make();
    const first = env.reset({ seed: 5 }).obs;
    const other = env.reset({ seed: 6 }).obs;
    expect(env.reset({ seed: 5 }).obs).toEqual(first);
    expect(other).not.toEqual(first);
    for (const value of first.subarray(OBS.ballX, OBS.ballY + 1)) expect(Math.abs(value)).toBeLessThanOrEqual(0.125);
    for (const value of first.subarray(OBS.tiltX, OBS.tiltY + 1)) expect(Math.abs(value)).toBeLessThanOrEqual(Math.fround(0.2));

    const pinned = env.reset({ seed: 5, options: { tilt: [0.1, -0.05], ball_position: [0.08, -0.02], ball_velocity: [-0.1, 0.2] } }).obs;
    expect(pinned[OBS.tiltX]).toBe(Math.fround(0.1));
    expect(pinned[OBS.tiltY]).toBe(Math.fround(-0.05));
    expect(pinned[OBS.ballX]).toBeCloseTo(0.08, 6);
    expect(pinned[OBS.ballY]).toBeCloseTo(-0.02, 6);
    expect(pinned[OBS.ballVx]).toBeCloseTo(-0.1, 6);
    expect(pinned[OBS.ballVy]).toBeCloseTo(0.2, 6);
    // Pinning part of the start leaves the generator's stream alone: the next episode is seed 5's second one.
    env.reset({ seed: 5 });
    const second = env.reset().obs;
    env.reset({ seed: 5, options: { tilt: [0, 0] } });
    expect(env.reset().obs).toEqual(second);

    expect(() => env.reset({ options: { tilt: [0.3, 0] } })).toThrow("rapier/BallOnPlate-v0: reset option 'tilt' must lie within ±0.2 on each axis, got [0.3, 0]");
    expect(() => env.reset({ options: { ball_position: [0.1] } })).toThrow(/'ball_position' must be two finite numbers \[x, y\], got \[0.1\]/);
    expect(() => env.reset({ options: { ball_speed: [0, 0] } })).toThrow("unknown reset option 'ball_speed'; allowed: tilt, ball_position, ball_velocity");
    env.close();
  });

  it('rejects unknown and inconsistent options, naming the allowed ones', async () => {
    await expect(make({ plate_sise: 1 })).rejects.toThrow(/unknown option 'plate_sise' \(did you mean 'plate_size'\?\).*Allowed: plate_size, ball_radius, max_tilt, max_tilt_rate, reset_noise, action_cost, friction, dt, substeps/);
    await expect(make({ plate_size: 0.2, ball_radius: 0.05 })).rejects.toThrow(/'ball_radius': the ball must be small next to the plate: ball_radius at most plate_size \/ 8/);
    await expect(make({ substeps: 0.5 })).rejects.toThrow(/'substeps'/);
  });

  it('can be balanced: a PD controller keeps the ball on until the 500-step limit truncates', async () => {
    const env = await make();
    const pd = await evaluatePolicy(env, pdController, { episodes: 5, seed: 0 });
    const random = await evaluatePolicy(env, new RandomPolicy(env.actionSpace, 0), { episodes: 5, seed: 0 });
    expect(pd.length.min).toBe(500);
    expect(pd.return.min).toBeGreaterThan(400);
    expect(random.length.max).toBeLessThan(500);
    expect(random.return.mean).toBeLessThan(pd.return.mean - 300);
    env.close();
  });

  it('frees its Rapier world on close(); a later reset builds a new one', async () => {
    const env = await make();
    env.reset({ seed: 1 });
    env.step(Float32Array.of(0.2, 0.1));
    env.close();
    expect(() => env.unwrapped.step(Float32Array.of(0, 0))).toThrow(/reset/);
    expect(() => env.close()).not.toThrow();
    const { obs } = env.reset({ seed: 1 });
    expect(env.step(Float32Array.of(0, 0)).obs).toHaveLength(obs.length);
    env.close();
  });

  it('refuses actions that are not finite numbers', async () => {
    const env = await make();
    env.reset({ seed: 0 });
    expect(() => env.unwrapped.step(Float32Array.of(Number.NaN, 0))).toThrow('rapier/BallOnPlate-v0: action[0] must be a finite number');
    env.close();
  });
});
