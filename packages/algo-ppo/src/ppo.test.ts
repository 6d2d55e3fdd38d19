import { rmSync } from 'node:fs';
import { evaluatePolicy, parseOptions, type Env } from '@rlft/core';
import { loadCheckpoint } from '@rlft/nn';
import { MlpPolicy } from '@rlft/policy-mlp';
import { afterAll, describe, expect, it } from 'vitest';
import { abortAfter, classicRegistry, metricsOf, newRun, nonFiniteKeys, temporaryRoot, trainContext } from '../../../test/helpers/training.js';
import { ppoConfigSchema, type PpoConfig } from './config.js';
import { Ppo } from './ppo.js';

const registry = classicRegistry();
const root = temporaryRoot('ppo');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ppoConfig = (options: Record<string, unknown>): PpoConfig => parseOptions(ppoConfigSchema, { checkpoint_every: 0, ...options }, 'ppo');

/** rl-zoo's CartPole-v1 settings (8 envs × 64 steps, 2 minibatches, 10 epochs, γ 0.98, λ 0.8, lr 1e-3), which solve it in ~70k steps. */
const CARTPOLE = { num_envs: 8, num_steps: 64, num_minibatches: 2, update_epochs: 10, gamma: 0.98, gae_lambda: 0.8, learning_rate: 1e-3, ent_coef: 0 };

/** Keys logged after every update (CleanRL's names plus timing and memory). */
const UPDATE_KEYS = [
  'charts/SPS',
  'charts/learning_rate',
  'charts/episodes',
  'losses/policy_loss',
  'losses/value_loss',
  'losses/entropy',
  'losses/old_approx_kl',
  'losses/approx_kl',
  'losses/clipfrac',
  'losses/grad_norm',
  'losses/explained_variance',
  'perf/rollout_seconds',
  'perf/learn_seconds',
  'perf/rss_mib',
];

describe('PPO on CartPole-v1', () => {
  it('lifts the mean return of the last 20 episodes far above a random policy in 20k steps, logging finite metrics', async () => {
    const config = ppoConfig({ ...CARTPOLE, total_timesteps: 20_480 });
    const run = newRun(root, 'cartpole', config);
    const result = await new Ppo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 0 }));

    // A uniformly random policy averages about 22. Measured at 20,480 steps on seeds 0–3: 192, 122, 190, 152.
    expect(result.metrics['charts/mean_return_last_20']).toBeGreaterThan(75);
    expect(result.interrupted).toBe(false);
    expect(result.metrics.global_step).toBe(20_480);

    const records = metricsOf(run);
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1) * 512));
    for (const record of records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(UPDATE_KEYS));
      expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
    }
    const last = records[records.length - 1];
    expect(Object.keys(last)).toEqual(expect.arrayContaining(['charts/episodic_return', 'charts/episodic_length', 'charts/mean_return_last_20']));
    // The learning rate anneals linearly: lr·(1 − (update − 1)/updates).
    expect(records[0]['charts/learning_rate']).toBeCloseTo(1e-3, 10);
    expect(last['charts/learning_rate']).toBeCloseTo(1e-3 / 40, 10);
    expect(last['losses/clipfrac']).toBeGreaterThanOrEqual(0);
    expect(last['losses/clipfrac']).toBeLessThanOrEqual(1);
    expect(last['losses/approx_kl']).toBeGreaterThanOrEqual(0);

    expect(nonFiniteKeys(result.metrics)).toEqual([]);
    expect(Object.keys(result.metrics)).toEqual(expect.arrayContaining([...UPDATE_KEYS, 'perf/rss_mib_start', 'perf/rss_mib_end', 'perf/wall_seconds', 'global_step']));
  });

  it('stops the epochs of an update early once approx_kl passes target_kl', async () => {
    const config = ppoConfig({ num_envs: 4, num_steps: 32, num_minibatches: 2, update_epochs: 4, total_timesteps: 256, target_kl: 1e-9 });
    const run = newRun(root, 'target-kl', config);
    const result = await new Ppo(config).train(trainContext(registry, run, { envId: 'CartPole-v1' }));
    // Without the stop: 2 updates × 4 epochs × 2 minibatches = 16 optimizer steps.
    const { counters } = loadCheckpoint(result.checkpoint!);
    expect(counters.update).toBe(2);
    expect(counters.optimizerStep).toBeGreaterThanOrEqual(2);
    expect(counters.optimizerStep).toBeLessThanOrEqual(4);
  });
});

