import { defineAlgorithm, definePlugin } from '@rlft/core';
import { sftConfigSchema } from './config.js';
import { SFT_ID, SupervisedFineTuning } from './sft.js';

export default definePlugin({
  name: '@rlft/algo-sft',
  version: '0.1.0',
  description: 'Supervised fine-tuning of language-model policies on offline datasets',
  algorithms: [
    defineAlgorithm({
      id: SFT_ID,
      description: 'Supervised fine-tuning of a language model (from scratch or Hugging Face, full or LoRA) on a dataset\'s actions written as text; the result plays with --policy llm',
      configSchema: sftConfigSchema,
      create: (config) => new SupervisedFineTuning(config),
    }),
  ],
});
