import { describe, expect, it } from 'vitest';
import { checkDatasetId } from '@rlft/data';
import { defaultDatasetId } from './dataset-collect.js';

describe('defaultDatasetId', () => {
  it('turns the --out folder name into a valid Minari id', () => {
    expect(defaultDatasetId('datasets/cartpole-expert-v0')).toBe('cartpole-expert-v0');
    expect(defaultDatasetId('/tmp/CartPole-v1')).toBe('CartPole-v1');
    expect(defaultDatasetId('out/my data')).toBe('my_data-v0');
    expect(defaultDatasetId('out/--odd--name--')).toBe('odd-name-v0');
    for (const out of ['a/b c', 'x/--', 'x/.hidden', 'x/médium run', 'x/a.b-c_d']) {
      expect(() => checkDatasetId(defaultDatasetId(out))).not.toThrow();
    }
  });
});
