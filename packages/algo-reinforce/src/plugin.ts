import { defineAlgorithm, definePlugin } from '@rlft/core';
import { REINFORCE_ID, Reinforce, reinforceConfigSchema } from './reinforce.js';

export default definePlugin({
  name: '@rlft/algo-reinforce',
  version: '0.1.0',
  description: 'REINFORCE for MLP policies',
  algorithms: [
    defineAlgorithm({
      id: REINFORCE_ID,
      description: 'REINFORCE (Monte-Carlo policy gradient) on complete episodes, with an optional learned value baseline',
      configSchema: reinforceConfigSchema,
      create: (config) => new Reinforce(config),
    }),
  ],
});
