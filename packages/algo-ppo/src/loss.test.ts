import { Box, Discrete, Rng, parseOptions, type Space } from '@rlft/core';
import { initEngine, np, oneHot, type HostArray } from '@rlft/nn';
import { mlpParamShapes, mlpSpecFor, type MlpPolicySpec } from '@rlft/policy-mlp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  clippedSurrogate,
  checkLoss,
  denseForward,
  logProbsAndEntropy,
  logRatiosAwayFromClip,
  mean,
  normals,
  paramsFromLeaves,
  randomHostParams,
  standardize,
  valueLoss,
  type HostParams,
} from '../../../test/helpers/mlp-reference.js';
import { ppoConfigSchema, type PpoConfig } from './config.js';
import { makePpoLoss, type PpoBatch } from './loss.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const B = 12;
const observationSpace = new Box({ low: -5, high: 5, shape: [3] });
const specFor = (actionSpace: Space): MlpPolicySpec => mlpSpecFor(observationSpace, actionSpace, { actorHidden: [5, 4], criticHidden: [4, 3] });

/** CleanRL's loss with every term switched on and weighted enough to matter in the gradient. */
const config = (overrides: Partial<PpoConfig> = {}): PpoConfig =>
  parseOptions(ppoConfigSchema, { ent_coef: 0.05, vf_coef: 0.5, clip_coef: 0.2, clip_vloss: true, norm_adv: true, ...overrides }, 'ppo');

/** The loss written out: clipped surrogate on normalised advantages − c_e·entropy + c_v·(clipped) value loss. */
function referenceLoss(spec: MlpPolicySpec, c: PpoConfig, batch: Record<keyof PpoBatch, HostArray>) {
  return (params: HostParams): number => {
    const { logProbs, entropy } = logProbsAndEntropy(spec, params, batch.obs.data, batch.actions.data, B);
    const advantages = c.norm_adv ? standardize(batch.advantages.data) : Float64Array.from(batch.advantages.data);
    const surrogate = Array.from(logProbs, (lp, i) => clippedSurrogate(lp - batch.oldLogProbs.data[i], advantages[i], c.clip_coef));
    const values = denseForward(spec, params, 'critic', batch.obs.data, B);
    const valueLosses = Array.from(values, (v, i) =>
      c.clip_vloss ? valueLoss(v, batch.returns.data[i], batch.oldValues.data[i], c.clip_coef) : valueLoss(v, batch.returns.data[i]),
    );
    return mean(surrogate) - c.ent_coef * mean(entropy) + c.vf_coef * mean(valueLosses);
  };
}

/**
 * A minibatch around `params` whose old log-probs and old values put some samples on each side
 * of both clips (and none at a kink), so that every branch of the loss carries gradient.
 */
function batchAround(spec: MlpPolicySpec, params: HostParams, rng: Rng, clipCoef: number): Record<keyof PpoBatch, HostArray> {
  const obs = normals(rng, B * spec.obsDim);
  const actions =
    spec.action.type === 'discrete'
      ? Float64Array.from(oneHot(Array.from({ length: B }, () => rng.integer(0, 2)), spec.action.n))
      : normals(rng, B * spec.action.dim, 1.5);
  const width = spec.action.type === 'discrete' ? spec.action.n : spec.action.dim;
  const { logProbs } = logProbsAndEntropy(spec, params, obs, actions, B);
  const logRatios = logRatiosAwayFromClip(rng, B, clipCoef);
  const values = denseForward(spec, params, 'critic', obs, B);
  const returns = normals(rng, B);
  const oldValues = Float64Array.from(values, (v, i) => {
    for (;;) {
      const old = Math.fround(v + rng.uniform(-2 * clipCoef, 2 * clipCoef));
      const clipped = old + Math.min(Math.max(v - old, -clipCoef), clipCoef);
      if (Math.abs(Math.abs(v - old) - clipCoef) > 1e-3 && Math.abs((v - returns[i]) ** 2 - (clipped - returns[i]) ** 2) > 1e-3) return old;
    }
  });
  return {
    obs: { data: obs, shape: [B, spec.obsDim] },
    actions: { data: actions, shape: [B, width] },
    oldLogProbs: { data: Float64Array.from(logProbs, (lp, i) => Math.fround(lp - logRatios[i])), shape: [B] },
    advantages: { data: normals(rng, B, 2, 0.5), shape: [B] },
    returns: { data: returns, shape: [B] },
    oldValues: { data: oldValues, shape: [B] },
  };
}

