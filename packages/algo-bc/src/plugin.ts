import { defineAlgorithm, definePlugin } from '@rlft/core';
import { BC_ID, BehaviourCloning } from './bc.js';
import { bcConfigSchema } from './config.js';

export default definePlugin({
  name: '@rlft/algo-bc',
  version: '0.1.0',
  description: 'Behaviour cloning of MLP policies from Minari datasets',
  algorithms: [
    defineAlgorithm({
      id: BC_ID,
      description: 'Behaviour cloning (supervised learning of the dataset actions: cross-entropy for Discrete, MSE on the mean for Box)',
      configSchema: bcConfigSchema,
      create: (config) => new BehaviourCloning(config),
    }),
  ],
});
