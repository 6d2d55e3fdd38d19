import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedRlft, repoRoot } from './helpers/cli.js';

// `rlft run` and `rlft eval` with contributions from a linked plugin (a small test fixture).
const rlft = new IsolatedRlft();
const runsDir = join(rlft.dir, 'runs');

beforeAll(async () => {
  const link = await rlft.run(['plugins', 'link', '--no-install', join(repoRoot, 'test/fixtures/contributions-plugin')]);
  if (link.code !== 0) throw new Error(`linking the fixture failed: ${link.stderr}`);
});
afterAll(() => rlft.remove());

describe('rlft run', () => {
  it('without --algo lists the algorithms the plugins provide', async () => {
    const { code, stdout } = await rlft.run(['run']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^constant-search\s+rlft-fixture-contributions\s+Tries every constant action/m);
    expect(stdout).toMatch(/^random-search\s+rlft-fixture-contributions\s+Random search/m);
  });

  it('suggests the closest algorithm for a typo', async () => {
    const { code, stderr } = await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'constant-serch']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Unknown algorithm 'constant-serch'\. Did you mean: constant-search\b.*Available: .*constant-search/);
  });

  it('checks the config against the algorithm schema, naming the flag that set a bad key, and needs an env', async () => {
    const typo = await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'constant-search', '--set', 'episodez=2']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/Invalid options for algorithm 'constant-search': unknown option 'episodez' \(did you mean 'episodes'\?\)\. Allowed: episodes\. Set by: 'episodez' from --set episodez=2\./);
    const noEnv = await rlft.run(['run', '--algo', 'constant-search']);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain('needs an environment: add --env <id>');
  });

  it('trains and writes the run directory; a checkpoint the mlp policy cannot read skips the final evaluation with a warning', async () => {
    const { code, stdout, stderr } = await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'constant-search', '--set', 'episodes=2', '--seed', '4', '--out', runsDir]);
    expect(code).toBe(0);
    const runDir = /^Run directory: (.+)$/m.exec(stdout)![1];
    expect(runDir.startsWith(join(runsDir, 'constant-search-CartPole-v1-'))).toBe(true);
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'))).toMatchObject({
      algo: 'constant-search',
      algo_plugin: 'rlft-fixture-contributions',
      env: 'CartPole-v1',
      seed: 4,
      config: { episodes: 2 },
      eval: { episodes: 10, seed: 10000 },
    });
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(metrics).toHaveLength(4); // 2 actions × 2 episodes
    expect(metrics.every((m) => m['charts/episodic_return'] > 0)).toBe(true);
    expect(existsSync(join(runDir, 'checkpoints', 'final', 'policy.json'))).toBe(true);
    expect(stdout).toMatch(/^eval\/mean_return\s+\d/m);
    expect(stderr).toMatch(/^Warning: final evaluation skipped: the evaluation failed: .*checkpoints\/final is not a complete rlft checkpoint/m);
    expect(existsSync(join(runDir, 'eval.json'))).toBe(false);
    const summary = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# constant-search on CartPole-v1/);
    expect(summary).toMatch(/## Final evaluation\n\nNone: the evaluation failed: /);
  });
});

describe('errors raised by the environment', () => {
  it('an action outside the action space reaches the user as one clean message', async () => {
    const { code, stderr } = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'out-of-range', '--episodes', '1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Error: Invalid action\b.*CartPole-v1.*\b2 is not.*Discrete\(2\)/m);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('so does a non-finite action', async () => {
    const { code, stderr } = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'not-finite', '--episodes', '1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Error: Invalid action\b.*CartPole-v1.*NaN is not a finite number/m);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
