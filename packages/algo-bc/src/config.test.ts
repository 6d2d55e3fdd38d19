import { parseOptions } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { bcConfigSchema } from './config.js';

describe('bc config', () => {
  it('requires a dataset and fills the defaults', () => {
    expect(() => parseOptions(bcConfigSchema, {}, 'bc')).toThrow(/'dataset': behaviour cloning needs a dataset: pass --dataset PATH/);
    const config = parseOptions(bcConfigSchema, { dataset: 'data/x' }, 'bc');
    expect(config).toMatchObject({ dataset: 'data/x', total_timesteps: null, epochs: 50, batch_size: 256, validation_fraction: 0.1, normalize_observation: false, device: 'wasm' });
  });

  it('rejects unknown keys and out-of-range values', () => {
    expect(() => parseOptions(bcConfigSchema, { dataset: 'x', epoch: 3 }, 'bc')).toThrow(/epoch/);
    expect(() => parseOptions(bcConfigSchema, { dataset: 'x', validation_fraction: 1 }, 'bc')).toThrow(/validation_fraction/);
    expect(() => parseOptions(bcConfigSchema, { dataset: 'x', batch_size: 0 }, 'bc')).toThrow(/batch_size/);
    expect(() => parseOptions(bcConfigSchema, { dataset: 'x', activation: 'gelu' }, 'bc')).toThrow(/activation/);
  });

  it('accepts total_timesteps (what --steps sets) as a cap on gradient samples', () => {
    expect(parseOptions(bcConfigSchema, { dataset: 'x', total_timesteps: 5000 }, 'bc').total_timesteps).toBe(5000);
  });
});