describe('makePpoLoss', () => {
  const cases: [string, Space, Partial<PpoConfig>][] = [
    ['discrete actions', new Discrete(3), {}],
    ['continuous actions', new Box({ low: [-2, -1], high: [2, 1] }), {}],
    ['discrete, without advantage normalisation or value clipping', new Discrete(3), { norm_adv: false, clip_vloss: false }],
  ];
  for (const [name, actionSpace, overrides] of cases) {
    it(`matches the written-out loss and its gradient in every parameter (${name})`, () => {
      const rng = Rng.fromSeed(7);
      const spec = specFor(actionSpace);
      const c = config(overrides);
      const params = randomHostParams(spec, rng);
      const batch = batchAround(spec, params, rng, c.clip_coef);
      // Both sides of the policy clip are populated, or the check would miss a branch.
      const ratios = Array.from(logProbsAndEntropy(spec, params, batch.obs.data, batch.actions.data, B).logProbs, (lp, i) => Math.exp(lp - batch.oldLogProbs.data[i]));
      expect(ratios.filter((r) => Math.abs(r - 1) > c.clip_coef).length).toBeGreaterThan(1);
      expect(ratios.filter((r) => Math.abs(r - 1) < c.clip_coef).length).toBeGreaterThan(1);

      const check = checkLoss(spec, makePpoLoss(spec, c), params, batch, referenceLoss(spec, c, batch));
      expect(check.engineLoss).toBeCloseTo(check.referenceLoss, 4);
      expect(Object.keys(check.gradientErrors)).toEqual(
        spec.action.type === 'discrete'
          ? ['actor.0.w', 'actor.0.b', 'actor.1.w', 'actor.1.b', 'actor.2.w', 'actor.2.b', 'critic.0.w', 'critic.0.b', 'critic.1.w', 'critic.1.b', 'critic.2.w', 'critic.2.b']
          : expect.arrayContaining(['log_std']),
      );
      for (const [path, error] of Object.entries(check.gradientErrors)) expect(error, path).toBeLessThan(1e-4);
    });
  }

  it("reports CleanRL's diagnostics of the minibatch as aux, consuming every input", () => {
    const rng = Rng.fromSeed(8);
    const spec = specFor(new Discrete(3));
    const c = config();
    const params = randomHostParams(spec, rng);
    const batch = batchAround(spec, params, rng, c.clip_coef);
    const upload = ({ data, shape }: HostArray) => np.array(Float32Array.from(data), { shape });
    const leaves = mlpParamShapes(spec).map(([path, shape]) => upload({ data: params.get(path)!, shape }));
    const arrays = Object.fromEntries(Object.entries(batch).map(([key, host]) => [key, upload(host)])) as PpoBatch;
    const inputs = [...leaves, ...Object.values(arrays)];
    const batchRefs = Object.fromEntries(Object.entries(arrays).map(([key, array]) => [key, array.ref])) as PpoBatch;
    const [loss, aux] = makePpoLoss(spec, c)(paramsFromLeaves(spec, leaves.map((leaf) => leaf.ref)), batchRefs);
    const read = Object.fromEntries(Object.entries(aux).map(([key, value]) => [key, value.item()]));
    expect(Object.keys(read).sort()).toEqual(['approx_kl', 'clipfrac', 'entropy', 'old_approx_kl', 'pg_loss', 'v_loss']);

    const { logProbs, entropy } = logProbsAndEntropy(spec, params, batch.obs.data, batch.actions.data, B);
    const logRatios = Array.from(logProbs, (lp, i) => lp - batch.oldLogProbs.data[i]);
    const advantages = standardize(batch.advantages.data);
    const values = denseForward(spec, params, 'critic', batch.obs.data, B);
    expect(read.pg_loss).toBeCloseTo(mean(logRatios.map((lr, i) => clippedSurrogate(lr, advantages[i], c.clip_coef))), 5);
    expect(read.v_loss).toBeCloseTo(mean(Array.from(values, (v, i) => valueLoss(v, batch.returns.data[i], batch.oldValues.data[i], c.clip_coef))), 5);
    expect(read.entropy).toBeCloseTo(mean(entropy), 5);
    expect(read.old_approx_kl).toBeCloseTo(mean(logRatios.map((lr) => -lr)), 5);
    expect(read.approx_kl).toBeCloseTo(mean(logRatios.map((lr) => Math.exp(lr) - 1 - lr)), 5);
    expect(read.clipfrac).toBeCloseTo(logRatios.filter((lr) => Math.abs(Math.exp(lr) - 1) > c.clip_coef).length / B, 6);
    expect(loss.item()).toBeCloseTo(read.pg_loss - c.ent_coef * read.entropy + c.vf_coef * read.v_loss, 5);
    // The loss consumed exactly the references it was handed: the originals are still held once.
    expect(inputs.map((array) => array.refCount)).toEqual(inputs.map(() => 1));
    for (const array of inputs) array.dispose();
  });
});
