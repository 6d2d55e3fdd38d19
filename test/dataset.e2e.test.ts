import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset, parseAction, parseObservation } from '@rlft/data';
import { spawn } from 'node:child_process';
import { collect, IsolatedRlft, repoRoot, rlftBin } from './helpers/cli.js';

// `rlft dataset collect → info → to-sft → list` with the real binary.
const rlft = new IsolatedRlft();
afterAll(() => rlft.remove());

describe('rlft dataset', () => {
  it('collects CartPole expert episodes, describes them, and exports SFT records that match the dataset', async () => {
    const datasets = join(rlft.dir, 'datasets');
    const dir = join(datasets, 'cartpole', 'expert-v0');
    const collected = await rlft.run(['dataset', 'collect', '--env', 'CartPole-v1', '--policy', 'expert', '--episodes', '3', '--seed', '0', '--out', dir, '--dataset-id', 'cartpole/expert-v0']);
    expect(collected.stderr).not.toMatch(/Error/);
    expect(collected.code).toBe(0);
    expect(collected.stdout).toMatch(/Wrote cartpole\/expert-v0: 3 episodes, 1500 steps of expert on CartPole-v1/);
    // Nothing of the staging folder is left next to the dataset.
    expect(readdirSync(join(datasets, 'cartpole'))).toEqual(['expert-v0']);

    const info = await rlft.run(['dataset', 'info', dir, '--json']);
    expect(info.code).toBe(0);
    const description = JSON.parse(info.stdout);
    expect(description).toMatchObject({ id: 'cartpole/expert-v0', episodes: 3, steps: 1500, env: 'CartPole-v1', algorithm: 'expert', normalizedScore: null });
    expect(description.return).toEqual({ episodes: 3, mean: 500, std: 0, min: 500, max: 500 });

    const out = join(rlft.dir, 'sft', 'cartpole.jsonl');
    const exported = await rlft.run(['dataset', 'to-sft', dir, '--out', out, '--eval-fraction', '0.34', '--seed', '2']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/Wrote 1000 records from 2 episodes/);
    expect(exported.stdout).toMatch(/Wrote 500 records from 1 episode to .*cartpole\.eval\.jsonl/);

    // Records keep the dataset's order within each file; put them back by episode.
    const dataset = await openDataset(dir);
    const train = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const held = readFileSync(join(rlft.dir, 'sft', 'cartpole.eval.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(train).toHaveLength(1000);
    expect(held).toHaveLength(500);
    let matched = 0;
    for (const episode of dataset.iterateEpisodes()) {
      const obs = episode.observations as Float32Array;
      const first = parseObservation(held[0].prompt, { dims: 4 });
      if (!first.ok) throw new Error(first.reason);
      const inEval = first.values.every((v, i) => Math.abs(v - obs[i]!) <= 5e-6);
      const records = inEval ? held : train.splice(0, 500);
      expect(records).toHaveLength(500);
      records.forEach((record: { prompt: string; completion: string }, t: number) => {
        const o = parseObservation(record.prompt, { dims: 4 });
        const a = parseAction(record.completion, { dims: 1 });
        if (!o.ok || !a.ok) throw new Error(`unparsable record ${JSON.stringify(record)}`);
        o.values.forEach((v, i) => expect(Math.abs(v - obs[t * 4 + i]!)).toBeLessThanOrEqual(5e-6));
        expect(a.values[0]).toBe((episode.actions as Int32Array)[t]);
        matched++;
      });
    }
    dataset.close();
    expect(matched).toBe(1500);

    const listing = spawn(process.execPath, [rlftBin, 'dataset', 'list', '--json'], {
      cwd: repoRoot,
      env: { ...rlft.env, RLFT_DATASETS_PATH: datasets },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const listed = await collect(listing, 60_000);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { id: 'cartpole/expert-v0', path: dir, episodes: 3, steps: 1500, env: 'CartPole-v1', algorithm: 'expert', sizeMB: description.sizeMB },
    ]);
  });

  it('Ctrl-C during collect leaves neither a dataset nor its staging folder', async () => {
    const root = join(rlft.dir, 'interrupted');
    const child = rlft.spawn(['dataset', 'collect', '--env', 'CartPole-v1', '--policy', 'random', '--episodes', '1000000', '--out', join(root, 'big-v0')]);
    const done = collect(child, 60_000);
    // The staging folder appears once the SIGINT handler is in place and episodes are running.
    const deadline = Date.now() + 30_000;
    while (!(existsSync(root) && readdirSync(root).some((name) => name.endsWith('.writing'))) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/Stopped by Ctrl-C after \d+ episodes?: no dataset was written/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('says plainly when the dataset does not exist', async () => {
    const missing = join(rlft.dir, 'no-such-dataset');
    const result = await rlft.run(['dataset', 'to-sft', missing, '--out', join(rlft.dir, 'x.jsonl')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no-such-dataset\/data\/metadata\.json: not found/);
  });
});
