import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '@rlft/core';
import { shippedDataset } from '@rlft/experts';
import { initEngine, loadCheckpoint } from '@rlft/nn';
import { readPromptSettings } from '@rlft/policy-llm';
import { createLlmPolicy, llmPolicyOptionsSchema } from '@rlft/policy-llm/plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortAfter, classicRegistry, metricsOf, newRun, temporaryRoot, trainContext } from '../../../test/helpers/training.js';
import { sftConfigSchema, type SftConfig } from './config.js';
import { SupervisedFineTuning } from './sft.js';

const registry = classicRegistry();
const root = temporaryRoot('sft');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => initEngine());

// A tiny model on 96 CartPole expert steps: a few dozen updates of a few milliseconds each.
const sftConfig = (options: Record<string, unknown> = {}): SftConfig =>
  parseOptions(sftConfigSchema, { model: 'scratch:tiny', max_samples: 96, batch_size: 16, epochs: 4, learning_rate: 3e-3, schedule: 'constant', eval_fraction: 0.2, log_every: 1, ...options }, 'sft');

let run = 0;
const freshRun = (config: SftConfig) => newRun(root, `run-${run++}`, config);

describe('sft', () => {
  it('lowers the training and evaluation loss, and the checkpoint plays as the llm policy', async () => {
    const config = sftConfig();
    const dir = freshRun(config);
    const result = await new SupervisedFineTuning(config).train(trainContext(registry, dir, { envId: 'CartPole-v1' }));
    expect(result.interrupted).toBe(false);
    const train = metricsOf(dir).flatMap((r) => (typeof r['losses/train'] === 'number' ? [r['losses/train'] as number] : []));
    const evals = metricsOf(dir).flatMap((r) => (typeof r['losses/eval'] === 'number' ? [r['losses/eval'] as number] : []));
    expect(train.length).toBeGreaterThan(10);
    expect(train.at(-1)!).toBeLessThan(train[0]! * 0.5);
    expect(evals.at(-1)!).toBeLessThan(evals[0]!);
    expect(result.metrics['losses/best_eval']).toBe(Math.min(...evals));

    const modelDir = result.evaluation!.options.model as string;
    expect(modelDir).toBe(join(result.checkpoint!, 'model'));
    expect(result.evaluation!.flags).toBe(`--policy llm --model ${dir.path}`);
    expect(readPromptSettings(modelDir)).toMatchObject({ systemPrompt: true, prefill: true });

    const env = await registry.make('CartPole-v1');
    const policy = await createLlmPolicy(parseOptions(llmPolicyOptionsSchema, { model: dir.path, retries: 0 }, 'llm'), { envId: 'CartPole-v1', observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed: 0 });
    const { obs } = env.reset({ seed: 1 });
    const actions = await policy.actBatch([obs, obs, obs]);
    for (const action of actions) expect([0, 1]).toContain(action);
    // The trained model answers in the format it learned: nothing falls back to a random action.
    expect(policy.stats()).toMatchObject({ failures: 0 });
    await policy.close();
    env.close();
  });

  it('resumes exactly: interrupted and resumed ends where an uninterrupted run ends', async () => {
    const config = sftConfig({ epochs: 2, eval_every: 3 });
    const whole = await new SupervisedFineTuning(config).train(trainContext(registry, freshRun(config), { envId: 'CartPole-v1' }));

    const dir = freshRun(config);
    const { controller, onProgress } = abortAfter(5);
    const first = await new SupervisedFineTuning(config).train(trainContext(registry, dir, { envId: 'CartPole-v1', signal: controller.signal, onProgress }));
    expect(first.interrupted).toBe(true);
    expect(loadCheckpoint(first.checkpoint!).counters.updates).toBe(5);
    const second = await new SupervisedFineTuning(config).train(trainContext(registry, dir, { envId: 'CartPole-v1', resumeFrom: first.checkpoint! }));
    expect(second.interrupted).toBe(false);

    expect(second.metrics['losses/best_eval']).toBe(whole.metrics['losses/best_eval']);
    expect(second.metrics['charts/best_update']).toBe(whole.metrics['charts/best_update']);
    const a = loadCheckpoint(whole.checkpoint!).tensors;
    const b = loadCheckpoint(second.checkpoint!).tensors;
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, tensor] of a) expect(Array.from(b.get(name)!.data), name).toEqual(Array.from(tensor.data));
  });

  it('trains LoRA adapters and keeps the newest checkpoints only', async () => {
    const config = sftConfig({ mode: 'lora', lora_r: 4, lora_alpha: 8, lora_targets: ['q', 'v'], learning_rate: 2e-2, epochs: 2, checkpoint_every: 2, keep_checkpoints: 2 });
    const dir = freshRun(config);
    const result = await new SupervisedFineTuning(config).train(trainContext(registry, dir, { envId: 'CartPole-v1' }));
    expect(readdirSync(dir.checkpointsDir).filter((name) => name.startsWith('step-'))).toHaveLength(2);
    expect(existsSync(join(result.checkpoint!, 'model', 'adapter', 'adapter_config.json'))).toBe(true);
    const train = metricsOf(dir).flatMap((r) => (typeof r['losses/train'] === 'number' ? [r['losses/train'] as number] : []));
    expect(train.at(-1)!).toBeLessThan(train[0]!);
  });

  it('says where datasets come from when the env has none shipped', async () => {
    const config = sftConfig();
    await expect(new SupervisedFineTuning(config).train(trainContext(registry, freshRun(config), { envId: 'Pendulum-v1' }))).rejects.toThrow(/--dataset PATH/);
    expect(shippedDataset('Pendulum-v1')).toBeUndefined();
  });
});
