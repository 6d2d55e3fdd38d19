import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginHost } from '@rlft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedRlft, lastJsonLine } from './helpers/cli.js';
import { recordDataset } from './helpers/datasets.js';

// `rlft run --algo bc --dataset PATH`: the flag reaches the config, BC trains from the dataset,
// and the final evaluation reports the cloned policy next to the env's expert.
const rlft = new IsolatedRlft();
const dataset = join(rlft.dir, 'cartpole-expert');

beforeAll(async () => {
  const host = await PluginHost.create();
  for (const module of ['@rlft/envs-classic/plugin', '@rlft/experts/plugin']) expect(await host.load(module)).toBe(true);
  const env = await host.registry.make('CartPole-v1');
  const expert = await host.expertFor('CartPole-v1')!({ envId: 'CartPole-v1', observationSpace: env.observationSpace, actionSpace: env.actionSpace }, {});
  await recordDataset(dataset, env, expert, 6, 0);
  env.close();
}, 60_000);
afterAll(() => rlft.remove());

describe('rlft run --algo bc --dataset PATH', () => {
  it('clones the dataset and evaluates the result next to the expert', async () => {
    const out = join(rlft.dir, 'runs');
    const args = ['run', '--env', 'cartpole', '--algo', 'bc', '--dataset', dataset, '--set', 'epochs=20', '--set', 'normalize_observation=true', '--eval-episodes', '3', '--out', out];
    const json = await rlft.run([...args, '--json'], { timeoutMs: 60_000 });
    expect(json.code, json.stderr).toBe(0);
    const line = lastJsonLine(json.stdout);
    expect(line.algo).toBe('bc');
    const config = JSON.parse(readFileSync(join(line.runDir, 'config.json'), 'utf8'));
    expect(config.config.dataset).toBe(dataset);
    const evaluation = JSON.parse(readFileSync(join(line.runDir, 'eval.json'), 'utf8'));
    expect(evaluation.policy).toBe('mlp');
    expect(evaluation.expert).toMatchObject({ policy: 'expert', episodes: 3, seed: evaluation.seed });
    expect(evaluation.expert.return.mean).toBe(500);

    const human = await rlft.run(args, { timeoutMs: 60_000 });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/\bmlp\b[\s\S]*\bexpert\b/);
  }, 120_000);

  it('--dataset cannot be combined with --resume', async () => {
    const result = await rlft.run(['run', '--resume', join(rlft.dir, 'nowhere'), '--dataset', dataset]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--dataset cannot be combined with --resume/);
  });
});
