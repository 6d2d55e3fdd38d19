import { z, type AlgorithmContribution } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { FlagValueError } from './key-values.js';
import { parsePreset } from './presets.js';
import { mergeRunSettings, resolveAlgorithmConfig, setPath } from './run-settings.js';

const preset = parsePreset(
  `env: CartPole-v1
env_kwargs:
  sutton_barto_reward: true
algo: tiny
seed: 5
config:
  total_timesteps: 1000
  lr: 0.01
  net:
    sizes: [8, 8]
eval:
  seed: 500
`,
  'tiny.yaml',
);

// Aliases resolve through the registry in the CLI; here 'cartpole' names CartPole-v1.
const sameEnv = (a: string, b: string): boolean => a.replace(/^cartpole$/, 'CartPole-v1') === b.replace(/^cartpole$/, 'CartPole-v1');

const tiny: AlgorithmContribution = {
  id: 'tiny',
  description: 'test schema',
  configSchema: z.object({
    total_timesteps: z.number().int().positive().default(100),
    lr: z.number().positive().default(0.1),
    net: z.object({ sizes: z.array(z.number().int()).default([4]), activation: z.enum(['tanh', 'relu']).default('tanh') }).strict().default({ sizes: [4], activation: 'tanh' }),
  }),
  create: () => {
    throw new Error('not used');
  },
};

describe('mergeRunSettings', () => {
  it('takes everything from the preset when no flag is given, with evaluation defaults', () => {
    const settings = mergeRunSettings(preset, {}, sameEnv);
    expect(settings).toMatchObject({
      env: 'CartPole-v1',
      envKwargs: { sutton_barto_reward: true },
      algo: 'tiny',
      seed: 5,
      config: { total_timesteps: 1000, lr: 0.01, net: { sizes: [8, 8] } },
      eval: { episodes: 10, seed: 500 },
      notes: [],
    });
    expect(settings.configOrigins.get('lr')).toBe('tiny.yaml:8');
  });

  it('flags win: --seed, --steps, --set (JSON values, dotted keys), -k, --eval-episodes', () => {
    const settings = mergeRunSettings(
      preset,
      { seed: 9, steps: 5000, set: ['lr=3e-4', 'net.activation=relu', 'net.sizes=[16]'], kwargs: ['sutton_barto_reward=false'], evalEpisodes: 0 },
      sameEnv,
    );
    expect(settings).toMatchObject({
      seed: 9,
      envKwargs: { sutton_barto_reward: false },
      config: { total_timesteps: 5000, lr: 3e-4, net: { sizes: [16], activation: 'relu' } },
      eval: { episodes: 0, seed: 500 },
    });
    expect(settings.configOrigins.get('total_timesteps')).toBe('--steps 5000');
    expect(settings.configOrigins.get('net')).toBe('--set net.sizes=[16]');
    // The preset itself is left as it was.
    expect(preset.preset.config).toEqual({ total_timesteps: 1000, lr: 0.01, net: { sizes: [8, 8] } });
  });

  it('works without a preset', () => {
    const settings = mergeRunSettings(undefined, { env: 'cartpole', algo: 'tiny', set: ['lr=0.5'] }, sameEnv);
    expect(settings).toMatchObject({ env: 'cartpole', algo: 'tiny', seed: 0, envKwargs: {}, config: { lr: 0.5 }, eval: { episodes: 10, seed: 10_000 } });
  });

  it('--env naming the same env (an alias) keeps the preset kwargs; another env drops them with a note', () => {
    expect(mergeRunSettings(preset, { env: 'cartpole' }, sameEnv).envKwargs).toEqual({ sutton_barto_reward: true });
    const other = mergeRunSettings(preset, { env: 'Acrobot-v1' }, sameEnv);
    expect(other.env).toBe('Acrobot-v1');
    expect(other.envKwargs).toEqual({});
    expect(other.notes).toEqual(['--env Acrobot-v1 replaces CartPole-v1 from tiny.yaml; its env_kwargs (sutton_barto_reward) are not used.']);
  });

  it('rejects an --algo that contradicts the preset, and --steps with --set total_timesteps', () => {
    expect(() => mergeRunSettings(preset, { algo: 'ppo' }, sameEnv)).toThrow(/--algo ppo conflicts with tiny\.yaml:4, a preset for 'tiny'/);
    expect(() => mergeRunSettings(preset, { algo: 'ppo' }, sameEnv)).toThrow(FlagValueError);
    expect(() => mergeRunSettings(preset, { steps: 10, set: ['total_timesteps=20'] }, sameEnv)).toThrow(/--steps and --set total_timesteps/);
  });

  it('rejects malformed --set items', () => {
    expect(() => mergeRunSettings(undefined, { set: ['lr'] }, sameEnv)).toThrow(/Malformed --set 'lr': expected key=value/);
    expect(() => mergeRunSettings(preset, { set: ['lr.x=1'] }, sameEnv)).toThrow(/--set 'lr.x': 'lr' is 0.01, not an object/);
    expect(() => mergeRunSettings(undefined, { set: ['__proto__.polluted=1'] }, sameEnv)).toThrow(/a key is a name or dotted names/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('setPath', () => {
  it('creates the objects on the way', () => {
    const target: Record<string, unknown> = { a: { keep: 1 } };
    setPath(target, 'a.b.c', 2);
    setPath(target, 'd', [1]);
    expect(target).toEqual({ a: { keep: 1, b: { c: 2 } }, d: [1] });
  });
});

describe('resolveAlgorithmConfig', () => {
  it('fills the defaults', () => {
    const settings = mergeRunSettings(undefined, { set: ['lr=0.5'] }, sameEnv);
    expect(resolveAlgorithmConfig(tiny, settings)).toEqual({ total_timesteps: 100, lr: 0.5, net: { sizes: [4], activation: 'tanh' } });
  });

  it('an unknown key is named with the allowed keys and the file line that set it', () => {
    const withTypo = parsePreset('algo: tiny\nconfig:\n  total_timesteps: 10\n  learning_rate: 0.1\n', 'typo.yaml');
    expect(() => resolveAlgorithmConfig(tiny, mergeRunSettings(withTypo, {}, sameEnv))).toThrow(
      "Invalid options for algorithm 'tiny': unknown option 'learning_rate'. Allowed: total_timesteps, lr, net. Set by: 'learning_rate' from typo.yaml:4.",
    );
  });

  it('a wrong type is named with the flag that set it', () => {
    const settings = mergeRunSettings(preset, { set: ['lr=fast', 'net.activation=gelu'] }, sameEnv);
    let message = '';
    try {
      resolveAlgorithmConfig(tiny, settings);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid options for algorithm 'tiny': 'lr': .*expected number.*; 'net\.activation': /);
    expect(message).toContain('Allowed: total_timesteps, lr, net.');
    expect(message).toContain(`Set by: 'lr' from --set lr="fast"; 'net' from --set net.activation="gelu".`);
  });

  it('--steps out of range is blamed on --steps', () => {
    expect(() => resolveAlgorithmConfig(tiny, mergeRunSettings(undefined, { steps: 0 }, sameEnv))).toThrow(/'total_timesteps': .*Set by: 'total_timesteps' from --steps 0\./);
  });
});
