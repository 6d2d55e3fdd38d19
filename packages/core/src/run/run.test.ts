import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceDirectoryAtomic, writeFileAtomic } from './atomic.js';
import { MetricsLogger } from './metrics-logger.js';
import { RunDirectory } from './run-directory.js';

const scratch = mkdtempSync(join(tmpdir(), 'rlft-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => {
  const dir = join(scratch, `case-${counter++}`);
  mkdirSync(dir);
  return dir;
};

describe('writeFileAtomic', () => {
  it('writes and replaces a file, leaving no temporary files', () => {
    const dir = freshDir();
    const path = join(dir, 'nested', 'state.json');
    writeFileAtomic(path, '{"a":1}');
    writeFileAtomic(path, new Uint8Array([123, 125]));
    expect(readFileSync(path, 'utf8')).toBe('{}');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('cleans up its temporary file when the rename fails, and keeps the target', () => {
    const dir = freshDir();
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, 'data')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['inside']);
  });
});

describe('replaceDirectoryAtomic', () => {
  it('swaps in a fully built directory and removes the old one', () => {
    const dir = freshDir();
    const target = join(dir, 'checkpoint');
    replaceDirectoryAtomic(target, (tmp) => writeFileSync(join(tmp, 'v'), '1'));
    replaceDirectoryAtomic(target, (tmp) => writeFileSync(join(tmp, 'w'), '2'));
    expect(readdirSync(target)).toEqual(['w']);
    expect(readdirSync(dir)).toEqual(['checkpoint']);
  });

  it('keeps the previous directory when building fails', () => {
    const dir = freshDir();
    const target = join(dir, 'checkpoint');
    replaceDirectoryAtomic(target, (tmp) => writeFileSync(join(tmp, 'v'), '1'));
    expect(() =>
      replaceDirectoryAtomic(target, (tmp) => {
        writeFileSync(join(tmp, 'half'), '');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(readFileSync(join(target, 'v'), 'utf8')).toBe('1');
    expect(readdirSync(dir)).toEqual(['checkpoint']);
  });
});

describe('MetricsLogger', () => {
  it('appends one JSON object per log call with step and time, keeping non-finite values readable', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    const logger = new MetricsLogger(path);
    logger.log(1, { 'charts/episodic_return': 21.5, 'losses/approx_kl': NaN });
    logger.log(2, { 'charts/SPS': Infinity, note: 'ok', done: true, missing: null });
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const records = MetricsLogger.read(path);
    expect(records[0]).toMatchObject({ step: 1, 'charts/episodic_return': 21.5, 'losses/approx_kl': 'NaN' });
    expect(records[1]).toMatchObject({ step: 2, 'charts/SPS': 'Infinity', note: 'ok', done: true, missing: null });
    expect(typeof records[0].time).toBe('number');
    expect(records[0].time as number).toBeGreaterThanOrEqual(0);
  });

  it('reads past a torn last line and returns nothing for a missing file', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    new MetricsLogger(path).log(1, { loss: 0.5 });
    appendFileSync(path, '{"step": 2, "loss": 0.');
    expect(MetricsLogger.read(path).map((r) => r.step)).toEqual([1]);
    expect(MetricsLogger.read(join(scratch, 'nowhere.jsonl'))).toEqual([]);
  });
});

describe('RunDirectory', () => {
  it('creates a timestamped directory with checkpoints/ and metrics, and a new one on collision', () => {
    const root = freshDir();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const run = RunDirectory.create(root, 'ppo-cartpole', { now });
    expect(run.path).toBe(join(root, 'ppo-cartpole-20260102T030405'));
    expect(existsSync(run.checkpointsDir)).toBe(true);
    const second = RunDirectory.create(root, 'ppo-cartpole', { now });
    expect(second.path).toBe(join(root, 'ppo-cartpole-20260102T030405-2'));
    expect(RunDirectory.create(root, 'exact-name', { exact: true }).path).toBe(join(root, 'exact-name'));
  });

  it('writes config, JSON and summary atomically and reopens for resume', () => {
    const root = freshDir();
    const run = RunDirectory.create(root, 'eval', { exact: true });
    expect(() => RunDirectory.open(run.path)).toThrow(/is not a run directory: it has no config.json/);
    run.writeConfig({ env: 'CartPole-v1', seed: 0 });
    run.writeJSON('eval.json', { return: { mean: 22 } });
    run.writeSummary('# eval\n');
    run.logger.log(0, { x: 1 });
    const reopened = RunDirectory.open(run.path);
    expect(reopened.readJSON('config.json')).toEqual({ env: 'CartPole-v1', seed: 0 });
    expect(reopened.readJSON<{ return: { mean: number } }>('eval.json').return.mean).toBe(22);
    expect(readFileSync(join(run.path, 'summary.md'), 'utf8')).toBe('# eval\n');
    expect(MetricsLogger.read(join(reopened.path, 'metrics.jsonl'))).toHaveLength(1);
    expect(readdirSync(run.path).sort()).toEqual(['checkpoints', 'config.json', 'eval.json', 'metrics.jsonl', 'summary.md']);
  });
});
