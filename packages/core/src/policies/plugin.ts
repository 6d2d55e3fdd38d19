import { z } from 'zod';
import { definePlugin } from '../plugin/definition.js';
import { RlftError } from '../errors.js';
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
    {
      id: 'expert',
      description: "The environment's own expert (a solver or a trained checkpoint), for envs that declare one",
      optionsSchema: z.object({}).passthrough(),
      create: (options, env) => {
        const expert = env.expert ?? env.spec?.expert;
        if (!expert) {
          throw new RlftError('NO_EXPERT', `${env.envId} has no expert policy. Experts come from the env's registration (EnvRegistration.expert) or from a plugin's 'experts' list (e.g. @rlft/experts).`);
        }
        return expert(env, options);
      },
    },
  ],
});
