import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PluginHost, evaluatePolicy, parseOptions, type Policy } from '@rlft/core';
import { openDataset } from '@rlft/data';
import { loadCheckpoint } from '@rlft/nn';
import { HostMlp, MlpPolicy, loadMlpCheckpoint } from '@rlft/policy-mlp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDataset } from '../../../test/helpers/datasets.js';
import { classicRegistry, metricsOf, newRun, nonFiniteKeys, temporaryRoot, trainContext } from '../../../test/helpers/training.js';
import { BehaviourCloning, DatasetMismatchError } from './bc.js';
import { bcConfigSchema, type BcConfig } from './config.js';
import { readDemonstrations, validationSplit } from './demonstrations.js';
import { hostBcLoss } from './loss.js';

const registry = classicRegistry();
const root = temporaryRoot('bc');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bcConfig = (options: Record<string, unknown>): BcConfig => parseOptions(bcConfigSchema, options, 'bc');

const cartpoleData = join(root, 'cartpole-expert');
const pendulumData = join(root, 'pendulum-random');
let expertMean = 0;

beforeAll(async () => {
  const host = await PluginHost.create();
  for (const module of ['@rlft/envs-classic/plugin', '@rlft/experts/plugin']) expect(await host.load(module)).toBe(true);
  const env = await host.registry.make('CartPole-v1');
  const expert = await host.expertFor('CartPole-v1')!({ envId: 'CartPole-v1', observationSpace: env.observationSpace, actionSpace: env.actionSpace }, {});
  await recordDataset(cartpoleData, env, expert, 10, 1000);
  expertMean = (await evaluatePolicy(env, expert, { episodes: 3, seed: 200 })).return.mean;
  env.close();

  // A small Pendulum dataset of a simple hand-written controller: a = clip(−2θ̇ − 4·sinθ, ±2) — learnable by an MLP.
  const pendulum = await registry.make('Pendulum-v1');
  const controller: Policy<Float32Array, Float32Array> = {
    id: 'damping',
    act: (o) => Float32Array.of(Math.max(-2, Math.min(2, -2 * o[2] - 4 * o[1]))),
  };
  await recordDataset(pendulumData, pendulum, controller as Policy, 4, 0);
  pendulum.close();
}, 60_000);

