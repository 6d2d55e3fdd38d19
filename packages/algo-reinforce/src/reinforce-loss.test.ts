import { Box, Discrete, Rng, parseOptions, type Space } from '@rlft/core';
import { initEngine, type HostArray } from '@rlft/nn';
import { mlpSpecFor, type MlpPolicySpec } from '@rlft/policy-mlp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLoss, denseForward, logProbsAndEntropy, normals, randomHostParams, randomStepBatch, type HostParams, type StepBatchKey } from '../../../test/helpers/mlp-reference.js';
import { makeReinforceLoss, reinforceConfigSchema, type ReinforceConfig } from './reinforce.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const STEPS = 13;
const SIZE = 16;
const observationSpace = new Box({ low: -5, high: 5, shape: [3] });

/** −Σ w·log π(a|s)·A − c_e·Σ w·H + c_v·½·Σ w·(V − G)², written out (padding rows have w = 0). */
function referenceLoss(spec: MlpPolicySpec, config: ReinforceConfig, batch: Record<StepBatchKey, HostArray>) {
  return (params: HostParams): number => {
    const { logProbs, entropy } = logProbsAndEntropy(spec, params, batch.obs.data, batch.actions.data, SIZE);
    const w = batch.weights.data;
    let loss = 0;
    for (let k = 0; k < SIZE; k++) loss += -w[k] * logProbs[k] * batch.advantages.data[k] - config.ent_coef * w[k] * entropy[k];
    if (config.baseline === 'value') {
      const values = denseForward(spec, params, 'critic', batch.obs.data, SIZE);
      for (let k = 0; k < SIZE; k++) loss += config.vf_coef * 0.5 * w[k] * (values[k] - batch.returns.data[k]) ** 2;
    }
    return loss;
  };
}

describe('the REINFORCE loss', () => {
  const cases: [string, Space, ReinforceConfig['baseline']][] = [
    ['discrete, no baseline', new Discrete(3), 'none'],
    ['discrete, value baseline', new Discrete(3), 'value'],
    ['continuous, no baseline', new Box({ low: [-2, -1], high: [2, 1] }), 'none'],
    ['continuous, value baseline', new Box({ low: [-2, -1], high: [2, 1] }), 'value'],
  ];
  for (const [name, actionSpace, baseline] of cases) {
    it(`matches the written-out loss and its gradient in every parameter (${name})`, () => {
      const config = parseOptions(reinforceConfigSchema, { baseline, ent_coef: 0.05, vf_coef: 0.5 }, 'reinforce') as ReinforceConfig;
      // The trainer builds the policy with a critic only for the value baseline.
      const spec = mlpSpecFor(observationSpace, actionSpace, { actorHidden: [5, 4], criticHidden: baseline === 'value' ? [4, 3] : null });
      const rng = Rng.fromSeed(17);
      const params = randomHostParams(spec, rng);
      const batch = randomStepBatch(spec, params, rng, { size: SIZE, advantages: normals(rng, STEPS), weights: new Float64Array(STEPS).fill(1 / STEPS) });

      const check = checkLoss(spec, makeReinforceLoss(spec, config), params, batch, referenceLoss(spec, config, batch));
      expect(check.engineLoss).toBeCloseTo(check.referenceLoss, 4);
      expect(Object.keys(check.gradientErrors).some((path) => path.startsWith('critic'))).toBe(baseline === 'value');
      for (const [path, error] of Object.entries(check.gradientErrors)) expect(error, path).toBeLessThan(1e-4);
    });
  }
});
