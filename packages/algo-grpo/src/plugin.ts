import { defineAlgorithm, definePlugin } from '@rlft/core';
import { GRPO_ID, Grpo, grpoConfigSchema } from './grpo.js';

export default definePlugin({
  name: '@rlft/algo-grpo',
  version: '0.1.0',
  description: 'GRPO for MLP policies',
  algorithms: [
    defineAlgorithm({
      id: GRPO_ID,
      description: 'Group Relative Policy Optimization on MLP policies: G episodes per seeded start state, group-relative returns, clipped objective, no critic',
      configSchema: grpoConfigSchema,
      create: (config) => new Grpo(config),
    }),
  ],
});
