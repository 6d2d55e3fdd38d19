import { checkEnv, EnvRegistry, Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { HopperEnv, Walker2dEnv, type PlanarWalkerEnv } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

/** A state at rest with the given torso height, pitch and joint angles. */
function standing(nq: number, height: number, pitch: number): number[] {
  const state = new Array<number>(2 * nq).fill(0);
  state[1] = height;
  state[2] = pitch;
  return state;
}

/** Steps once from `state` with a zero action. */
function stepFrom(env: PlanarWalkerEnv, state: number[]) {
  env.reset({ options: { state } });
  return env.step(new Float32Array(env.actionSpace.shape[0]));
}

describe('Hopper-v5', () => {
  it('passes the env checker, raw and through make() by its alias', async () => {
    await checkEnv(() => HopperEnv.create(), { seed: 1, steps: 100 });
    await checkEnv(() => registry().make('hopper'), { seed: 2, steps: 50 });
  });

  it('is registered with 1000 steps and threshold 3800; observes qpos[1:] and clip(qvel, ±10) in float64', async () => {
    expect(registry().spec('hopper')).toMatchObject({ id: 'Hopper-v5', maxEpisodeSteps: 1000, rewardThreshold: 3800 });
    const env = await HopperEnv.create();
    try {
      expect(env.observationSpace.shape).toEqual([11]);
      expect(env.dt).toBeCloseTo(0.008, 12);
      const state = standing(6, 1.25, 0);
      state[6] = 30; // rootx velocity beyond the clip
      state[11] = -12;
      const { obs } = env.reset({ options: { state } });
      expect(Array.from(obs)).toEqual([1.25, 0, 0, 0, 0, 10, 0, 0, 0, 0, -10]);
    } finally {
      env.close();
    }
  });

  it('recomputes the reward from info and from the state before and after', async () => {
    const env = await HopperEnv.create();
    try {
      const rng = Rng.fromSeed(3);
      env.reset({ seed: 3 });
      for (let t = 0; t < 10; t++) {
        const before = env.getState();
        const action = Float32Array.from({ length: 3 }, () => rng.uniform(-1, 1));
        const { reward, terminated, info } = env.step(action);
        const after = env.getState();
        const xVelocity = (after[0] - before[0]) / env.dt;
        const squares = action.reduce((sum, a) => sum + a * a, 0);
        expect(info.x_velocity).toBeCloseTo(xVelocity, 10);
        expect(info.z_distance_from_origin).toBeCloseTo(after[1] - 1.25, 14);
        expect(info.reward_ctrl).toBeCloseTo(-1e-3 * squares, 14);
        expect(info.reward_survive).toBe(terminated ? 0 : 1);
        expect(reward).toBe((info.reward_forward as number) + (info.reward_survive as number) + (info.reward_ctrl as number));
        if (terminated) break;
      }
    } finally {
      env.close();
    }
  });

  it('terminates, without the healthy reward, when height, pitch or any state entry leaves its range', async () => {
    const env = await HopperEnv.create();
    try {
      const healthy = stepFrom(env, standing(6, 1.25, 0));
      expect(healthy.terminated).toBe(false);
      expect(healthy.info.reward_survive).toBe(1);
      expect(env.isHealthy).toBe(true);

      const fallen = stepFrom(env, standing(6, 0.6, 0)); // below 0.7 m
      expect(fallen.terminated).toBe(true);
      expect(fallen.info.reward_survive).toBe(0);
      expect(fallen.reward).toBe((fallen.info.reward_forward as number) + (fallen.info.reward_ctrl as number));

      expect(stepFrom(env, standing(6, 1.25, 0.3)).terminated).toBe(true); // pitched past 0.2 rad
      expect(stepFrom(env, standing(6, 1.25, -0.3)).terminated).toBe(true);

      const spinning = standing(6, 1.25, 0);
      spinning[9] = 150; // thigh angular velocity outside ±100
      expect(stepFrom(env, spinning).terminated).toBe(true);
    } finally {
      env.close();
    }
  });

  it('takes the healthy ranges and terminate_when_unhealthy as kwargs; null is an open end', async () => {
    const tolerant = await HopperEnv.create({ healthy_z_range: [0.5, null], healthy_angle_range: [-1, 1] });
    const endless = await HopperEnv.create({ terminate_when_unhealthy: false, healthy_reward: 2 });
    try {
      expect(tolerant.healthyZRange).toEqual([0.5, Infinity]);
      expect(stepFrom(tolerant, standing(6, 0.6, 0.3)).terminated).toBe(false);
      const unhealthy = stepFrom(endless, standing(6, 0.6, 0));
      expect(unhealthy.terminated).toBe(false);
      expect(unhealthy.info.reward_survive).toBe(0);
      expect(stepFrom(endless, standing(6, 1.25, 0)).info.reward_survive).toBe(2);
      await expect(HopperEnv.create({ healthy_z_range: [2, 1] })).rejects.toThrow(/healthy_z_range.*low end must not be above the high end/);
    } finally {
      tolerant.close();
      endless.close();
    }
  });

  it('perturbs qpos and qvel by U(±0.005)', async () => {
    const env = await HopperEnv.create();
    try {
      const deviations: number[] = [];
      for (let seed = 0; seed < 50; seed++) {
        env.reset({ seed });
        const state = env.getState();
        deviations.push(...state.map((v, i) => v - (i === 1 ? 1.25 : 0)));
      }
      const largest = Math.max(...deviations.map(Math.abs));
      expect(largest).toBeLessThan(0.005);
      expect(largest).toBeGreaterThan(0.0045);
    } finally {
      env.close();
    }
  });
});

describe('Walker2d-v5', () => {
  it('passes the env checker, raw and through make() by its alias', async () => {
    await checkEnv(() => Walker2dEnv.create(), { seed: 1, steps: 100 });
    await checkEnv(() => registry().make('walker'), { seed: 2, steps: 50 });
  });

  it('is registered with 1000 steps and no threshold; 17 observations with clipped velocities', async () => {
    const spec = registry().spec('walker');
    expect(spec).toMatchObject({ id: 'Walker2d-v5', maxEpisodeSteps: 1000 });
    expect(spec.rewardThreshold).toBeUndefined();
    const env = await Walker2dEnv.create();
    try {
      expect(env.observationSpace.shape).toEqual([17]);
      const state = standing(9, 1.25, 0);
      state[17] = -11;
      const { obs } = env.reset({ options: { state } });
      expect(obs[16]).toBe(-10);
    } finally {
      env.close();
    }
  });

  it('terminates when the torso leaves 0.8–2 m or pitches past 1 rad; fast joints alone do not end it', async () => {
    const env = await Walker2dEnv.create();
    try {
      const healthy = stepFrom(env, standing(9, 1.25, 0));
      expect(healthy.terminated).toBe(false);
      expect(healthy.reward).toBe((healthy.info.reward_forward as number) + 1 + (healthy.info.reward_ctrl as number));
      expect(stepFrom(env, standing(9, 0.75, 0)).terminated).toBe(true);
      expect(stepFrom(env, standing(9, 2.05, 0)).terminated).toBe(true);
      expect(stepFrom(env, standing(9, 1.25, 1.1)).terminated).toBe(true);
      expect(stepFrom(env, standing(9, 1.25, -1.1)).terminated).toBe(true);
      const spinning = standing(9, 1.25, 0);
      spinning[12] = 150; // no healthy_state_range in Walker2d
      expect(stepFrom(env, spinning).terminated).toBe(false);
      await expect(Walker2dEnv.create({ healthy_state_range: [-100, 100] })).rejects.toThrow(/unknown option 'healthy_state_range'/);
    } finally {
      env.close();
    }
  });
});