describe('behaviour cloning on CartPole-v1', () => {
  it('clones the shipped expert from 10 episodes to ≥ 475 on unseen seeds, next to the expert’s 500', async () => {
    const config = bcConfig({ dataset: cartpoleData, epochs: 30, batch_size: 256, learning_rate: 3e-3, early_stopping_patience: 8, normalize_observation: true });
    const run = newRun(root, 'cartpole', config);
    const result = await new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 0 }));
    expect(result.interrupted).toBe(false);
    expect(result.metrics['charts/train_transitions']).toBe(4500);
    expect(result.metrics['charts/validation_transitions']).toBe(500);

    const env = await registry.make('CartPole-v1');
    const policy = await MlpPolicy.fromCheckpoint(result.checkpoint!, { deterministic: true, env: { observationSpace: env.observationSpace, actionSpace: env.actionSpace, envId: 'CartPole-v1' } });
    const evaluation = await evaluatePolicy(env, policy, { episodes: 5, seed: 300 });
    env.close();
    expect(expertMean).toBe(500);
    expect(evaluation.return.mean).toBeGreaterThanOrEqual(475);

    // Metrics every epoch; the checkpoint carries the policy spec with observation normalisation.
    const records = metricsOf(run);
    expect(records.length).toBe(result.metrics['charts/epoch']);
    for (const record of records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(['losses/train', 'losses/validation', 'charts/epoch']));
      expect(nonFiniteKeys(record)).toEqual([]);
    }
    expect(records.at(-1)!['losses/validation']).toBeLessThan(records[0]['losses/validation'] as number);
    const saved = loadCheckpoint(result.checkpoint!);
    expect((saved.metadata as { policy: { obsNormalization: unknown } }).policy.obsNormalization).toEqual({ clip: 10, epsilon: 1e-8 });
    expect(saved.tensors.has('obs_rms.mean')).toBe(true);
  }, 30_000);

  it('refuses a dataset recorded with other spaces, naming both', async () => {
    const config = bcConfig({ dataset: pendulumData, epochs: 1 });
    const run = newRun(root, 'mismatch', config);
    const training = new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'CartPole-v1' }));
    await expect(training).rejects.toThrow(DatasetMismatchError);
    await expect(new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'CartPole-v1' }))).rejects.toThrow(
      /observation space: dataset Box\(.*3.*\), CartPole-v1 Box\(.*4.*\); action space: dataset Box.*CartPole-v1 Discrete\(2\)/,
    );
  });

  it('stops at Ctrl-C with a checkpoint, and resumes from it to the planned epochs', async () => {
    const config = bcConfig({ dataset: cartpoleData, epochs: 4, early_stopping_patience: 0 });
    const run = newRun(root, 'resume', config);
    const controller = new AbortController();
    const first = await new BehaviourCloning(config).train(
      trainContext(registry, run, { envId: 'CartPole-v1', signal: controller.signal, onProgress: (p) => (p.step >= 2 ? controller.abort() : undefined) }),
    );
    expect(first.interrupted).toBe(true);
    expect(loadCheckpoint(first.checkpoint!).counters.update).toBe(2);
    const second = await new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'CartPole-v1', resumeFrom: first.checkpoint! }));
    expect(second.interrupted).toBe(false);
    expect(loadCheckpoint(second.checkpoint!).counters.update).toBe(4);
    expect(metricsOf(run).map((r) => r['charts/epoch'])).toEqual([1, 2, 3, 4]);
  });

  it('stops early when the validation loss stops falling, and checkpoints the best parameters', async () => {
    // A learning rate far too high makes the validation loss bounce, so patience 1 ends the run early.
    const config = bcConfig({ dataset: cartpoleData, epochs: 40, batch_size: 64, learning_rate: 0.5, early_stopping_patience: 1, validation_fraction: 0.2 });
    const run = newRun(root, 'early', config);
    const result = await new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 5 }));
    expect(result.metrics['charts/stopped_early']).toBe(1);
    expect(result.metrics['charts/epoch']).toBeLessThan(40);
    expect(result.metrics['charts/epoch']).toBe(result.metrics['charts/best_epoch'] + 1);

    // The validation loss of the saved parameters is the best one logged, not the last.
    const records = metricsOf(run);
    const best = Math.min(...records.map((r) => r['losses/validation'] as number));
    expect(records.at(-1)!['losses/validation']).toBeGreaterThan(best);
    const dataset = await openDataset(cartpoleData);
    const split = validationSplit(dataset.episodeIds, 0.2, 5);
    const validation = readDemonstrations(dataset, split.validation);
    dataset.close();
    const { spec, tensors } = await loadMlpCheckpoint(result.checkpoint!);
    expect(hostBcLoss(new HostMlp(spec, tensors), validation.observations, validation.actions, validation.count)).toBeCloseTo(best, 4);
  });

  it('caps the run at total_timesteps gradient samples', async () => {
    const config = bcConfig({ dataset: cartpoleData, epochs: 100, batch_size: 100, total_timesteps: 1000, validation_fraction: 0 });
    const run = newRun(root, 'capped', config);
    const result = await new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'CartPole-v1' }));
    expect(result.metrics.global_step).toBe(1000);
    expect(metricsOf(run).at(-1)).not.toHaveProperty('losses/validation');
  });
});

describe('behaviour cloning on Pendulum-v1 (Box actions)', () => {
  it('trains on the means and the loss falls', async () => {
    const config = bcConfig({ dataset: pendulumData, epochs: 15, batch_size: 64, validation_fraction: 0.25, early_stopping_patience: 0 });
    const run = newRun(root, 'pendulum', config);
    const result = await new BehaviourCloning(config).train(trainContext(registry, run, { envId: 'Pendulum-v1' }));
    const records = metricsOf(run);
    expect(records.length).toBe(15);
    expect(records.at(-1)!['losses/train']).toBeLessThan((records[0]['losses/train'] as number) / 2);
    expect(records.at(-1)!['losses/validation']).toBeLessThan(records[0]['losses/validation'] as number);
    const env = await registry.make('Pendulum-v1');
    const policy = await MlpPolicy.fromCheckpoint(result.checkpoint!, { env: { observationSpace: env.observationSpace, actionSpace: env.actionSpace } });
    expect((await evaluatePolicy(env, policy, { episodes: 1, seed: 0 })).episodes).toHaveLength(1);
    env.close();
  });
});
