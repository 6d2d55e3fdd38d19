import { describe, expect, it } from 'vitest';
import { Env, type StepResult } from '../env.js';
import { Box } from '../spaces/box.js';
import { Discrete } from '../spaces/discrete.js';
import { Text } from '../spaces/text.js';
import { NormalizeObservation } from './normalize-observation.js';
import { NormalizeReward } from './normalize-reward.js';
import { RunningMeanStd } from './running-mean-std.js';

/** Replays a fixed list of observations, rewards and terminations. */
class ReplayEnv extends Env<Float64Array, number> {
  readonly observationSpace = new Box({ low: -100, high: 100, shape: [2], dtype: 'float64' });
  readonly actionSpace = new Discrete(1);
  private t = 0;
  constructor(
    private readonly observations: number[][],
    private readonly rewards: number[] = [],
    private readonly terminations: boolean[] = [],
  ) {
    super();
  }
  reset() {
    this.t = 0;
    return { obs: Float64Array.from(this.observations[0]), info: {} };
  }
  step(): StepResult<Float64Array> {
    const i = this.t++;
    return {
      obs: Float64Array.from(this.observations[Math.min(i + 1, this.observations.length - 1)]),
      reward: this.rewards[i] ?? 0,
      terminated: this.terminations[i] ?? false,
      truncated: false,
      info: {},
    };
  }
}

/** numpy-style statistics of the samples merged with the prior (mean 0, var 1, count 1e-4). */
function expectedStats(samples: number[]): { mean: number; var: number; count: number } {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const prior = 1e-4;
  const total = n + prior;
  return {
    mean: (n * mean) / total,
    var: (prior * 1 + n * variance + (mean * mean * prior * n) / total) / total,
    count: total,
  };
}

describe('RunningMeanStd', () => {
  it('gives the same statistics sample by sample as in one batch', () => {
    const samples = [3, -1, 4, 1, 5, 9, 2, 6];
    const one = new RunningMeanStd(1);
    for (const s of samples) one.update([s]);
    const batch = new RunningMeanStd(1);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length;
    batch.updateFromMoments([mean], [variance], samples.length);
    const expected = expectedStats(samples);
    for (const rms of [one, batch]) {
      expect(rms.mean[0]).toBeCloseTo(expected.mean, 12);
      expect(rms.var[0]).toBeCloseTo(expected.var, 12);
      expect(rms.count).toBeCloseTo(expected.count, 12);
    }
  });

  it('saves and restores its state, and validates it', () => {
    const rms = new RunningMeanStd(2);
    rms.update([1, 2]);
    const copy = new RunningMeanStd(2);
    copy.setState(JSON.parse(JSON.stringify(rms.getState())));
    expect(copy.getState()).toEqual(rms.getState());
    expect(() => copy.setState({ mean: [0], var: [1], count: 1 })).toThrow('RunningMeanStd of size 2 got a state mean of length 1');
    expect(() => copy.setState({ mean: [0, 0], var: [1, -1], count: 1 })).toThrow(/non-negative variance/);
    expect(() => copy.setState({ mean: [0, 0], var: [1, 1], count: 0 })).toThrow(/positive number/);
  });
});

