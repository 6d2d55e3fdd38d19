import { z } from '@rlft/core';

/**
 * Behaviour cloning's settings. `total_timesteps` exists because every rlft algorithm takes
 * `--steps`; for BC it counts gradient samples (minibatch rows), a cap next to `epochs`:
 * training stops at whichever comes first. null (the default) means no cap.
 */
export const bcConfigSchema = z
  .object({
    dataset: z.string({ error: 'behaviour cloning needs a dataset: pass --dataset PATH (a Minari dataset directory)' }).min(1).describe('path of the Minari dataset directory to clone (rlft run --dataset PATH)'),
    total_timesteps: z.number().int().positive().nullable().default(null).describe('cap on gradient samples (minibatch rows) over the run; null: epochs alone decide'),
    epochs: z.number().int().positive().default(50).describe('passes over the training split'),
    batch_size: z.number().int().positive().default(256).describe('transitions per minibatch (the last partial minibatch of an epoch is dropped)'),
    learning_rate: z.number().positive().default(1e-3).describe('Adam learning rate'),
    max_grad_norm: z.number().positive().default(10).describe('global gradient-norm clip'),
    hidden_sizes: z.array(z.number().int().positive()).min(1).default([64, 64]).describe('hidden layer sizes of the policy'),
    activation: z.enum(['tanh', 'relu']).default('tanh').describe('hidden activation'),
    validation_fraction: z.number().min(0).max(0.9).default(0.1).describe('fraction of the episodes held out for validation (split by episode, seeded); 0: none'),
    early_stopping_patience: z.number().int().min(0).default(10).describe('stop after this many epochs without a lower validation loss (0: never stop early)'),
    normalize_observation: z.boolean().default(false).describe('standardise observations with the training split\'s mean and variance (saved with the policy)'),
    clip_obs: z.number().positive().default(10).describe('clip normalised observations to ±clip_obs'),
    keep_checkpoints: z.number().int().positive().default(3).describe('how many checkpoints to keep'),
    device: z.enum(['wasm', 'webgpu']).default('wasm').describe('tensor engine device'),
  })
  .strict();

export type BcConfig = z.output<typeof bcConfigSchema>;
