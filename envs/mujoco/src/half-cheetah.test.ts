import { Box, checkEnv, EnvRegistry, InvalidKwargsError, ResetNeededError, Rng, type Env } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { HalfCheetahEnv } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

function randomAction(rng: Rng): Float32Array {
  return Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1));
}

describe('HalfCheetah-v5', () => {
  it('passes the env checker, raw and through make() by its alias', async () => {
    await checkEnv(() => HalfCheetahEnv.create(), { seed: 1, steps: 120 });
    await checkEnv(() => registry().make('cheetah'), { seed: 2, steps: 60 });
  });

  it('is registered with Gymnasium v5 facts: 1000 steps, threshold 4800, float64 obs of 17, Box(-1, 1, (6,)) float32 actions, dt 0.05', async () => {
    const envs = registry();
    const spec = envs.spec('cheetah');
    expect(spec.id).toBe('HalfCheetah-v5');
    expect(spec.maxEpisodeSteps).toBe(1000);
    expect(spec.rewardThreshold).toBe(4800);
    expect(spec.referenceScores).toMatchObject({ min: -280.178953, max: 12135.0 });
    expect(envs.spec('hopper').referenceScores).toMatchObject({ min: -20.272305, max: 3234.3 });
    expect(envs.spec('walker').referenceScores).toMatchObject({ min: 1.629008, max: 4592.3 });
    expect(envs.spec('Ant-v5').referenceScores).toMatchObject({ min: -325.6, max: 3879.7 });
    expect(envs.spec('InvertedPendulum-v5').referenceScores).toBeUndefined();
    const env = await HalfCheetahEnv.create();
    try {
      expect(env.observationSpace).toBeInstanceOf(Box);
      expect(env.observationSpace.dtype).toBe('float64');
      expect(env.observationSpace.shape).toEqual([17]);
      expect(env.actionSpace.dtype).toBe('float32');
      expect(Array.from(env.actionSpace.low)).toEqual([-1, -1, -1, -1, -1, -1]);
      expect(Array.from(env.actionSpace.high)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(env.dt).toBeCloseTo(0.05, 12);
      expect(env.metadata.renderFps).toBe(20);
    } finally {
      env.close();
    }
  });

  it('observes qpos[1:] then qvel, and recomputes the reward from info and from the state before and after', async () => {
    const env = await HalfCheetahEnv.create();
    try {
      const rng = Rng.fromSeed(7);
      env.reset({ seed: 7 });
      for (let t = 0; t < 50; t++) {
        const before = env.getState();
        const action = randomAction(rng);
        const { obs, reward, terminated, truncated, info } = env.step(action);
        const after = env.getState();
        expect(Array.from(obs)).toEqual([...after.subarray(1, 9), ...after.subarray(9)]);
        const xVelocity = (after[0] - before[0]) / env.dt;
        const squares = action.reduce((sum, a) => sum + a * a, 0);
        expect(info.x_position).toBe(after[0]);
        expect(info.x_velocity).toBeCloseTo(xVelocity, 12);
        expect(info.reward_forward).toBeCloseTo(1.0 * xVelocity, 12);
        expect(info.reward_ctrl).toBeCloseTo(-0.1 * squares, 12);
        expect(reward).toBeCloseTo(1.0 * xVelocity - 0.1 * squares, 12);
        expect(reward).toBe((info.reward_forward as number) + (info.reward_ctrl as number));
        expect(terminated || truncated).toBe(false);
      }
    } finally {
      env.close();
    }
  });

  it('takes the reward weights, the frame skip and exclude_current_positions_from_observation as kwargs', async () => {
    const env = await HalfCheetahEnv.create({
      forward_reward_weight: 2,
      ctrl_cost_weight: 0.5,
      frame_skip: 2,
      exclude_current_positions_from_observation: false,
    });
    try {
      expect(env.observationSpace.shape).toEqual([18]);
      expect(env.dt).toBeCloseTo(0.02, 12);
      const { obs: first, info: resetInfo } = env.reset({ seed: 3 });
      expect(first[0]).toBe(resetInfo.x_position);
      const action = new Float32Array([1, 0, 0, 0, 0, -1]);
      const { obs, reward, info } = env.step(action);
      expect(obs[0]).toBe(info.x_position);
      expect(info.reward_ctrl).toBeCloseTo(-0.5 * 2, 12);
      expect(info.reward_forward).toBeCloseTo(2 * (obs[0] - first[0]) / 0.02, 9);
      expect(reward).toBe((info.reward_forward as number) + (info.reward_ctrl as number));
    } finally {
      env.close();
    }
  });

  it('rejects unknown or invalid kwargs with the allowed names', async () => {
    await expect(registry().make('cheetah', { ctrl_cost: 0.1 })).rejects.toThrow(/unknown option 'ctrl_cost' \(did you mean 'ctrl_cost_weight'\?\)/);
    await expect(HalfCheetahEnv.create({ frame_skip: 0 })).rejects.toThrow(InvalidKwargsError);
    await expect(HalfCheetahEnv.create({ reset_noise_scale: -1 })).rejects.toThrow(/reset_noise_scale/);
  });

  it('perturbs the start: qpos by U(±0.1), qvel by 0.1·N(0, 1); reset_noise_scale 0 starts exactly at rest', async () => {
    const env = await HalfCheetahEnv.create();
    const still = await HalfCheetahEnv.create({ reset_noise_scale: 0 });
    try {
      const positions: number[] = [];
      const velocities: number[] = [];
      for (let seed = 0; seed < 100; seed++) {
        env.reset({ seed });
        const state = env.getState();
        positions.push(...state.subarray(0, 9));
        velocities.push(...state.subarray(9));
      }
      expect(Math.max(...positions.map(Math.abs))).toBeLessThan(0.1);
      expect(Math.max(...positions.map(Math.abs))).toBeGreaterThan(0.09);
      const std = Math.sqrt(velocities.reduce((s, v) => s + v * v, 0) / velocities.length);
      expect(std).toBeGreaterThan(0.09);
      expect(std).toBeLessThan(0.11);
      expect(Math.max(...velocities.map(Math.abs))).toBeGreaterThan(0.2); // a normal, not a uniform on ±0.1
      still.reset({ seed: 5 });
      expect(Array.from(still.getState())).toEqual(new Array(18).fill(0));
    } finally {
      env.close();
      still.close();
    }
  });

  it('starts from options.state exactly, and replays a trajectory from getState/setState', async () => {
    const env = await HalfCheetahEnv.create();
    try {
      const start = Array.from({ length: 18 }, (_, i) => (i % 5) * 0.01);
      const { obs } = env.reset({ options: { state: start } });
      expect(Array.from(env.getState())).toEqual(start);
      expect(Array.from(obs)).toEqual([...start.slice(1, 9), ...start.slice(9)]);
      const rng = Rng.fromSeed(1);
      for (let t = 0; t < 5; t++) env.step(randomAction(rng));
      const saved = env.getState();
      const actions = Array.from({ length: 10 }, () => randomAction(rng));
      const first = actions.map((a) => env.step(a).obs);
      env.setState(saved);
      const second = actions.map((a) => env.step(a).obs);
      expect(second).toEqual(first);
      expect(() => env.reset({ options: { state: [1, 2, 3] } })).toThrow(/must hold 18 numbers \(qpos: 9, then qvel: 9\), got 3 values/);
      expect(() => env.reset({ options: { state: [...start.slice(0, 17), NaN] } })).toThrow(/qvel\[8\]/);
      expect(() => env.reset({ options: { low: -1 } })).toThrow(/unknown reset option 'low'; allowed: state/);
    } finally {
      env.close();
    }
  });

  it('leaves the action unclipped: MuJoCo clamps ctrl to ±1, the control cost uses the action as given', async () => {
    const env = await HalfCheetahEnv.create();
    const twin = await HalfCheetahEnv.create();
    try {
      env.reset({ seed: 9 });
      twin.reset({ seed: 9 });
      const big = env.step(new Float32Array([3, -3, 3, -3, 3, -3]));
      const unit = twin.step(new Float32Array([1, -1, 1, -1, 1, -1]));
      expect(big.obs).toEqual(unit.obs);
      expect(big.info.reward_ctrl).toBeCloseTo(-0.1 * 54, 12);
      expect(unit.info.reward_ctrl).toBeCloseTo(-0.1 * 6, 12);
      expect(() => env.step(new Float32Array(5))).toThrow(/array of 6 numbers/);
    } finally {
      env.close();
      twin.close();
    }
  });

  it('refuses to step before reset and after close', async () => {
    const env: Env = await HalfCheetahEnv.create();
    expect(() => env.step(new Float32Array(6))).toThrow(ResetNeededError);
    env.close();
    env.close();
    expect(() => env.reset()).toThrow(/closed/);
  });
});
