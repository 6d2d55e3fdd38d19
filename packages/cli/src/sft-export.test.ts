import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Box, Discrete, Rng, Text, type Space } from '@rlft/core';
import { DatasetWriter, openDataset, parseAction, parseDiscretisedAction, parseObservation, type DiscretisationRanges } from '@rlft/data';
import { evalPathFor, exportSft, splitEpisodes } from './sft-export.js';

const root = mkdtempSync(join(tmpdir(), 'rlft-sft-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function writeDataset(name: string, observationSpace: Space, actionSpace: Space, lengths: number[]): Promise<{ observations: unknown[][]; actions: unknown[][] }> {
  const rng = Rng.fromSeed(3);
  const writer = await DatasetWriter.create({ path: join(root, name), observationSpace, actionSpace });
  const all = { observations: [] as unknown[][], actions: [] as unknown[][] };
  for (const n of lengths) {
    const observations = Array.from({ length: n + 1 }, () => observationSpace.sample(rng));
    const actions = Array.from({ length: n }, () => actionSpace.sample(rng));
    const end = Array.from({ length: n }, (_, i) => i === n - 1);
    writer.addEpisode({ observations, actions, rewards: new Float64Array(n).fill(1), terminations: end, truncations: new Array<boolean>(n).fill(false) });
    all.observations.push(observations);
    all.actions.push(actions);
  }
  writer.finish({ dataset_id: `test/${name}-v0` });
  return all;
}

function readJsonl(path: string): Record<string, any>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('splitEpisodes', () => {
  it('is seeded, disjoint and covers every episode', () => {
    const a = splitEpisodes(20, 0.25, 7);
    expect(splitEpisodes(20, 0.25, 7)).toEqual(a);
    expect(a.eval).toHaveLength(5);
    expect([...a.train, ...a.eval].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const others = [1, 2, 3, 4, 5].map((seed) => splitEpisodes(20, 0.25, seed).eval.join());
    expect(new Set([a.eval.join(), ...others]).size).toBeGreaterThan(1);
  });

  it('holds out at least one episode for a positive fraction, never all, none for 0', () => {
    expect(splitEpisodes(3, 0.1, 0).eval).toHaveLength(1);
    expect(splitEpisodes(2, 0.9, 0).eval).toHaveLength(1);
    expect(splitEpisodes(1, 0.5, 0)).toEqual({ train: [0], eval: [] });
    expect(splitEpisodes(5, 0, 0).eval).toEqual([]);
    expect(() => splitEpisodes(5, 1, 0)).toThrow(/\[0, 1\)/);
    expect(() => splitEpisodes(5, Number.NaN, 0)).toThrow(/\[0, 1\)/);
  });

  it('names the eval file next to the train file', () => {
    expect(evalPathFor('/a/train.jsonl')).toBe('/a/train.eval.jsonl');
    expect(evalPathFor('/a/train')).toBe('/a/train.eval.jsonl');
  });
});

describe('exportSft', () => {
  it('writes one reference record per transition whose numbers match the dataset', async () => {
    const written = await writeDataset('box', new Box({ low: -5, high: 5, shape: [3], dtype: 'float64' }), new Box({ low: -1, high: 1, shape: [2] }), [4, 6, 5]);
    const dataset = await openDataset(join(root, 'box'));
    const out = join(root, 'out', 'box.jsonl');
    const result = exportSft(dataset, { out, format: 'reference', evalFraction: 0.3, seed: 1 });
    dataset.close();
    expect(result.eval.episodes).toBe(1);
    expect(result.train.records + result.eval.records).toBe(15);
    const records = [...readJsonl(out), ...readJsonl(evalPathFor(out))];
    expect(records).toHaveLength(15);
    // Every (observation, action) pair of the dataset appears once, within 5-decimal rounding.
    const expected = written.observations.flatMap((obs, e) => written.actions[e]!.map((action, t) => ({ obs: obs[t] as Float64Array, action: action as Float32Array })));
    const parsed = records.map((r) => {
      const obs = parseObservation(r.prompt, { dims: 3 });
      const action = parseAction(r.completion, { dims: 2 });
      if (!obs.ok || !action.ok) throw new Error(`unparsable record ${JSON.stringify(r)}`);
      return { obs: obs.values, action: action.values };
    });
    for (const want of expected) {
      const match = parsed.find((p) => p.obs.every((v, i) => Math.abs(v - want.obs[i]!) <= 5e-6));
      expect(match).toBeDefined();
      match!.action.forEach((v, i) => expect(Math.abs(v - want.action[i]!)).toBeLessThanOrEqual(5e-6));
    }
    expect(readdirSync(join(root, 'out')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('discretised: writes bins and the ranges that decode them within one bin; chat: three messages', async () => {
    const written = await writeDataset('disc', new Box({ low: -2, high: 3, shape: [2], dtype: 'float64' }), new Discrete(3), [8]);
    const dataset = await openDataset(join(root, 'disc'));
    const out = join(root, 'out', 'disc.jsonl');
    exportSft(dataset, { out, format: 'discretised', evalFraction: 0, seed: 0 });
    const ranges = JSON.parse(readFileSync(`${out}.ranges.json`, 'utf8')) as { observation: DiscretisationRanges; action: null };
    expect(ranges.action).toBeNull();
    const records = readJsonl(out);
    expect(records).toHaveLength(8);
    records.forEach((r, t) => {
      const obs = written.observations[0]![t] as Float64Array;
      const decoded = parseDiscretisedAction(r.prompt.replace('<observation>', '<action>').replace('</observation>', '</action>'), ranges.observation);
      if (!decoded.ok) throw new Error(decoded.reason);
      decoded.values.forEach((v, i) => {
        const bin = (ranges.observation.max[i]! - ranges.observation.min[i]!) / 999;
        expect(Math.abs(v - obs[i]!)).toBeLessThanOrEqual(bin / 2 + 1e-9);
      });
      expect(r.completion).toBe(`<action>${written.actions[0]![t]}</action>`);
    });

    const chatOut = join(root, 'out', 'chat.jsonl');
    exportSft(dataset, { out: chatOut, format: 'chat', evalFraction: 0, seed: 0 });
    dataset.close();
    const chat = readJsonl(chatOut);
    expect(chat[0]!.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(chat[0]!.messages[1].content).toMatch(/^<observation>-?\d+\.\d{5},-?\d+\.\d{5}<\/observation>$/);
    expect(chat[0]!.messages[2].content).toBe(`<action>${written.actions[0]![0]}</action>`);
  });

  it('refuses a non-numeric space and leaves no file behind', async () => {
    await writeDataset('text', new Text(8), new Discrete(2), [2]);
    const dataset = await openDataset(join(root, 'text'));
    const out = join(root, 'out', 'text.jsonl');
    expect(() => exportSft(dataset, { out, format: 'reference', evalFraction: 0, seed: 0 })).toThrow(/observation space Text.*not numeric/);
    dataset.close();
    expect(existsSync(out)).toBe(false);
  });
});
