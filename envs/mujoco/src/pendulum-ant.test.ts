import { checkEnv, EnvRegistry, Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { AntEnv, InvertedPendulumEnv } from './index.js';
import plugin from './plugin.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

describe('InvertedPendulum-v5', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => InvertedPendulumEnv.create(), { seed: 1, steps: 100 });
    await checkEnv(() => registry().make('InvertedPendulum-v5'), { seed: 2, steps: 50 });
  });

  it('is registered with 1000 steps and threshold 950; acts with a force in [-3, 3]; observes qpos and qvel', async () => {
    expect(registry().spec('InvertedPendulum-v5')).toMatchObject({ maxEpisodeSteps: 1000, rewardThreshold: 950 });
    const env = await InvertedPendulumEnv.create();
    try {
      expect(Array.from(env.actionSpace.low)).toEqual([-3]);
      expect(Array.from(env.actionSpace.high)).toEqual([3]);
      expect(env.dt).toBeCloseTo(0.04, 12);
      const { obs, info } = env.reset({ options: { state: [0.1, 0.05, -0.2, 0.3] } });
      expect(Array.from(obs)).toEqual([0.1, 0.05, -0.2, 0.3]);
      expect(info).toEqual({});
    } finally {
      env.close();
    }
  });

  it('pays 1 per step while the pole is within 0.2 rad and 0 on the step that ends the episode', async () => {
    const env = await InvertedPendulumEnv.create();
    try {
      env.reset({ options: { state: [0, 0.15, 0, 0] } });
      let length = 0;
      for (;;) {
        const { obs, reward, terminated, info } = env.step(new Float32Array([0]));
        length++;
        expect(info.reward_survive).toBe(reward);
        if (terminated) {
          expect(Math.abs(obs[1])).toBeGreaterThan(0.2);
          expect(reward).toBe(0);
          break;
        }
        expect(Math.abs(obs[1])).toBeLessThanOrEqual(0.2);
        expect(reward).toBe(1);
      }
      expect(length).toBeGreaterThan(1);
      expect(length).toBeLessThan(50);
    } finally {
      env.close();
    }
  });
});

describe('Ant-v5', () => {
  it('passes the env checker, raw and through make()', async () => {
    await checkEnv(() => AntEnv.create(), { seed: 1, steps: 60 });
    await checkEnv(() => registry().make('Ant-v5'), { seed: 2, steps: 30 });
  });

  it('observes qpos[2:], qvel and the clipped cfrc_ext of bodies 1–13 (105); 27 without contact forces, 107 with x, y', async () => {
    expect(registry().spec('Ant-v5')).toMatchObject({ maxEpisodeSteps: 1000, rewardThreshold: 6000 });
    const env = await AntEnv.create();
    const noContacts = await AntEnv.create({ include_cfrc_ext_in_observation: false });
    const withPosition = await AntEnv.create({ exclude_current_positions_from_observation: false });
    try {
      expect(env.observationSpace.shape).toEqual([105]);
      expect(noContacts.observationSpace.shape).toEqual([27]);
      expect(withPosition.observationSpace.shape).toEqual([107]);
      env.reset({ seed: 4 });
      const action = new Float32Array(8).fill(0.3);
      let last = env.step(action);
      for (let t = 0; t < 20; t++) last = env.step(action);
      const state = env.getState();
      const obs = last.obs;
      expect(Array.from(obs.subarray(0, 13))).toEqual(Array.from(state.subarray(2, 15)));
      expect(Array.from(obs.subarray(13, 27))).toEqual(Array.from(state.subarray(15)));
      const forces = obs.subarray(27);
      expect(forces.every((f) => f >= -1 && f <= 1)).toBe(true);
      expect(forces.some((f) => f !== 0)).toBe(true); // the feet touch the floor
    } finally {
      env.close();
      noContacts.close();
      withPosition.close();
    }
  });

  it('recomputes the reward from info: forward (torso Δx/dt) + healthy − control − contact, with the contact cost from the observed forces', async () => {
    const env = await AntEnv.create();
    try {
      const rng = Rng.fromSeed(5);
      const { info: resetInfo } = env.reset({ seed: 5 });
      expect(Object.keys(resetInfo)).toEqual(['x_position', 'y_position', 'distance_from_origin']);
      for (let t = 0; t < 30; t++) {
        const action = Float32Array.from({ length: 8 }, () => rng.uniform(-1, 1));
        const { obs, reward, terminated, info } = env.step(action);
        const squares = action.reduce((sum, a) => sum + a * a, 0);
        // The world body's row of cfrc_ext is zero, so the observed rows hold every contact force.
        const contactSquares = obs.subarray(27).reduce((sum, f) => sum + f * f, 0);
        expect(info.reward_ctrl).toBeCloseTo(-0.5 * squares, 12);
        expect(info.reward_contact).toBeCloseTo(-5e-4 * contactSquares, 14);
        expect(info.reward_forward).toBe(info.x_velocity);
        expect(info.reward_survive).toBe(terminated ? 0 : 1);
        const state = env.getState();
        expect(info.x_position).toBe(state[0]);
        expect(info.y_position).toBe(state[1]);
        expect(info.distance_from_origin).toBeCloseTo(Math.hypot(state[0], state[1]), 14);
        const terms = (info.reward_forward as number) + (info.reward_survive as number) + (info.reward_ctrl as number) + (info.reward_contact as number);
        expect(reward).toBeCloseTo(terms, 12);
        if (terminated) break;
      }
    } finally {
      env.close();
    }
  });

  it('terminates outside healthy_z_range (ends included in the healthy range)', async () => {
    const env = await AntEnv.create();
    try {
      const state = (z: number): number[] => {
        const s = new Array<number>(29).fill(0);
        s[2] = z;
        s[3] = 1; // identity quaternion
        return s;
      };
      env.reset({ options: { state: state(0.75) } });
      expect(env.isHealthy).toBe(true);
      env.reset({ options: { state: state(1.0) } });
      expect(env.isHealthy).toBe(true);
      env.reset({ options: { state: state(1.2) } });
      expect(env.isHealthy).toBe(false);
      const { terminated, info } = env.step(new Float32Array(8));
      expect(terminated).toBe(true);
      expect(info.reward_survive).toBe(0);
    } finally {
      env.close();
    }
  });

  it('measures progress on main_body, given by id or name; an unknown body is an error', async () => {
    const byName = await AntEnv.create({ main_body: 'torso' });
    try {
      expect(byName.mainBody).toBe(1);
    } finally {
      byName.close();
    }
    await expect(AntEnv.create({ main_body: 'tail' })).rejects.toThrow(/no body named 'tail'/);
    await expect(AntEnv.create({ main_body: 40 })).rejects.toThrow(/main_body 40 does not exist/);
  });
});
