import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePreset, PresetError, readPreset } from './presets.js';

const PRESET = `# PPO on CartPole
env: CartPole-v1
env_kwargs:
  sutton_barto_reward: false
algo: ppo
seed: 3
config:
  total_timesteps: 100000
  learning_rate: 1e-3      # YAML 1.2 reads this as a number
  hidden_sizes: [64, 64]
eval:
  episodes: 20
`;

function presetError(text: string): string {
  try {
    parsePreset(text, 'presets/x.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PresetError);
    return (error as Error).message;
  }
  throw new Error('expected the preset to be rejected');
}

describe('parsePreset', () => {
  it('reads the sections of a preset', () => {
    const { preset } = parsePreset(PRESET, 'ppo.yaml');
    expect(preset).toEqual({
      env: 'CartPole-v1',
      env_kwargs: { sutton_barto_reward: false },
      algo: 'ppo',
      seed: 3,
      config: { total_timesteps: 100000, learning_rate: 0.001, hidden_sizes: [64, 64] },
      eval: { episodes: 20 },
    });
  });

  it('locates keys by line, for messages about them', () => {
    const { locate } = parsePreset(PRESET, 'ppo.yaml');
    expect(locate(['config', 'learning_rate'])).toBe('ppo.yaml:9');
    expect(locate(['config', 'hidden_sizes', 1])).toBe('ppo.yaml:10');
    expect(locate(['algo'])).toBe('ppo.yaml:5');
    expect(locate(['config', 'absent'])).toBe('ppo.yaml');
  });

  it('an empty file is an empty preset', () => {
    expect(parsePreset('', 'empty.yaml').preset).toEqual({});
    expect(parsePreset('# nothing yet\n', 'empty.yaml').preset).toEqual({});
  });

  it('bad YAML names the file, line and column and shows the place', () => {
    const message = presetError('env: CartPole-v1\nconfig:\n  gamma: 0.9\n  gamma: 0.99\n');
    expect(message).toMatch(/^presets\/x\.yaml:4:3: invalid YAML: Map keys must be unique\n/);
    expect(message).toContain('  gamma: 0.99');
    expect(presetError('config: [1, 2\nalgo: ppo\n')).toMatch(/^presets\/x\.yaml:2:1: invalid YAML: Flow sequence/);
  });

  it('rejects unknown top-level keys with the allowed ones and a suggestion', () => {
    expect(presetError('env: CartPole-v1\nevl:\n  episodes: 3\n')).toBe(
      "Invalid preset presets/x.yaml:\n  presets/x.yaml:2: unknown top-level key 'evl' (did you mean 'eval'?); allowed: env, env_kwargs, algo, seed, config, eval",
    );
    expect(presetError('eval:\n  episode: 3\n')).toContain("presets/x.yaml:2: unknown key in eval 'episode' (did you mean 'episodes'?); allowed: episodes, seed");
  });

  it('rejects values of the wrong type at their line', () => {
    const message = presetError('env: CartPole-v1\nseed: -1\nconfig: 12\n');
    expect(message).toMatch(/presets\/x\.yaml:2: 'seed': .*>=0/);
    expect(message).toMatch(/presets\/x\.yaml:3: 'config': .*expected record/);
  });

  it('a preset must be a mapping', () => {
    expect(presetError('- env: CartPole-v1\n')).toMatch(/^presets\/x\.yaml:1: a preset is a mapping with the keys env, env_kwargs, algo, seed, config, eval; this file holds a list/);
  });
});

describe('readPreset', () => {
  it('reads a file, and says so plainly when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlft-preset-'));
    try {
      writeFileSync(join(dir, 'p.yaml'), PRESET);
      expect(readPreset(join(dir, 'p.yaml')).preset.algo).toBe('ppo');
      expect(() => readPreset(join(dir, 'missing.yaml'))).toThrow(/--config .*missing\.yaml: no such file\. Presets ship in config\//);
      expect(() => readPreset('total_timesteps=1000')).toThrow('--config total_timesteps=1000: no such file. For an algorithm setting use --set total_timesteps=1000.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
