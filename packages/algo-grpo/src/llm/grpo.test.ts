import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '@rlft/core';
import { readPromptSettings } from '@rlft/policy-llm';
import { afterAll, describe, expect, it } from 'vitest';
import { classicRegistry, metricsOf, newRun, nonFiniteKeys, temporaryRoot, trainContext } from '../../../../test/helpers/training.js';
import { grpoConfigSchema, type GrpoConfig } from './config.js';
import { Grpo } from './grpo.js';
import { WARMUP_MODEL_DIR } from './model-setup.js';

const registry = classicRegistry();
const root = temporaryRoot('grpo-llm');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STEP_KEYS = [
  'rewards/format',
  'rewards/mean',
  'rewards/std',
  'rewards/frac_reward_zero_std',
  'completions/mean_length',
  'completions/parse_failure_rate',
  'losses/loss',
  'losses/clip_fraction',
  'losses/approx_kl',
  'perf/tokens_per_s',
  'perf/generation_seconds',
  'perf/learning_seconds',
];

/** CartPole from the shipped expert dataset, short prompts (no system prompt), the format reward alone. */
const grpoConfig = (options: Record<string, unknown>): GrpoConfig =>
  parseOptions(grpoConfigSchema, { system_prompt: false, rewards: { format: 1 }, checkpoint_every: 0, ...options }, 'grpo') as GrpoConfig;

/** A 20-update warm-up leaves about a third of the answers malformed; GRPO then learns the format within a dozen steps. */
const RISING = { steps: 12, sft_warmup_steps: 20, learning_rate: 3e-3, num_iterations: 2, temperature: 1, beta: 0 };

describe('GRPO on a language model (CartPole-v1, format reward)', () => {
  it('raises the format reward of a briefly warmed-up tiny model', async () => {
    const config = grpoConfig(RISING);
    const run = newRun(root, 'rising', config);
    const result = await new Grpo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 0 }));
    const records = metricsOf(run).filter((r) => typeof r['rewards/mean'] === 'number');
    expect(records).toHaveLength(config.steps);
    for (const record of records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(STEP_KEYS));
      expect(nonFiniteKeys(record), `step ${record.step}`).toEqual([]);
    }
    const mean = (rs: typeof records) => rs.reduce((s, r) => s + (r['rewards/mean'] as number), 0) / rs.length;
    expect(mean(records.slice(-3))).toBeGreaterThan(mean(records.slice(0, 3)) + 0.5);
    // The result is evaluated with the llm policy on the checkpoint's model, which records the prompt settings.
    expect(result.evaluation).toEqual({ policy: 'llm', options: { model: join(result.checkpoint!, 'model') }, flags: `--policy llm --model ${run.path}` });
    expect(readPromptSettings(join(result.checkpoint!, 'model'))).toMatchObject({ systemPrompt: false });
    expect(existsSync(join(run.path, WARMUP_MODEL_DIR, 'config.json'))).toBe(true);
  }, 30_000);
});