describe('NormalizeObservation', () => {
  const observations = [
    [1, 10],
    [2, 20],
    [4, 40],
    [8, -10],
  ];

  it('keeps numpy-style running mean and variance of every observation, reset included', () => {
    const env = new NormalizeObservation(new ReplayEnv(observations));
    env.reset();
    for (let i = 0; i < 3; i++) env.step(0);
    const stats = env.obsRms;
    for (let d = 0; d < 2; d++) {
      const expected = expectedStats(observations.map((o) => o[d]));
      expect(stats.mean[d]).toBeCloseTo(expected.mean, 12);
      expect(stats.var[d]).toBeCloseTo(expected.var, 12);
    }
    expect(stats.count).toBeCloseTo(4.0001, 12);
  });

  it('normalises with the statistics updated by the current observation, as float32', () => {
    const env = new NormalizeObservation(new ReplayEnv(observations));
    env.reset();
    env.step(0);
    const { obs } = env.step(0);
    expect(obs).toBeInstanceOf(Float32Array);
    const seen = observations.slice(0, 3);
    for (let d = 0; d < 2; d++) {
      const { mean, var: variance } = expectedStats(seen.map((o) => o[d]));
      expect(obs[d]).toBeCloseTo(Math.fround((seen[2][d] - mean) / Math.sqrt(variance + 1e-8)), 6);
    }
    expect(env.observationSpace.toString()).toBe('Box(-inf, inf, (2,), float32)');
  });

  it('freezes statistics when updateRunningMean is false, and restores them from a checkpoint', () => {
    const trained = new NormalizeObservation(new ReplayEnv(observations));
    trained.reset();
    trained.step(0);
    const saved = trained.obsRms;

    const evaluation = new NormalizeObservation(new ReplayEnv(observations));
    evaluation.obsRms = saved;
    evaluation.updateRunningMean = false;
    const { obs } = evaluation.reset();
    evaluation.step(0);
    evaluation.step(0);
    expect(evaluation.obsRms).toEqual(saved);
    expect(obs[0]).toBeCloseTo((1 - saved.mean[0]) / Math.sqrt(saved.var[0] + 1e-8), 6);
  });

  it('hands out a new array each step', () => {
    const env = new NormalizeObservation(new ReplayEnv(observations));
    const first = env.reset().obs;
    const copy = Array.from(first);
    env.step(0);
    env.step(0);
    expect(Array.from(first)).toEqual(copy);
  });

  it('rejects non-numeric observation spaces with a pointer to FlattenObservation', () => {
    class TextEnv extends Env<string, number> {
      readonly observationSpace = new Text(5);
      readonly actionSpace = new Discrete(1);
      reset() {
        return { obs: 'a', info: {} };
      }
      step(): StepResult<string> {
        return { obs: 'a', reward: 0, terminated: false, truncated: false, info: {} };
      }
    }
    expect(() => new NormalizeObservation(new TextEnv() as never)).toThrow(/TextEnv has Text\(1, 5\). Wrap it in FlattenObservation first/);
  });
});

describe('NormalizeReward', () => {
  it('divides rewards by the running std of the discounted return, reset on termination only', () => {
    const rewards = [1, 2, 3, 4];
    const terminations = [false, true, false, false];
    const gamma = 0.5;
    const env = new NormalizeReward(new ReplayEnv([[0, 0]], rewards, terminations), { gamma });
    env.reset();
    // G ← γ·G·(1 − terminated) + r, with the flag of the step itself (Gymnasium's order):
    // 1; 0 + 2 = 2 (terminates); 0.5·2 + 3 = 4; 0.5·4 + 4 = 6
    const returns = [1, 2, 4, 6];
    for (let i = 0; i < rewards.length; i++) {
      const { reward } = env.step(0);
      const { var: variance } = expectedStats(returns.slice(0, i + 1));
      expect(reward).toBeCloseTo(rewards[i] / Math.sqrt(variance + 1e-8), 12);
    }
    expect(env.discountedReward).toBe(6);
    expect(env.returnRms.count).toBeCloseTo(4.0001, 12);
  });

  it('keeps the discounted return across truncation and reset (as Gymnasium does)', () => {
    class TruncatingEnv extends ReplayEnv {
      override step() {
        return { ...super.step(), truncated: true };
      }
    }
    const env = new NormalizeReward(new TruncatingEnv([[0, 0]], [1, 1]), { gamma: 0.9 });
    env.reset();
    env.step(0);
    env.reset();
    env.step(0);
    expect(env.discountedReward).toBeCloseTo(1.9, 12);
  });

  it('freezes and restores its statistics', () => {
    const env = new NormalizeReward(new ReplayEnv([[0, 0]], [2, 2, 2]), { gamma: 0.99 });
    env.reset();
    env.step(0);
    const saved = env.returnRms;
    env.updateRunningMean = false;
    const { reward } = env.step(0);
    expect(env.returnRms).toEqual(saved);
    expect(reward).toBeCloseTo(2 / Math.sqrt(saved.var[0] + 1e-8), 12);
    const restored = new NormalizeReward(new ReplayEnv([[0, 0]], [2]));
    restored.returnRms = saved;
    expect(restored.returnRms).toEqual(saved);
    expect(() => new NormalizeReward(new ReplayEnv([[0, 0]]), { gamma: 1.5 })).toThrow(/gamma must be in \[0, 1\]/);
  });
});
