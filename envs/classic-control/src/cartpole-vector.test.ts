import { EnvRegistry, ResetNeededError, Rng, type VectorEnv } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { CartPoleEnv, CartPoleVectorEnv } from './index.js';
import plugin from './plugin.js';

/** A PD controller that keeps the pole up for well over 500 steps. */
function balance(obs: ArrayLike<number>, offset = 0): number {
  return obs[offset + 2] + 0.5 * obs[offset + 3] + 0.05 * obs[offset] + 0.1 * obs[offset + 1] > 0 ? 1 : 0;
}

function envObs(obs: Float32Array, i: number): number[] {
  return Array.from(obs.subarray(i * 4, i * 4 + 4));
}

describe('CartPoleVectorEnv', () => {
  for (const autoresetMode of ['next-step', 'same-step', 'disabled'] as const) {
    it(`follows each single CartPole-v1 env bit for bit across terminations, truncations and resets (${autoresetMode})`, () => {
      const numEnvs = 6;
      const maxEpisodeSteps = 15; // short, so that both terminations and truncations happen
      const vector = new CartPoleVectorEnv(numEnvs, {}, { maxEpisodeSteps, autoresetMode });
      const singles = Array.from({ length: numEnvs }, () => new CartPoleEnv());
      const elapsed = new Array<number>(numEnvs).fill(0);
      const pendingReset = new Array<boolean>(numEnvs).fill(false);
      const seed = 100;
      const { obs } = vector.reset({ seed });
      singles.forEach((env, i) => expect(envObs(obs, i)).toEqual(Array.from(env.reset({ seed: seed + i }).obs)));

      const actionRng = Rng.fromSeed(5);
      const actions = new Int32Array(numEnvs);
      let terminations = 0;
      let truncations = 0;
      for (let t = 0; t < 300; t++) {
        for (let i = 0; i < numEnvs; i++) actions[i] = actionRng.integer(0, 1);
        const result = vector.step(actions);
        const ended = new Uint8Array(numEnvs);
        for (let i = 0; i < numEnvs; i++) {
          const env = singles[i];
          if (pendingReset[i]) {
            // Next-step autoreset: the single env's unseeded reset, reward 0, no flags.
            expect(envObs(result.obs, i)).toEqual(Array.from(env.reset().obs));
            expect([result.rewards[i], result.terminations[i], result.truncations[i]]).toEqual([0, 0, 0]);
            pendingReset[i] = false;
            elapsed[i] = 0;
            continue;
          }
          const expected = env.step(actions[i]);
          const truncated = ++elapsed[i] >= maxEpisodeSteps;
          expect(result.rewards[i]).toBe(expected.reward);
          expect(result.terminations[i]).toBe(expected.terminated ? 1 : 0);
          expect(result.truncations[i]).toBe(truncated ? 1 : 0);
          if (expected.terminated) terminations++;
          else if (truncated) truncations++;
          const over = expected.terminated || truncated;
          if (over && autoresetMode === 'same-step') {
            expect(Array.from((result.infos.final_obs as Float32Array[])[i])).toEqual(Array.from(expected.obs));
            expect(envObs(result.obs, i)).toEqual(Array.from(env.reset().obs));
            elapsed[i] = 0;
          } else {
            expect(envObs(result.obs, i)).toEqual(Array.from(expected.obs));
            expect(vector.getState(i)).toEqual(env.getState());
          }
          if (over && autoresetMode === 'next-step') pendingReset[i] = true;
          if (over) ended[i] = 1;
        }
        if (autoresetMode === 'disabled' && ended.some((v) => v === 1)) {
          const reset = vector.reset({ mask: ended });
          for (let i = 0; i < numEnvs; i++) {
            if (!ended[i]) continue;
            expect(envObs(reset.obs, i)).toEqual(Array.from(singles[i].reset().obs));
            elapsed[i] = 0;
          }
        }
      }
      expect(terminations).toBeGreaterThan(15);
      expect(truncations).toBeGreaterThan(15);
    });
  }

  it('next-step: the step after an end returns the new episode with reward 0 and no flags, ignoring the action', () => {
    const vector = new CartPoleVectorEnv(2);
    vector.reset({ seed: 0 });
    const single = new CartPoleEnv();
    single.reset({ seed: 0 });
    const pushLeft = new Int32Array([0, 0]);
    let result = vector.step(pushLeft);
    let steps = 1;
    while (!result.terminations[0]) {
      result = vector.step(pushLeft);
      steps++;
    }
    expect(steps).toBeGreaterThan(5);
    expect(result.rewards[0]).toBe(1);
    // The single env, replayed to the same end, then reset without a seed (its generator continues).
    for (let t = 0; t < steps; t++) single.step(0);
    const expected = single.reset().obs;
    result = vector.step(new Int32Array([1, 0]));
    expect(envObs(result.obs, 0)).toEqual(Array.from(expected));
    expect([result.rewards[0], result.terminations[0], result.truncations[0]]).toEqual([0, 0, 0]);
  });

  it('same-step: reports the final observation in infos and returns the new episode at once', () => {
    const vector = new CartPoleVectorEnv(3, {}, { autoresetMode: 'same-step' });
    const singles = [0, 1, 2].map(() => new CartPoleEnv());
    vector.reset({ seed: 20 });
    singles.forEach((env, i) => env.reset({ seed: 20 + i }));
    const actions = new Int32Array([0, 1, 0]);
    let sawEnd = false;
    let emptyInfos: unknown;
    for (let t = 0; t < 40; t++) {
      const { obs, rewards, terminations, infos } = vector.step(actions);
      for (let i = 0; i < 3; i++) {
        const expected = singles[i].step(actions[i]);
        expect(rewards[i]).toBe(1);
        if (expected.terminated) {
          sawEnd = true;
          expect(terminations[i]).toBe(1);
          const finalObs = infos.final_obs as (Float32Array | null)[];
          expect(Array.from(finalObs[i]!)).toEqual(Array.from(expected.obs));
          expect((infos._final_obs as Uint8Array)[i]).toBe(1);
          expect((infos._final_info as Uint8Array)[i]).toBe(1);
          expect(infos.final_info).toEqual({});
          expect(envObs(obs, i)).toEqual(Array.from(singles[i].reset().obs));
        } else {
          expect(terminations[i]).toBe(0);
          expect(envObs(obs, i)).toEqual(Array.from(expected.obs));
          if (infos.final_obs) {
            expect((infos.final_obs as unknown[])[i]).toBeNull();
            expect((infos._final_obs as Uint8Array)[i]).toBe(0);
          }
        }
      }
      if (!infos.final_obs) {
        expect(infos).toEqual({});
        emptyInfos ??= infos;
        expect(infos).toBe(emptyInfos); // one shared object, no allocation
      }
    }
    expect(sawEnd).toBe(true);
  });

  it('disabled: an ended env must be reset with a mask before it steps again', () => {
    const vector = new CartPoleVectorEnv(3, {}, { autoresetMode: 'disabled' });
    vector.reset({ seed: 1 });
    const actions = new Int32Array([0, 1, 1]);
    let result = vector.step(actions);
    for (let t = 0; t < 50 && !result.terminations.some((v) => v === 1); t++) result = vector.step(actions);
    const ended = Array.from(result.terminations, (v, i) => (v === 1 ? i : -1)).filter((i) => i >= 0);
    expect(ended.length).toBeGreaterThan(0);
    const before = Array.from(result.obs);
    expect(() => vector.step(actions)).toThrow(ResetNeededError);
    expect(Array.from(result.obs)).toEqual(before); // the refused step moved no env (the buffer is shared)

    const mask = new Uint8Array(3);
    for (const i of ended) mask[i] = 1;
    const seeds = [77, 78, 79];
    const { obs } = vector.reset({ mask, seed: seeds });
    for (let i = 0; i < 3; i++) {
      if (mask[i]) expect(envObs(obs, i)).toEqual(Array.from(new CartPoleEnv().reset({ seed: seeds[i] }).obs));
      else expect(envObs(obs, i)).toEqual(before.slice(i * 4, i * 4 + 4));
    }
    expect(() => vector.step(actions)).not.toThrow();
  });

  it('truncates at 500 steps (the time limit is applied inside) and autoresets after', () => {
    const vector = new CartPoleVectorEnv(2);
    let { obs } = vector.reset({ seed: 3 });
    const actions = new Int32Array(2);
    for (let t = 1; t <= 500; t++) {
      actions[0] = balance(obs, 0);
      actions[1] = balance(obs, 4);
      const result = vector.step(actions);
      obs = result.obs;
      expect(Array.from(result.terminations)).toEqual([0, 0]);
      expect(Array.from(result.truncations)).toEqual(t === 500 ? [1, 1] : [0, 0]);
    }
    const after = vector.step(actions);
    expect(Array.from(after.rewards)).toEqual([0, 0]);
    expect(Array.from(after.truncations)).toEqual([0, 0]);
  });

  it('reuses one result object and its arrays on every call (no per-step allocation)', () => {
    const vector = new CartPoleVectorEnv(4);
    const reset = vector.reset({ seed: 0 });
    const first = vector.step([0, 1, 0, 1]);
    const second = vector.step([1, 0, 1, 0]);
    expect(second).toBe(first);
    expect(second.obs).toBe(reset.obs);
    expect(second.obs).toBeInstanceOf(Float32Array);
    expect(second.obs.length).toBe(16);
  });

  it('validates actions, seeds and masks with messages that say what is allowed', () => {
    const vector = new CartPoleVectorEnv(3);
    expect(() => vector.step([0, 0, 0])).toThrow(ResetNeededError);
    expect(() => vector.reset({ mask: [1, 0, 1] })).toThrow(/first reset\(\) must reset every env/);
    vector.reset({ seed: 0 });
    const before = Array.from(vector.getState(0));
    expect(() => vector.step([0, 1])).toThrow(/one action per env \(3\), got 2 actions/);
    expect(() => vector.step([0, 2, 1])).toThrow(/action for env 1 must be 0 \(push left\) or 1 \(push right\), got 2/);
    expect(Array.from(vector.getState(0))).toEqual(before);
    expect(() => vector.reset({ seed: [1, 2] })).toThrow(/2 seeds for 3 envs/);
    expect(() => vector.reset({ mask: [1, 1] })).toThrow(/mask has 2 entries, expected one per env \(3\)/);
    expect(() => new CartPoleVectorEnv(0)).toThrow(/positive integer number of envs/);
    expect(() => new CartPoleVectorEnv(2, {}, { autoresetMode: 'sometimes' as never })).toThrow(/allowed: next-step, same-step, disabled/);
  });

  it('is the vector entry point of CartPole-v1 in the registry', async () => {
    const registry = new EnvRegistry();
    for (const registration of plugin.envs ?? []) registry.register(registration, plugin.name);
    const factory = registry.spec('CartPole-v1').vectorEntryPoint!;
    const vector = (await factory(4, { sutton_barto_reward: true }, { autoresetMode: 'same-step', maxEpisodeSteps: 500 })) as VectorEnv<Float32Array>;
    expect(vector).toBeInstanceOf(CartPoleVectorEnv);
    expect([vector.numEnvs, vector.autoresetMode]).toEqual([4, 'same-step']);
    expect((vector as CartPoleVectorEnv).suttonBartoReward).toBe(true);
    expect(vector.observationSpace.toString()).toContain('(4, 4)');
    vector.reset({ seed: 0 });
    expect(Array.from(vector.step(new Int32Array(4)).rewards)).toEqual([0, 0, 0, 0]);
  });
});
