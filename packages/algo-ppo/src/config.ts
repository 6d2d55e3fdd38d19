import { z } from '@rlft/core';

/**
 * PPO's hyperparameters, named and defaulted as in CleanRL's `ppo.py` (discrete control);
 * `config/ppo-*.yaml` presets set the continuous-control values (`ppo_continuous_action.py`).
 */
export const ppoConfigSchema = z
  .object({
    total_timesteps: z.number().int().positive().default(500_000).describe('environment steps to train for (all envs together)'),
    learning_rate: z.number().positive().default(2.5e-4).describe('Adam learning rate'),
    anneal_lr: z.boolean().default(true).describe('anneal the learning rate linearly to 0 over the run'),
    num_envs: z.number().int().positive().default(4).describe('parallel environments'),
    num_steps: z.number().int().positive().default(128).describe('steps per env per rollout'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor'),
    gae_lambda: z.number().min(0).max(1).default(0.95).describe('GAE λ'),
    num_minibatches: z.number().int().positive().default(4).describe('minibatches per epoch'),
    update_epochs: z.number().int().positive().default(4).describe('epochs over each rollout'),
    norm_adv: z.boolean().default(true).describe('normalise advantages per minibatch'),
    clip_coef: z.number().positive().default(0.2).describe('surrogate clipping ε'),
    clip_vloss: z.boolean().default(true).describe('clip the value loss around the old values'),
    ent_coef: z.number().min(0).default(0.01).describe('entropy bonus coefficient'),
    vf_coef: z.number().min(0).default(0.5).describe('value loss coefficient'),
    max_grad_norm: z.number().positive().default(0.5).describe('global gradient-norm clip'),
    target_kl: z.number().positive().nullable().default(null).describe('stop the epochs of an update early when approx_kl exceeds this'),
    hidden_sizes: z.array(z.number().int().positive()).min(1).default([64, 64]).describe('hidden layer sizes of the actor and of the critic'),
    activation: z.enum(['tanh', 'relu']).default('tanh').describe('hidden activation'),
    normalize_observation: z.boolean().default(false).describe('running observation normalisation (saved with the policy)'),
    normalize_reward: z.boolean().default(false).describe('scale rewards by a running std of discounted returns'),
    clip_obs: z.number().positive().default(10).describe('clip normalised observations to ±clip_obs'),
    clip_reward: z.number().positive().default(10).describe('clip normalised rewards to ±clip_reward'),
    adam_eps: z.number().positive().default(1e-5).describe('Adam ε (CleanRL uses 1e-5)'),
    checkpoint_every: z.number().int().min(0).default(50).describe('write a checkpoint every N updates (0: only at the end and on Ctrl-C)'),
    keep_checkpoints: z.number().int().positive().default(3).describe('how many checkpoints to keep'),
    device: z.enum(['wasm', 'webgpu']).default('wasm').describe('tensor engine device'),
    vectorization: z.enum(['auto', 'sync', 'async']).default('auto').describe("'auto': the env's native batched implementation when it has one, else synchronous"),
  })
  .strict()
  .superRefine((c, ctx) => {
    const batch = c.num_envs * c.num_steps;
    if (batch % c.num_minibatches !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_minibatches'],
        message: `num_envs × num_steps = ${c.num_envs} × ${c.num_steps} = ${batch} is not divisible by num_minibatches = ${c.num_minibatches}`,
      });
    } else if (c.norm_adv && batch / c.num_minibatches < 2) {
      // The unbiased std of a single advantage is NaN, which would turn every parameter into NaN.
      ctx.addIssue({
        code: 'custom',
        path: ['num_minibatches'],
        message: `with norm_adv, a minibatch needs at least 2 samples (${batch} / ${c.num_minibatches} = ${batch / c.num_minibatches}); use fewer minibatches or norm_adv: false`,
      });
    }
  });

export type PpoConfig = z.output<typeof ppoConfigSchema>;
