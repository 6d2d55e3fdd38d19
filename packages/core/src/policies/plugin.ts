import { z } from 'zod';
import { definePlugin } from '../plugin/definition.js';
import { ConstantPolicy } from './constant.js';
import { RandomPolicy } from './random.js';

/** The baselines every install has: contributed through the same plugin contract as everything else. */
export const baselinesPlugin = definePlugin({
  name: '@rlft/core',
  version: '0.1.0',
  description: 'Baseline policies',
  policies: [
    {
      id: 'random',
      description: 'Samples the action space uniformly (respects an action_mask in info)',
      optionsSchema: z.object({}).strict(),
      create: (_options, env) => new RandomPolicy(env.actionSpace, env.seed),
    },
    {
      id: 'constant',
      description: 'Always the same action: the first discrete action or zeros (clipped into the box), or --policy-opt value=…',
      optionsSchema: z
        .object({ value: z.union([z.number(), z.array(z.number())]).optional().describe('the action to repeat') })
        .strict(),
      create: (options, env) => new ConstantPolicy(env.actionSpace, options.value as number | number[] | undefined),
    },
  ],
});
