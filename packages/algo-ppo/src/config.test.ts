import { InvalidKwargsError, parseOptions } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { ppoConfigSchema } from './config.js';

const parse = (input: unknown) => parseOptions(ppoConfigSchema, input, 'ppo');

describe('ppoConfigSchema through parseOptions', () => {
  it("fills CleanRL's ppo.py defaults", () => {
    expect(parse({})).toMatchObject({
      total_timesteps: 500_000,
      learning_rate: 2.5e-4,
      anneal_lr: true,
      num_envs: 4,
      num_steps: 128,
      gamma: 0.99,
      gae_lambda: 0.95,
      num_minibatches: 4,
      update_epochs: 4,
      norm_adv: true,
      clip_coef: 0.2,
      clip_vloss: true,
      ent_coef: 0.01,
      vf_coef: 0.5,
      max_grad_norm: 0.5,
      target_kl: null,
      hidden_sizes: [64, 64],
      activation: 'tanh',
      adam_eps: 1e-5,
    });
  });

  it('names an unknown key and suggests the closest one', () => {
    expect(() => parse({ learning_rat: 1e-3 })).toThrow(InvalidKwargsError);
    expect(() => parse({ learning_rat: 1e-3 })).toThrow(/unknown option 'learning_rat' \(did you mean 'learning_rate'\?\)/);
    expect(() => parse({ num_minibatch: 2 })).toThrow(/unknown option 'num_minibatch' \(did you mean 'num_minibatches'\?\)/);
    // The message lists what is allowed.
    expect(() => parse({ learning_rat: 1e-3 })).toThrow(/Allowed: total_timesteps, learning_rate, .*vectorization\./);
  });

  it('names a key with a value of the wrong type or out of range', () => {
    expect(() => parse({ num_envs: 'eight' })).toThrow(/Invalid options for ppo: 'num_envs': .*expected number, received string/);
    expect(() => parse({ num_envs: 2.5 })).toThrow(/'num_envs': .*expected int/);
    expect(() => parse({ gamma: 1.5 })).toThrow(/'gamma': .*<=1/);
    expect(() => parse({ activation: 'gelu' })).toThrow(/'activation': .*"tanh"\|"relu"/);
    expect(() => parse({ hidden_sizes: [] })).toThrow(/'hidden_sizes'/);
  });

  it('needs num_envs × num_steps to split into num_minibatches equal minibatches', () => {
    expect(() => parse({ num_envs: 3, num_steps: 5, num_minibatches: 4 })).toThrow(/'num_minibatches': num_envs × num_steps = 3 × 5 = 15 is not divisible by num_minibatches = 4/);
    expect(parse({ num_envs: 3, num_steps: 4, num_minibatches: 4 }).num_minibatches).toBe(4);
  });

  it('needs two samples per minibatch to normalise advantages (one has no std)', () => {
    expect(() => parse({ num_envs: 1, num_steps: 8, num_minibatches: 8 })).toThrow(/'num_minibatches': with norm_adv, a minibatch needs at least 2 samples \(8 \/ 8 = 1\)/);
    expect(parse({ num_envs: 1, num_steps: 8, num_minibatches: 8, norm_adv: false }).num_minibatches).toBe(8);
  });
});
