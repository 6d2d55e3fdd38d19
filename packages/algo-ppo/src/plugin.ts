import { defineAlgorithm, definePlugin } from '@rlft/core';
import { ppoConfigSchema } from './config.js';
import { PPO_ID, Ppo } from './ppo.js';

export default definePlugin({
  name: '@rlft/algo-ppo',
  version: '0.1.0',
  description: 'Proximal Policy Optimization for MLP policies',
  algorithms: [
    defineAlgorithm({
      id: PPO_ID,
      description: 'PPO (clipped objective, GAE, vector envs) for MLP actor-critics on Discrete or Box actions; CleanRL defaults',
      configSchema: ppoConfigSchema,
      create: (config) => new Ppo(config),
    }),
  ],
});
