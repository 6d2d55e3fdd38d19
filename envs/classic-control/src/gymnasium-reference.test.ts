import { readFileSync } from 'node:fs';
import type { Env, StatefulEnv } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { AcrobotEnv, CartPoleEnv, MountainCarContinuousEnv, MountainCarEnv, PendulumEnv } from './index.js';

/** Transitions recorded from Gymnasium itself by `scripts/record-gymnasium-reference.py`. */
interface Reference {
  gymnasium: string;
  numpy: string;
  trajectories: {
    env: string;
    seed: number;
    state0: number[];
    actions: (number | number[])[];
    states: number[][];
    rewards: number[];
    terminated: boolean[];
  }[];
}

const reference = JSON.parse(readFileSync(new URL('../fixtures/gymnasium-1.3.0.json', import.meta.url), 'utf8')) as Reference;

const create: Record<string, () => Env<Float32Array, unknown> & StatefulEnv> = {
  'CartPole-v1': () => new CartPoleEnv(),
  'Pendulum-v1': () => new PendulumEnv(),
  'MountainCar-v0': () => new MountainCarEnv(),
  'MountainCarContinuous-v0': () => new MountainCarContinuousEnv(),
  'Acrobot-v1': () => new AcrobotEnv(),
};

/**
 * How far a replayed state may drift from Gymnasium's, relative to its size. V8's Math.sin and
 * Math.cos may differ from glibc's in the last bit, and chaotic dynamics (Acrobot) grow that
 * over a trajectory; everything else is the same float64 arithmetic. MountainCarContinuous
 * rounds its state to float32 every step, so it must match bit for bit.
 */
const tolerance: Record<string, number> = {
  'CartPole-v1': 1e-13,
  'Pendulum-v1': 1e-11,
  'MountainCar-v0': 1e-13,
  'MountainCarContinuous-v0': 0,
  'Acrobot-v1': 1e-7,
};

describe(`replaying transitions recorded from Gymnasium ${reference.gymnasium} (NumPy ${reference.numpy})`, () => {
  for (const trajectory of reference.trajectories) {
    const { env: id, seed, actions } = trajectory;
    it(`${id}, reset seed ${seed}, ${actions.length} steps${trajectory.terminated.at(-1) ? ' to termination' : ''}`, () => {
      const env = create[id]();
      env.reset({ options: { state: trajectory.state0 } });
      const limit = tolerance[id];
      for (let t = 0; t < actions.length; t++) {
        const action = typeof actions[t] === 'number' ? actions[t] : Float32Array.from(actions[t] as number[]);
        const { reward, terminated } = env.step(action);
        const where = `${id} step ${t}`;
        const state = env.getState();
        const expected = trajectory.states[t];
        for (let i = 0; i < expected.length; i++) {
          const drift = Math.abs(state[i] - expected[i]);
          if (drift > limit * Math.max(1, Math.abs(expected[i]))) {
            expect.fail(`${where}: state[${i}] = ${state[i]}, Gymnasium has ${expected[i]}`);
          }
        }
        expect(terminated, where).toBe(trajectory.terminated[t]);
        expect(Math.abs(reward - trajectory.rewards[t]), where).toBeLessThanOrEqual(limit * Math.max(1, Math.abs(reward)));
      }
    });
  }

  it('covers every env, goal transitions included', () => {
    const ids = new Set(reference.trajectories.map((t) => t.env));
    expect([...ids].sort()).toEqual(Object.keys(create).sort());
    const reachedGoal = reference.trajectories.filter((t) => t.terminated.at(-1)).map((t) => t.env);
    expect(reachedGoal).toEqual(expect.arrayContaining(['CartPole-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Acrobot-v1']));
  });
});
