import { rmSync } from 'node:fs';
import { parseOptions } from '@rlft/core';
import { loadCheckpoint } from '@rlft/nn';
import { MlpPolicy } from '@rlft/policy-mlp';
import { afterAll, describe, expect, it } from 'vitest';
import { abortAfter, classicRegistry, metricsOf, newRun, nonFiniteKeys, temporaryRoot, trainContext } from '../../../test/helpers/training.js';
import { Reinforce, reinforceConfigSchema, type ReinforceConfig } from './reinforce.js';

const registry = classicRegistry();
const root = temporaryRoot('reinforce');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const reinforceConfig = (options: Record<string, unknown>): ReinforceConfig =>
  parseOptions(reinforceConfigSchema, { checkpoint_every: 0, ...options }, 'reinforce') as ReinforceConfig;

const UPDATE_KEYS = [
  'charts/episodic_return',
  'charts/episodic_length',
  'charts/mean_return_last_20',
  'charts/mean_return_to_go',
  'charts/learning_rate',
  'charts/SPS',
  'charts/episodes',
  'losses/loss',
  'losses/grad_norm',
  'losses/policy_loss',
  'losses/entropy',
  'perf/rollout_seconds',
  'perf/learn_seconds',
  'perf/rss_mib',
];

describe('REINFORCE on CartPole-v1', () => {
  // A uniformly random policy averages about 22. Measured at 12k steps on seeds 0–3:
  // 230, 186, 136, 175 without a baseline; 89, 127, 186, 164 with the value baseline.
  const cases: [ReinforceConfig['baseline'], number, string[]][] = [
    ['none', 70, []],
    ['value', 55, ['losses/value_loss']],
  ];
  for (const [baseline, threshold, extraKeys] of cases) {
    it(`lifts the mean return of the last 20 episodes far above random in 12k steps (baseline '${baseline}')`, async () => {
      const config = reinforceConfig({ total_timesteps: 12_000, baseline });
      const run = newRun(root, `cartpole-${baseline}`, config);
      const result = await new Reinforce(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 0 }));
      expect(result.metrics['charts/mean_return_last_20']).toBeGreaterThan(threshold);
      // Whole episodes are collected, so the run ends at or just past the total.
      expect(result.metrics.global_step).toBeGreaterThanOrEqual(12_000);
      const records = metricsOf(run);
      for (const record of records) {
        expect(Object.keys(record)).toEqual(expect.arrayContaining([...UPDATE_KEYS, ...extraKeys]));
        expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
      }
      // 8 episodes per update.
      expect(records.map((r) => r['charts/episodes'])).toEqual(records.map((_, i) => 8 * (i + 1)));
      expect(nonFiniteKeys(result.metrics)).toEqual([]);
    });
  }
});

describe('REINFORCE on Pendulum-v1 (continuous actions)', () => {
  it('runs two updates with finite metrics and a playable checkpoint', async () => {
    const config = reinforceConfig({ total_timesteps: 3200, episodes_per_update: 8, baseline: 'value' });
    const run = newRun(root, 'pendulum', config);
    const result = await new Reinforce(config).train(trainContext(registry, run, { envId: 'Pendulum-v1', seed: 1 }));
    const records = metricsOf(run);
    // 8 episodes of 200 steps per update.
    expect(records.map((r) => r.step)).toEqual([1600, 3200]);
    for (const record of records) expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
    const policy = await MlpPolicy.fromCheckpoint(result.checkpoint!);
    expect(policy.spec.action.type).toBe('continuous');
    expect(policy.spec.criticHidden).toEqual([64, 64]);
  });
});

describe('REINFORCE checkpoints and resume', () => {
  it('saves a checkpoint when aborted and continues its counters when resumed', async () => {
    const config = reinforceConfig({ total_timesteps: 2000 });
    const run = newRun(root, 'resume', config);
    const { controller, onProgress } = abortAfter(800);
    const first = await new Reinforce(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 2, signal: controller.signal, onProgress }));
    expect(first.interrupted).toBe(true);
    const saved = loadCheckpoint(first.checkpoint!).counters;
    expect(saved.globalStep).toBe(first.metrics.global_step);
    expect(saved.globalStep).toBeGreaterThanOrEqual(800);
    expect(saved.globalStep).toBeLessThan(2000);
    expect(saved.episodes).toBe(8 * saved.update);

    const second = await new Reinforce(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 2, resumeFrom: first.checkpoint! }));
    expect(second.interrupted).toBe(false);
    const final = loadCheckpoint(second.checkpoint!).counters;
    expect(final.globalStep).toBeGreaterThanOrEqual(2000);
    expect(final.optimizerStep).toBe(final.update);
    expect(final.episodes).toBe(8 * final.update);
    const records = metricsOf(run);
    // One record per update across both processes, steps increasing, episodes counted on from the checkpoint.
    expect(records).toHaveLength(final.update);
    expect(records.every((r, i) => i === 0 || r.step > records[i - 1].step)).toBe(true);
    expect(records[saved.update]['charts/episodes']).toBe(8 * (saved.update + 1));
    expect(records[records.length - 1].step).toBe(final.globalStep);
  });
});

describe('reinforceConfigSchema through parseOptions', () => {
  it('names unknown keys with a suggestion and wrong values with what is allowed', () => {
    const parse = (input: unknown) => parseOptions(reinforceConfigSchema, input, 'reinforce');
    expect(parse({}).baseline).toBe('none');
    expect(() => parse({ episodes_per_updates: 4 })).toThrow(/unknown option 'episodes_per_updates' \(did you mean 'episodes_per_update'\?\)/);
    expect(() => parse({ baseline: 'critic' })).toThrow(/'baseline': .*"none"\|"value"/);
    expect(() => parse({ episodes_per_update: '8' })).toThrow(/'episodes_per_update': .*expected number, received string/);
    expect(parse({ max_grad_norm: null }).max_grad_norm).toBeNull();
  });
});
