import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete, Rng } from '@rlft/core';
import { DatasetWriter } from '@rlft/data';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompletionSample } from '../sample.js';
import { REWARD_MODEL_FORMAT, REWARD_MODEL_VERSION, loadRewardModel, writeRewardModelFiles, type RewardModelConfig } from './model.js';
import { LearnedReward } from './reward.js';
import { trainRewardModel } from './train.js';

const root = mkdtempSync(join(tmpdir(), 'rlft-rewards-learned-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const observationSpace = new Box({ low: -1, high: 1, shape: [2], dtype: 'float32' });
const actionSpace = new Box({ low: [-1], high: [1], dtype: 'float32' });

/** r = 2·o₀ − o₁ + 3·a: a linear reward a small MLP fits closely. */
function linearReward(obs: ArrayLike<number>, action: ArrayLike<number>): number {
  return 2 * obs[0] - obs[1] + 3 * action[0];
}

async function writeLinearDataset(path: string): Promise<void> {
  const rng = Rng.fromSeed(1);
  const writer = await DatasetWriter.create({ path, observationSpace, actionSpace });
  for (let episode = 0; episode < 4; episode++) {
    const n = 50;
    const observations = Array.from({ length: n + 1 }, () => observationSpace.sample(rng));
    const actions = Array.from({ length: n }, () => actionSpace.sample(rng));
    const rewards = actions.map((a, t) => linearReward(observations[t], a));
    writer.addEpisode({ observations, actions, rewards, terminations: new Array<boolean>(n).fill(false), truncations: actions.map((_, t) => t === n - 1) });
  }
  writer.finish({ dataset_id: 'test/linear-v0', algorithm_name: 'random' });
}

describe('learned reward model', () => {
  it('trains on the dataset rewards, saves atomically and scores answers with the model', async () => {
    const dataset = join(root, 'linear');
    await writeLinearDataset(dataset);
    const out = join(root, 'models', 'linear-rm');
    const result = await trainRewardModel(dataset, { out, hidden: [16], steps: 300, batchSize: 64, learningRate: 1e-2, seed: 0 });
    expect(result.examples).toBe(200);
    // Far better than predicting the mean (variance ≈ 4/3 + 1/3 + 3 for uniform inputs).
    expect(result.rewardVariance).toBeGreaterThan(2);
    expect(result.mse).toBeLessThan(0.05 * result.rewardVariance);
    expect(readdirSync(join(root, 'models'))).toEqual(['linear-rm']); // no temporary left behind

    const reward = new LearnedReward({ modelPath: out });
    const sample = (completion: string): CompletionSample => ({ prompt: '', prefix: '<action>', completion, observation: [0.5, -0.5] });
    const [high, low, clipped, malformed] = reward.score([sample('0.8</action>'), sample('-0.8</action>'), sample('5</action>'), sample('x</action>')]);
    expect(high).toBeCloseTo(linearReward([0.5, -0.5], [0.8]), 0);
    expect(low).toBeCloseTo(linearReward([0.5, -0.5], [-0.8]), 0);
    expect(clipped).toBeCloseTo(linearReward([0.5, -0.5], [1]), 0);
    expect(malformed).toBe(-10);
    expect(() => reward.score([{ prompt: '', completion: '<action>0</action>' }])).toThrow(/observation/);
  });

  it('evaluates a saved model exactly: standardised inputs, one-hot discrete actions, de-standardised output', () => {
    const dir = join(root, 'hand-written');
    const config: RewardModelConfig = {
      format: REWARD_MODEL_FORMAT,
      version: REWARD_MODEL_VERSION,
      target: 'reward',
      observationSpace: new Box({ low: -10, high: 10, shape: [1], dtype: 'float32' }).toJSON(),
      actionSpace: new Discrete(2).toJSON(),
      hidden: [],
      activation: 'relu',
      inputMean: [1, 0, 0],
      inputStd: [2, 1, 1],
      targetMean: 0.5,
      targetStd: 2,
    };
    // Features [(o − 1)/2, a = 0, a = 1] → 2·feature₀ + 5·[a = 1] + 1.
    const tensors = new Map([
      ['layers.0.w', { shape: [3, 1], data: new Float32Array([2, 0, 5]) }],
      ['layers.0.b', { shape: [1], data: new Float32Array([1]) }],
    ]);
    mkdirSync(dir, { recursive: true });
    writeRewardModelFiles(dir, config, tensors);
    const reward = new LearnedReward({ modelPath: dir, malformedPenalty: -4 });
    const sample = (completion: string, observation: number): CompletionSample => ({ prompt: '', completion, observation: [observation] });
    // o = 3: feature₀ = 1 → (2 + 5 + 1)·2 + 0.5 = 16.5 for a = 1, (2 + 1)·2 + 0.5 = 6.5 for a = 0.
    expect(reward.score([sample('<action>1</action>', 3), sample('<action>0</action>', 3), sample('<action>2</action>', 3)])).toEqual([16.5, 6.5, -4]);
  });

  it('says what is wrong with a directory that holds no model', () => {
    expect(() => loadRewardModel(join(root, 'nothing-here'))).toThrow(/reward-model.json is missing/);
    expect(existsSync(join(root, 'nothing-here'))).toBe(false);
  });
});

