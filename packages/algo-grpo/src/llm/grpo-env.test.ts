import { rmSync } from 'node:fs';
import { parseOptions } from '@rlft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { classicRegistry, metricsOf, newRun, nonFiniteKeys, temporaryRoot, trainContext } from '../../../../test/helpers/training.js';
import { grpoConfigSchema, type GrpoConfig } from './config.js';
import { Grpo } from './grpo.js';

const registry = classicRegistry();
const root = temporaryRoot('grpo-llm-env');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('GRPO with prompts from live env states', () => {
  it('scores answers with the env reward replayed from each prompt state', async () => {
    const config = parseOptions(
      grpoConfigSchema,
      { steps: 2, sft_warmup_steps: 10, system_prompt: false, prompt_source: 'env', rewards: { format: 1, env: 1 }, group_size: 4, prompts_per_step: 2, checkpoint_every: 0 },
      'grpo',
    ) as GrpoConfig;
    const run = newRun(root, 'env', config);
    await new Grpo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 1 }));
    const records = metricsOf(run).filter((r) => typeof r['rewards/mean'] === 'number');
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(nonFiniteKeys(record)).toEqual([]);
      // CartPole pays 1 for a step from a live state; a malformed answer scores −10.
      expect(record['rewards/env']).toBeGreaterThanOrEqual(-10);
      expect(record['rewards/env']).toBeLessThanOrEqual(1);
      expect(record['rewards/mean']).toBeCloseTo((record['rewards/env'] as number) + (record['rewards/format'] as number), 6);
    }
  }, 20_000);
});
