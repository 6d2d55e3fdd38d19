import { describe, expect, it } from 'vitest';
import { parsePreset } from './presets.js';
import type { RunRecord } from './run-record.js';
import { presetOf, runSummary } from './run-summary.js';

const record: RunRecord = {
  env: 'CartPole-v1',
  env_kwargs: { sutton_barto_reward: false },
  algo: 'ppo',
  seed: 2,
  config: { total_timesteps: 100000, hidden_sizes: [64, 64], target_kl: null },
  eval: { episodes: 3, seed: 10000 },
  rlft_version: '0.1.0',
  command: 'rlft run --config config/ppo-cartpole.yaml --seed 2',
};
const stats = { mean: 500, std: 0, min: 500, max: 500 };

describe('runSummary', () => {
  it('shows the run, its config as a preset, the final metrics and the evaluation', () => {
    const text = runSummary({
      runDir: '/runs/r',
      record,
      steps: 99840,
      wallSeconds: 21.04,
      interrupted: false,
      checkpoint: '/runs/r/checkpoints/step-000000099840',
      metrics: { 'losses/approx_kl': 0.00123456, 'charts/episodes': 414 },
      finalEval: { env: 'CartPole-v1', policy: 'mlp', episodes: 3, seed: 10000, return: stats, length: stats },
    });
    expect(text).toMatch(/^# ppo on CartPole-v1\n\n- command: `rlft run --config config\/ppo-cartpole\.yaml --seed 2`\n/);
    expect(text).toContain('- steps: 99840 of 100000\n- wall time: 21.0 s\n- finished: yes\n- last checkpoint: checkpoints/step-000000099840\n');
    expect(text).toContain('| losses/approx_kl | 0.0012 |\n| charts/episodes | 414 |');
    expect(text).toContain('Policy `mlp` (deterministic) on CartPole-v1, 3 episodes, seeds 10000…10002.');
    expect(text).toContain('| return | 500.00 | 0.00 | 500.00 | 500.00 |');
    // The config block reads back as the same preset.
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)![1];
    expect(parsePreset(yaml, 'summary.md').preset).toEqual(presetOf(record));
  });

  it('says why there is no evaluation, and how to continue an interrupted run', () => {
    const text = runSummary({ runDir: '/runs/r', record, steps: null, wallSeconds: 3, interrupted: true, resumedFrom: '/runs/r/checkpoints/step-000000000512', metrics: {}, evalSkipped: 'training was interrupted' });
    expect(text).toContain('- steps: unknown of 100000');
    expect(text).toContain('- wall time: 3.0 s (since the resume)\n- resumed from: checkpoints/step-000000000512\n');
    expect(text).toContain('- finished: no (interrupted; continue with `rlft run --resume <this directory>`)');
    expect(text).not.toContain('## Final metrics');
    expect(text).toContain('## Final evaluation\n\nNone: training was interrupted.\n');
  });
});
