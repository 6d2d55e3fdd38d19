import { describe, expect, it } from 'vitest';
import {
  Box,
  Discrete,
  EMPTY_VECTOR_INFO,
  Env,
  InvalidActionError,
  SubEnvError,
  SyncVectorEnv,
  VectorStateError,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '@rlft/core';
import { NoisyWalk } from './fixtures/test-envs.js';

/**
 * Counts down from `length` to 0 (terminated at 0). obs = [remaining]; reward = the action
 * (0 or 1) times 10 plus the remaining count; info `remaining` on even counts, `length` on reset.
 */
class Countdown extends Env<Float32Array, number> {
  readonly observationSpace = new Box({ low: 0, high: 100, shape: [1] });
  readonly actionSpace = new Discrete(2);
  readonly length: number;
  remaining = 0;
  resets: (number | undefined)[] = [];
  closed = false;
  failOnStep = false;

  constructor(length: number) {
    super();
    this.length = length;
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    this.seedOnReset(options.seed);
    this.resets.push(options.seed);
    this.remaining = this.length;
    return { obs: Float32Array.of(this.remaining), info: { length: this.length } };
  }

  step(action: number): StepResult<Float32Array> {
    if (this.failOnStep) throw new Error('the countdown broke');
    this.remaining--;
    const info = this.remaining % 2 === 0 ? { remaining: this.remaining } : {};
    return { obs: Float32Array.of(this.remaining), reward: action * 10 + this.remaining, terminated: this.remaining === 0, truncated: false, info };
  }

  override close(): void {
    this.closed = true;
  }
}

const ones = Int32Array.of(1, 1);

function countdowns(autoresetMode?: 'next-step' | 'same-step' | 'disabled'): SyncVectorEnv<Float32Array, Int32Array> {
  return new SyncVectorEnv<Float32Array, Int32Array>([new Countdown(2), new Countdown(3)], autoresetMode ? { autoresetMode } : {});
}

describe('SyncVectorEnv', () => {
  it('has batched spaces and resets all envs, batching their infos', () => {
    const venv = countdowns();
    expect(venv.numEnvs).toBe(2);
    expect(venv.autoresetMode).toBe('next-step');
    expect(venv.observationSpace.toString()).toBe('Box(0.0, 100.0, (2, 1), float32)');
    expect(venv.actionSpace.toString()).toBe('MultiDiscrete([2 2])');
    const { obs, infos } = venv.reset();
    expect(Array.from(obs)).toEqual([2, 3]);
    expect(infos).toEqual({ length: Float64Array.of(2, 3), _length: Uint8Array.of(1, 1) });
    expect(venv.observationSpace.contains(obs)).toBe(true);
  });

  it("autoreset 'next-step': the step after an episode ended resets that env, ignores its action and returns reward 0", () => {
    const venv = countdowns('next-step');
    venv.reset();
    const trace = [];
    for (let t = 0; t < 4; t++) {
      const { obs, rewards, terminations, truncations, infos } = venv.step(ones);
      trace.push({ obs: Array.from(obs), rewards: Array.from(rewards), terminations: Array.from(terminations), truncations: Array.from(truncations), infos });
    }
    expect(trace).toEqual([
      { obs: [1, 2], rewards: [11, 12], terminations: [0, 0], truncations: [0, 0], infos: { remaining: Float64Array.of(0, 2), _remaining: Uint8Array.of(0, 1) } },
      { obs: [0, 1], rewards: [10, 11], terminations: [1, 0], truncations: [0, 0], infos: { remaining: Float64Array.of(0, 0), _remaining: Uint8Array.of(1, 0) } },
      // env 0 is reset (reward 0, reset info), env 1 terminates
      {
        obs: [2, 0], rewards: [0, 10], terminations: [0, 1], truncations: [0, 0],
        infos: { length: Float64Array.of(2, 0), _length: Uint8Array.of(1, 0), remaining: Float64Array.of(0, 0), _remaining: Uint8Array.of(0, 1) },
      },
      { obs: [1, 3], rewards: [11, 0], terminations: [0, 0], truncations: [0, 0], infos: { length: Float64Array.of(0, 3), _length: Uint8Array.of(0, 1) } },
    ]);
  });

  it("autoreset 'same-step': the ended env is reset within the step; final obs and info are in infos", () => {
    const venv = countdowns('same-step');
    venv.reset();
    venv.step(ones);
    const { obs, rewards, terminations, infos } = venv.step(ones);
    expect(Array.from(obs)).toEqual([2, 1]);
    expect(Array.from(rewards)).toEqual([10, 11]);
    expect(Array.from(terminations)).toEqual([1, 0]);
    expect(infos).toEqual({
      final_obs: [Float32Array.of(0), null],
      _final_obs: Uint8Array.of(1, 0),
      final_info: { remaining: Float64Array.of(0, 0), _remaining: Uint8Array.of(1, 0) },
      _final_info: Uint8Array.of(1, 0),
      length: Float64Array.of(2, 0),
      _length: Uint8Array.of(1, 0),
    });
    const next = venv.step(ones);
    expect(Array.from(next.obs)).toEqual([1, 3]);
    expect(Array.from(next.terminations)).toEqual([0, 1]);
    expect(next.infos.final_obs).toEqual([null, Float32Array.of(0)]);
  });

  it('copies the final observation, since envs may overwrite their observation buffer', () => {
    const venv = new SyncVectorEnv<Float32Array, Int32Array>([new NoisyWalk({ limit: 0.5 })], { autoresetMode: 'same-step' });
    venv.reset({ seed: 3 });
    for (let t = 0; t < 50; t++) {
      const { obs, terminations, infos } = venv.step(Int32Array.of(1));
      if (terminations[0]) {
        const finalObs = (infos.final_obs as Float32Array[])[0];
        expect(Math.abs(finalObs[0])).toBeGreaterThanOrEqual(0.5);
        expect(finalObs[2]).toBeGreaterThan(0);
        expect(obs[2]).toBe(0); // the new episode's step counter
        return;
      }
    }
    throw new Error('the walk never terminated');
  });

  it("autoreset 'disabled': stepping an ended env is an error until reset({ mask }) resets it", () => {
    const venv = countdowns('disabled');
    venv.reset();
    venv.step(ones);
    venv.step(ones);
    expect(() => venv.step(ones)).toThrow(VectorStateError);
    expect(() => venv.step(ones)).toThrow(/step\(\) needs a reset\(\)/);
    venv.reset();
    venv.step(ones);
    const ended = venv.step(ones);
    expect(Array.from(ended.terminations)).toEqual([1, 0]);
    const { obs, infos } = venv.reset({ mask: ended.terminations });
    expect(Array.from(obs)).toEqual([2, 1]);
    expect(infos).toEqual({ length: Float64Array.of(2, 0), _length: Uint8Array.of(1, 0) });
    const after = venv.step(ones);
    expect(Array.from(after.obs)).toEqual([1, 0]);
    expect(Array.from(after.terminations)).toEqual([0, 1]);
  });

  it('seeds env i with seed + i, or with one seed per env', () => {
    const a = countdowns();
    a.reset({ seed: 7 });
    a.reset({ seed: [1, undefined] });
    a.reset();
    expect((a.envs[0] as Countdown).resets).toEqual([7, 1, undefined]);
    expect((a.envs[1] as Countdown).resets).toEqual([8, undefined, undefined]);
    expect(() => a.reset({ seed: [1, 2, 3] })).toThrow(/array of 2 seeds/);
    expect(() => a.reset({ seed: 1.5 })).toThrow(/must be an integer/);
  });

  it('gives the same trajectory for the same seed and different ones for different seeds', () => {
    const run = (seed: number): number[] => {
      const venv = new SyncVectorEnv<Float32Array, Int32Array>([new NoisyWalk(), new NoisyWalk(), new NoisyWalk()]);
      const out = Array.from(venv.reset({ seed }).obs);
      for (let t = 0; t < 30; t++) out.push(...venv.step(Int32Array.of(1, 0, -1)).obs);
      return out;
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it('reuses its result buffers by default and returns fresh ones with copy: true', () => {
    const reused = countdowns();
    const reset = reused.reset();
    const first = reused.step(ones);
    const second = reused.step(ones);
    expect(second.obs).toBe(first.obs);
    expect(second.obs).toBe(reset.obs);
    expect(second.rewards).toBe(first.rewards);
    const copying = new SyncVectorEnv<Float32Array, Int32Array>([new Countdown(2), new Countdown(3)], { copy: true });
    copying.reset();
    const a = copying.step(ones);
    const b = copying.step(ones);
    expect(b.obs).not.toBe(a.obs);
    expect(Array.from(a.obs)).toEqual([1, 2]);
    expect(Array.from(b.obs)).toEqual([0, 1]);
  });

  it('returns the shared empty info when no env reported anything', () => {
    const venv = new SyncVectorEnv([new Countdown(10)]);
    venv.reset();
    expect(venv.step(Int32Array.of(0)).infos).toBe(EMPTY_VECTOR_INFO); // 9 left: no info
    expect(venv.step(Int32Array.of(0)).infos).toEqual({ remaining: Float64Array.of(8), _remaining: Uint8Array.of(1) });
    expect(Object.isFrozen(EMPTY_VECTOR_INFO)).toBe(true);
  });

  it('names the failing sub-environment and needs a reset afterwards', () => {
    const venv = countdowns();
    venv.reset();
    (venv.envs[1] as Countdown).failOnStep = true;
    let caught: unknown;
    try {
      venv.step(ones);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SubEnvError);
    expect((caught as SubEnvError).envIndex).toBe(1);
    expect((caught as Error).message).toBe('Sub-environment 1 (Countdown) failed in step(): the countdown broke');
    expect(() => venv.step(ones)).toThrow(/needs a reset/);
    (venv.envs[1] as Countdown).failOnStep = false;
    venv.reset();
    expect(Array.from(venv.step(ones).obs)).toEqual([1, 2]);
  });

  it('rejects a batch of actions with the wrong size before stepping any env', () => {
    const venv = countdowns();
    venv.reset();
    expect(() => venv.step(Int32Array.of(1))).toThrow(InvalidActionError);
    expect(() => venv.step(Int32Array.of(1))).toThrow(/expected 2 numbers \(2 envs × 1\), got 1/);
    expect(Array.from(venv.step(ones).obs)).toEqual([1, 2]);
  });

  it('requires a full reset before a masked one, and a mask of N entries', () => {
    const venv = countdowns('disabled');
    expect(() => venv.reset({ mask: [1, 0] })).toThrow(/without a mask first/);
    venv.reset();
    expect(() => venv.reset({ mask: [1] })).toThrow(/array of 2 entries/);
  });

  it('requires matching spaces and a known autoreset mode', () => {
    class Wider extends Countdown {
      override readonly observationSpace = new Box({ low: 0, high: 100, shape: [2] });
    }
    expect(() => new SyncVectorEnv([new Countdown(1), new Wider(1)])).toThrow(/Sub-environment 1 has observation space/);
    expect(() => new SyncVectorEnv([new Countdown(1)], { autoresetMode: 'sometimes' as never })).toThrow(/allowed: next-step, same-step, disabled/);
    expect(() => new SyncVectorEnv([])).toThrow(/at least one/);
  });

  it('creates envs from a factory and closes them all once', async () => {
    const venv = await SyncVectorEnv.fromFactory(3, (i) => new Countdown(i + 1));
    expect(venv.envs.map((env) => (env as Countdown).length)).toEqual([1, 2, 3]);
    venv.close();
    venv.close();
    expect(venv.envs.every((env) => (env as Countdown).closed)).toBe(true);
    expect(() => venv.reset()).toThrow(/is closed/);
  });
});
