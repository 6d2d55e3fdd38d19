import { Box, Discrete, Rng, parseOptions, type Space } from '@rlft/core';
import { initEngine, type HostArray } from '@rlft/nn';
import { mlpSpecFor, type MlpPolicySpec } from '@rlft/policy-mlp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkLoss,
  clippedSurrogate,
  logProbsAndEntropy,
  logRatiosAwayFromClip,
  randomHostParams,
  randomStepBatch,
  type HostParams,
  type StepBatchKey,
} from '../../../test/helpers/mlp-reference.js';
import { grpoMlpConfigSchema, makeGrpoMlpLoss, type GrpoMlpConfig } from './grpo-mlp.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const SIZE = 16;
/** Three episodes of 4, 5 and 4 steps, padded to 16 rows. */
const EPISODE_LENGTHS = [4, 5, 4];
const observationSpace = new Box({ low: -5, high: 5, shape: [3] });

/** Σ_k w_k·(−min(ρ_k A_k, clip(ρ_k, 1 − ε, 1 + ε_high)·A_k)), written out. */
function referenceLoss(spec: MlpPolicySpec, config: GrpoMlpConfig, batch: Record<StepBatchKey, HostArray>) {
  return (params: HostParams): number => {
    const { logProbs } = logProbsAndEntropy(spec, params, batch.obs.data, batch.actions.data, SIZE);
    let loss = 0;
    for (let k = 0; k < SIZE; k++) {
      const logRatio = logProbs[k] - batch.oldLogProbs.data[k];
      loss += batch.weights.data[k] * clippedSurrogate(logRatio, batch.advantages.data[k], config.epsilon, config.epsilon_high ?? config.epsilon);
    }
    return loss;
  };
}

describe('the GRPO loss', () => {
  const cases: [string, Space, number | null][] = [
    ['discrete, symmetric clip', new Discrete(3), null],
    ['discrete, clip-higher ε_high 0.28', new Discrete(3), 0.28],
    ['continuous, clip-higher ε_high 0.28', new Box({ low: [-2, -1], high: [2, 1] }), 0.28],
  ];
  for (const [name, actionSpace, epsilonHigh] of cases) {
    it(`matches the written-out loss and its gradient in every parameter (${name})`, () => {
      const config = parseOptions(grpoMlpConfigSchema, { epsilon: 0.2, epsilon_high: epsilonHigh }, 'grpo-mlp') as GrpoMlpConfig;
      const spec = mlpSpecFor(observationSpace, actionSpace, { actorHidden: [5, 4], criticHidden: null });
      const rng = Rng.fromSeed(23);
      const params = randomHostParams(spec, rng);
      // Each episode's advantage is shared by its steps; the 'grpo' aggregation weighs a step 1/(episodes · its episode's length).
      const episodeAdvantages = [1.2, -0.4, -0.8];
      const advantages = EPISODE_LENGTHS.flatMap((length, e) => Array<number>(length).fill(episodeAdvantages[e]));
      const weights = EPISODE_LENGTHS.flatMap((length) => Array<number>(length).fill(1 / (EPISODE_LENGTHS.length * length)));
      const logRatios = logRatiosAwayFromClip(rng, advantages.length, config.epsilon, config.epsilon_high ?? config.epsilon);
      const batch = randomStepBatch(spec, params, rng, { size: SIZE, advantages, weights, logRatios });
      // Ratios fall on both sides of the clip range, so both branches of the minimum carry gradient.
      const clipped = Array.from(logRatios).filter((lr) => Math.exp(lr) < 1 - config.epsilon || Math.exp(lr) > 1 + (config.epsilon_high ?? config.epsilon));
      expect(clipped.length).toBeGreaterThan(1);
      expect(clipped.length).toBeLessThan(logRatios.length - 1);

      const check = checkLoss(spec, makeGrpoMlpLoss(spec, config), params, batch, referenceLoss(spec, config, batch));
      expect(check.engineLoss).toBeCloseTo(check.referenceLoss, 4);
      for (const [path, error] of Object.entries(check.gradientErrors)) expect(error, path).toBeLessThan(1e-4);
    });
  }
});
