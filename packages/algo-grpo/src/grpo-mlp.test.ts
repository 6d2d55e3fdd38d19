import { rmSync } from 'node:fs';
import { parseOptions } from '@rlft/core';
import { loadCheckpoint } from '@rlft/nn';
import { MlpPolicy } from '@rlft/policy-mlp';
import { afterAll, describe, expect, it } from 'vitest';
import { abortAfter, classicRegistry, metricsOf, newRun, nonFiniteKeys, temporaryRoot, trainContext } from '../../../test/helpers/training.js';
import { GrpoMlp, grpoMlpConfigSchema, type GrpoMlpConfig } from './grpo-mlp.js';

const registry = classicRegistry();
const root = temporaryRoot('grpo-mlp');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const grpoConfig = (options: Record<string, unknown>): GrpoMlpConfig => parseOptions(grpoMlpConfigSchema, { checkpoint_every: 0, ...options }, 'grpo-mlp') as GrpoMlpConfig;

const UPDATE_KEYS = [
  'charts/episodic_return',
  'charts/mean_return_last_20',
  'charts/SPS',
  'charts/episodes',
  'losses/loss',
  'losses/grad_norm',
  'losses/approx_kl',
  'losses/old_approx_kl',
  'losses/entropy',
  'rewards/mean',
  'rewards/std',
  'rewards/frac_zero_std_groups',
  'perf/rollout_seconds',
  'perf/learn_seconds',
];

describe('GRPO on CartPole-v1', () => {
  it('lifts the mean return of the last 20 episodes far above random in 12k steps', async () => {
    const config = grpoConfig({ total_timesteps: 12_000 });
    const run = newRun(root, 'cartpole', config);
    const result = await new GrpoMlp(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 0 }));
    // A uniformly random policy averages about 22. Measured at 12k steps on seeds 0–3: 271, 184, 318, 228.
    expect(result.metrics['charts/mean_return_last_20']).toBeGreaterThan(90);
    const records = metricsOf(run);
    for (const record of records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(UPDATE_KEYS));
      expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
      expect(record['rewards/frac_zero_std_groups']).toBeGreaterThanOrEqual(0);
      expect(record['rewards/frac_zero_std_groups']).toBeLessThanOrEqual(1);
    }
    // num_groups × group_size = 8 episodes per update, num_iterations = 2 optimizer steps each.
    const { counters } = loadCheckpoint(result.checkpoint!);
    expect(counters.episodes).toBe(8 * counters.update);
    expect(counters.optimizerStep).toBe(2 * counters.update);
    expect(nonFiniteKeys(result.metrics)).toEqual([]);
  });

  for (const lossType of ['bnpo', 'dr_grpo'] as const) {
    it(`trains with loss_type '${lossType}' and unscaled advantages`, async () => {
      const config = grpoConfig({ total_timesteps: 600, loss_type: lossType, scale_rewards: 'none', epsilon_high: 0.28 });
      const run = newRun(root, `loss-${lossType}`, config);
      const result = await new GrpoMlp(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 1 }));
      const records = metricsOf(run);
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
      // An actor-only policy: the checkpoint plays without a critic.
      const policy = await MlpPolicy.fromCheckpoint(result.checkpoint!);
      expect(policy.spec.criticHidden).toBeNull();
    });
  }
});

describe('GRPO checkpoints and resume', () => {
  it('saves a checkpoint when aborted and continues its counters when resumed', async () => {
    const config = grpoConfig({ total_timesteps: 1500 });
    const run = newRun(root, 'resume', config);
    const { controller, onProgress } = abortAfter(500);
    const first = await new GrpoMlp(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 4, signal: controller.signal, onProgress }));
    expect(first.interrupted).toBe(true);
    const saved = loadCheckpoint(first.checkpoint!).counters;
    expect(saved.globalStep).toBeLessThan(1500);
    const second = await new GrpoMlp(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 4, resumeFrom: first.checkpoint! }));
    expect(second.interrupted).toBe(false);
    const final = loadCheckpoint(second.checkpoint!).counters;
    expect(final.globalStep).toBeGreaterThanOrEqual(1500);
    expect(final.optimizerStep).toBe(2 * final.update);
    const records = metricsOf(run);
    expect(records).toHaveLength(final.update);
    expect(records[saved.update - 1].step).toBe(saved.globalStep);
    expect(records.every((r, i) => i === 0 || r.step > records[i - 1].step)).toBe(true);
  });
});

describe('grpoMlpConfigSchema through parseOptions', () => {
  it('names unknown keys with a suggestion and values out of range', () => {
    const parse = (input: unknown) => parseOptions(grpoMlpConfigSchema, input, 'grpo-mlp');
    expect(parse({})).toMatchObject({ num_groups: 2, group_size: 4, epsilon: 0.2, epsilon_high: null, num_iterations: 2, scale_rewards: 'group', loss_type: 'grpo' });
    expect(() => parse({ group_sise: 8 })).toThrow(/unknown option 'group_sise' \(did you mean 'group_size'\?\)/);
    // A group of one has no relative advantage.
    expect(() => parse({ group_size: 1 })).toThrow(/'group_size': .*>=2/);
    expect(() => parse({ loss_type: 'token' })).toThrow(/'loss_type': .*"grpo"\|"bnpo"\|"dr_grpo"\|"dapo"/);
    expect(() => parse({ num_groups: 'two' })).toThrow(/'num_groups': .*expected number, received string/);
  });
});
