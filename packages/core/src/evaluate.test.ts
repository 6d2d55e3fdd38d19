import { describe, expect, it } from 'vitest';
import { Env, type Info, type ResetOptions, type StepResult } from './env.js';
import { evaluatePolicy, summarize } from './evaluate.js';
import type { ActContext, Policy } from './policy.js';
import { Discrete } from './spaces/discrete.js';

/** Episode length is (seed mod 3) + 1; the reward is the action; the last step of seed 13 is a truncation. */
class SeedLengthEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(10);
  readonly actionSpace = new Discrete(3);
  private length = 0;
  private seed = 0;
  private t = 0;
  reset({ seed }: ResetOptions = {}) {
    this.seed = seed ?? 0;
    this.length = (this.seed % 3) + 1;
    this.t = 0;
    return { obs: 0, info: { seed: this.seed } };
  }
  step(action: number): StepResult<number> {
    this.t++;
    const last = this.t === this.length;
    return { obs: this.t, reward: action, terminated: last && this.seed !== 13, truncated: last && this.seed === 13, info: { t: this.t } };
  }
}

class RecordingPolicy implements Policy<number, number> {
  readonly id = 'recording';
  readonly seeds: (number | undefined)[] = [];
  readonly contexts: { obs: number; step?: number; info?: Info }[] = [];
  constructor(private readonly delay = false) {}
  reset({ seed }: { seed?: number }) {
    this.seeds.push(seed);
  }
  act(obs: number, context?: ActContext): number | Promise<number> {
    this.contexts.push({ obs, step: context?.step, info: context?.info });
    return this.delay ? new Promise((resolve) => setTimeout(() => resolve(2), 1)) : 2;
  }
}

describe('evaluatePolicy', () => {
  // seeds 10..13 → lengths 2, 3, 1, 2 and returns 4, 6, 2, 4 with action 2
  const expected = {
    return: { mean: 4, std: Math.sqrt(2), min: 2, max: 6 },
    length: { mean: 2, std: Math.sqrt(0.5), min: 1, max: 3 },
  };

  it.each([
    ['synchronous', false],
    ['asynchronous', true],
  ])('summarises returns and lengths of a %s policy over seeds seed…seed+N−1', async (_kind, delay) => {
    const policy = new RecordingPolicy(delay);
    const finished: number[] = [];
    const result = await evaluatePolicy(new SeedLengthEnv(), policy, { episodes: 4, seed: 10, onEpisode: (_e, i) => finished.push(i) });
    expect(result.episodes.map((e) => [e.seed, e.return, e.length])).toEqual([
      [10, 4, 2],
      [11, 6, 3],
      [12, 2, 1],
      [13, 4, 2],
    ]);
    expect(result.return.mean).toBe(expected.return.mean);
    expect(result.return.std).toBeCloseTo(expected.return.std, 12);
    expect([result.return.min, result.return.max]).toEqual([2, 6]);
    expect(result.length.mean).toBe(2);
    expect(result.length.std).toBeCloseTo(expected.length.std, 12);
    expect([result.length.min, result.length.max]).toEqual([1, 3]);
    expect(result.episodes[3]).toMatchObject({ terminated: false, truncated: true });
    expect(policy.seeds).toEqual([10, 11, 12, 13]);
    expect(finished).toEqual([0, 1, 2, 3]);
  });

  it('tells the policy the step index and the info that came with the observation', async () => {
    const policy = new RecordingPolicy();
    await evaluatePolicy(new SeedLengthEnv(), policy, { episodes: 1, seed: 11 });
    expect(policy.contexts).toEqual([
      { obs: 0, step: 0, info: { seed: 11 } },
      { obs: 1, step: 1, info: { t: 1 } },
      { obs: 2, step: 2, info: { t: 2 } },
    ]);
  });

  it('stops between episodes when aborted and reports the episodes finished', async () => {
    const controller = new AbortController();
    const result = await evaluatePolicy(new SeedLengthEnv(), new RecordingPolicy(), {
      episodes: 10,
      seed: 0,
      signal: controller.signal,
      onEpisode: (_e, i) => {
        if (i === 1) controller.abort();
      },
    });
    expect(result.episodes).toHaveLength(2);
    const none = await evaluatePolicy(new SeedLengthEnv(), new RecordingPolicy(), { episodes: 3, seed: 0, signal: AbortSignal.abort() });
    expect(none.episodes).toEqual([]);
    expect(Number.isNaN(none.return.mean)).toBe(true);
  });

  it('rejects a non-positive episode count', async () => {
    await expect(evaluatePolicy(new SeedLengthEnv(), new RecordingPolicy(), { episodes: 0, seed: 0 })).rejects.toThrow(
      'episodes must be a positive integer, got 0',
    );
  });
});

describe('summarize', () => {
  it('uses the population standard deviation, like numpy', () => {
    expect(summarize([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4 });
    expect(summarize([7])).toEqual({ mean: 7, std: 0, min: 7, max: 7 });
  });
});