describe('PPO on Pendulum-v1 (continuous actions, observation and reward normalisation)', () => {
  it('trains a few updates and writes a checkpoint that MlpPolicy plays', async () => {
    const config = ppoConfig({
      num_envs: 2,
      num_steps: 256,
      num_minibatches: 4,
      update_epochs: 2,
      gamma: 0.9,
      learning_rate: 1e-3,
      ent_coef: 0,
      normalize_observation: true,
      normalize_reward: true,
      total_timesteps: 2048,
    });
    const run = newRun(root, 'pendulum', config);
    const result = await new Ppo(config).train(trainContext(registry, run, { envId: 'Pendulum-v1', seed: 3 }));

    expect(result.metrics.global_step).toBe(2048);
    const records = metricsOf(run);
    expect(records).toHaveLength(4);
    for (const record of records) expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
    // 200-step episodes (truncated by the time limit) finish in every update of 256 steps per env.
    expect(records.every((r) => typeof r['charts/episodic_return'] === 'number')).toBe(true);
    expect(nonFiniteKeys(result.metrics)).toEqual([]);

    // The checkpoint carries the policy spec and the observation statistics the policy acts with.
    const checkpoint = loadCheckpoint(result.checkpoint!);
    expect([...checkpoint.extraTensors.keys()].sort()).toEqual(['obs_rms.mean', 'obs_rms.var']);
    // Every observation seen was counted: the 2 reset observations and 2 per step.
    expect(checkpoint.metadata.obsRmsCount).toBeCloseTo(2 + 2048, 2);
    expect(checkpoint.metadata.rewardRms).toBeDefined();

    const env = (await registry.make('Pendulum-v1')) as Env<unknown, unknown>;
    const policy = await MlpPolicy.fromCheckpoint(result.checkpoint!, { env: { observationSpace: env.observationSpace, actionSpace: env.actionSpace, envId: 'Pendulum-v1' } });
    expect(policy.spec.obsNormalization).not.toBeNull();
    const evaluation = await evaluatePolicy(env, policy, { episodes: 2, seed: 100 });
    expect(evaluation.episodes.map((e) => [e.length, e.truncated])).toEqual([
      [200, true],
      [200, true],
    ]);
    expect(Number.isFinite(evaluation.return.mean)).toBe(true);
    env.close();
  });
});

describe('PPO checkpoints and resume', () => {
  const config = ppoConfig({ num_envs: 4, num_steps: 32, num_minibatches: 2, update_epochs: 2, total_timesteps: 6 * 128 });

  it('saves a checkpoint when aborted, and a resumed run continues its counters and its metrics', async () => {
    const run = newRun(root, 'resume', config);
    const { controller, onProgress } = abortAfter(3 * 128);
    const first = await new Ppo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 5, signal: controller.signal, onProgress }));
    expect(first.interrupted).toBe(true);
    expect(first.metrics.global_step).toBe(384);
    const saved = loadCheckpoint(first.checkpoint!);
    expect(saved.counters).toMatchObject({ globalStep: 384, update: 3, optimizerStep: 3 * 2 * 2 });
    expect(saved.metadata.algorithm).toBe('ppo');

    // The checkpoint is a policy: MlpPolicy acts from its metadata.policy in the env it was trained on.
    const env = (await registry.make('CartPole-v1')) as Env<unknown, unknown>;
    const policy = await MlpPolicy.fromCheckpoint(first.checkpoint!, { env: { observationSpace: env.observationSpace, actionSpace: env.actionSpace } });
    const evaluation = await evaluatePolicy(env, policy, { episodes: 2, seed: 0 });
    expect(evaluation.episodes).toHaveLength(2);
    expect(evaluation.return.min).toBeGreaterThan(0);
    env.close();

    // Resuming with nothing left to do re-saves what it restored: parameters and Adam moments, bit for bit.
    const noMoreSteps = ppoConfig({ ...config, total_timesteps: 384 });
    const idle = await new Ppo(noMoreSteps).train(trainContext(registry, run, { envId: 'CartPole-v1', resumeFrom: first.checkpoint! }));
    expect(idle.checkpoint).toBe(first.checkpoint);
    const resaved = loadCheckpoint(idle.checkpoint!);
    for (const [name, tensors] of [['model', [saved.tensors, resaved.tensors]], ['optimizer', [saved.optimizerTensors!, resaved.optimizerTensors!]]] as const) {
      const [before, after] = tensors;
      expect([...after.keys()], name).toEqual([...before.keys()]);
      for (const [path, tensor] of before) expect(after.get(path)!.data, path).toEqual(tensor.data);
    }
    expect(resaved.counters).toEqual(saved.counters);

    // The real resume continues from step 384 to the total, appending to the same metrics.jsonl.
    const second = await new Ppo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 5, resumeFrom: first.checkpoint! }));
    expect(second.interrupted).toBe(false);
    expect(second.metrics.global_step).toBe(768);
    const records = metricsOf(run);
    expect(records.map((r) => r.step)).toEqual([128, 256, 384, 512, 640, 768]);
    expect(records[3]['charts/episodes'] as number).toBeGreaterThanOrEqual(records[2]['charts/episodes'] as number);
    // The learning-rate schedule picks up at update 4 of 6.
    expect(records[3]['charts/learning_rate']).toBeCloseTo(config.learning_rate * (1 - 3 / 6), 12);
    const final = loadCheckpoint(second.checkpoint!);
    expect(final.counters).toMatchObject({ globalStep: 768, update: 6, optimizerStep: 6 * 2 * 2 });
  });
});
