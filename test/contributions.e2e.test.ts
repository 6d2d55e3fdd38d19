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
  });

  it('suggests the closest algorithm for a typo', async () => {
    const { code, stderr } = await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'constant-serch']);
    expect(code).toBe(1);
    expect(stderr).toContain("Unknown algorithm 'constant-serch'. Did you mean: constant-search? Available: constant-search.");
  });

  it('checks the config against the algorithm schema and needs an env', async () => {
    const typo = await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'constant-search', '-c', 'episodez=2']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/Invalid options for algorithm 'constant-search': unknown option 'episodez' \(did you mean 'episodes'\?\)/);
    const noEnv = await rlft.run(['run', '--algo', 'constant-search']);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain('needs an environment: add --env <id>');
  });

  it('trains and writes the run directory: config, metrics, checkpoint, summary', async () => {
    const { code, stdout } = await rlft.run(['run', '--env', 'CartPole-v1', '--algo', 'constant-search', '-c', 'episodes=2', '--seed', '4', '--runs-dir', runsDir]);
    expect(code).toBe(0);
    const runDir = /^Run directory: (.+)$/m.exec(stdout)![1];
    expect(runDir.startsWith(join(runsDir, 'constant-search-CartPole-'))).toBe(true);
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'))).toMatchObject({
      algorithm: 'constant-search',
      env: 'CartPole-v1',
      seed: 4,
      config: { episodes: 2 },
    });
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(metrics).toHaveLength(4); // 2 actions × 2 episodes
    expect(metrics.every((m) => m['charts/episodic_return'] > 0)).toBe(true);
    expect(existsSync(join(runDir, 'checkpoints', 'final', 'policy.json'))).toBe(true);
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toMatch(/^# constant-search on CartPole-v1/);
    expect(stdout).toMatch(/^eval\/mean_return\s+\d/m);
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
