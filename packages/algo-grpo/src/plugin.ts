import { defineAlgorithm, definePlugin } from '@rlft/core';
import { GRPO_MLP_ID, GrpoMlp, grpoMlpConfigSchema } from './grpo-mlp.js';
import { grpoConfigSchema } from './llm/config.js';
import { GRPO_ID, Grpo } from './llm/grpo.js';

export default definePlugin({
  name: '@rlft/algo-grpo',
  version: '0.1.0',
  description: 'GRPO for language-model policies (grpo) and MLP policies (grpo-mlp)',
  algorithms: [
    defineAlgorithm({
      id: GRPO_ID,
      description: 'Group Relative Policy Optimization for language models: G completions per prompt (dataset or env states), composed rewards, group-relative advantages, clipped objective, optional k3 KL to the starting model',
      configSchema: grpoConfigSchema,
      create: (config) => new Grpo(config),
    }),
    defineAlgorithm({
      id: GRPO_MLP_ID,
      description: 'Group Relative Policy Optimization on MLP policies: G episodes per seeded start state, group-relative returns, clipped objective, no critic',
      configSchema: grpoMlpConfigSchema,
      create: (config) => new GrpoMlp(config),
    }),
  ],
});
