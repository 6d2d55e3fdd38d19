import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLine, readRunRecord, ResumeError, type RunRecord } from './run-record.js';

const dir = mkdtempSync(join(tmpdir(), 'rlft-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record: RunRecord = {
  env: 'CartPole-v1',
  env_kwargs: {},
  algo: 'ppo',
  seed: 1,
  config: { total_timesteps: 1000 },
  eval: { episodes: 10, seed: 10000 },
  rlft_version: '0.1.0',
  command: 'rlft run --env CartPole-v1 --algo ppo',
};

function runDir(name: string, config: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, 'checkpoints', 'step-000000000100'), { recursive: true });
  writeFileSync(join(path, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

describe('readRunRecord', () => {
  it('reads the config.json that rlft run wrote', () => {
    expect(readRunRecord(runDir('ok', record))).toEqual(record);
  });

  it('says what --resume expects when the directory is not a run', () => {
    expect(() => readRunRecord(join(dir, 'absent'))).toThrow(ResumeError);
    expect(() => readRunRecord(join(dir, 'absent'))).toThrow(/no such directory/);
    const run = runDir('run', record);
    expect(() => readRunRecord(join(run, 'checkpoints', 'step-000000000100'))).toThrow(
      `not a run directory (no config.json). It looks like a checkpoint inside a run; --resume takes the run directory (${run})`,
    );
    expect(() => readRunRecord(join(run, 'checkpoints'))).toThrow(/--resume takes a directory that `rlft run` created/);
  });

  it('rejects a config.json that is not JSON or lacks what a run records', () => {
    expect(() => readRunRecord(runDir('torn', '{"env": "Cart'))).toThrow(/config\.json is not valid JSON/);
    const { algo: _algo, ...noAlgo } = record;
    expect(() => readRunRecord(runDir('old', { ...noAlgo, seed: -1 }))).toThrow(/is not a run config written by `rlft run`: 'algo': .*; 'seed': /);
  });
});

describe('commandLine', () => {
  it('quotes only the words a shell would split or expand', () => {
    expect(commandLine('rlft', ['run', '--set', 'hidden_sizes=[64,64]', '--set', "name=it's", '--out', 'runs/a b', '-k', 'g=9.81'])).toBe(
      `rlft run --set 'hidden_sizes=[64,64]' --set 'name=it'\\''s' --out 'runs/a b' -k g=9.81`,
    );
  });
});
