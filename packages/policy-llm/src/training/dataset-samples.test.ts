import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Box, Discrete, Rng, type Space } from '@rlft/core';
import { DatasetWriter } from '@rlft/data';
import { initEngine } from '@rlft/nn';
import { InProcessBackend } from '../in-process-backend.js';
import { scratchLanguageModel } from '../language-model.js';
import { buildPrompting } from '../prompting.js';
import { datasetSamples, tokenizeSamples } from './dataset-samples.js';

const root = mkdtempSync(join(tmpdir(), 'rlft-samples-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => initEngine());

const observationSpace = new Box({ low: -1, high: 1, shape: [2] });
async function writeDataset(name: string, actionSpace: Space, lengths: number[]): Promise<string> {
  const rng = Rng.fromSeed(5);
  const path = join(root, name);
  const writer = await DatasetWriter.create({ path, observationSpace, actionSpace });
  for (const n of lengths) {
    const end = Array.from({ length: n }, (_, i) => i === n - 1);
    writer.addEpisode({
      observations: Array.from({ length: n + 1 }, () => observationSpace.sample(rng)),
      actions: Array.from({ length: n }, () => actionSpace.sample(rng)),
      rewards: new Float64Array(n).fill(1),
      terminations: end,
      truncations: new Array<boolean>(n).fill(false),
    });
  }
  writer.finish({ dataset_id: `test/${name}-v0` });
  return path;
}

const discreteEnv = { envId: 'Toy-v0', observationSpace, actionSpace: new Discrete(2) };

describe('datasetSamples', () => {
  it('splits by episode, seeded, and covers every step once', async () => {
    const path = await writeDataset('discrete', new Discrete(2), [3, 4, 5, 6, 7]);
    const prompting = buildPrompting({}, discreteEnv);
    const a = await datasetSamples(path, prompting, { evalFraction: 0.4, seed: 1 });
    const b = await datasetSamples(path, prompting, { evalFraction: 0.4, seed: 1 });
    expect(a).toEqual(b);
    const trainEpisodes = new Set(a.train.map((s) => s.episode));
    const evalEpisodes = new Set(a.eval.map((s) => s.episode));
    expect(evalEpisodes.size).toBe(2);
    expect([...evalEpisodes].filter((e) => trainEpisodes.has(e))).toEqual([]);
    expect(a.train.length + a.eval.length).toBe(25);
    const limited = await datasetSamples(path, prompting, { evalFraction: 0.4, seed: 1, maxSamples: 10 });
    expect(limited.train.length + limited.eval.length).toBe(10);
    expect(limited.eval.length).toBeGreaterThan(0);
  });

  it('writes the action as the completion, without the prefilled prefix', async () => {
    const path = await writeDataset('discrete2', new Discrete(2), [4]);
    const prefilled = await datasetSamples(path, buildPrompting({}, discreteEnv), { evalFraction: 0 });
    const sample = prefilled.train[2]!;
    expect(sample.request.assistantPrefix).toBe('<action>');
    expect(sample.completion).toBe(`${sample.action}</action>`);
    expect(sample.step).toBe(2);
    expect(sample.observation).toHaveLength(2);
    const open = await datasetSamples(path, buildPrompting({ prefill: false }, discreteEnv), { evalFraction: 0 });
    expect(open.train[2]!.completion).toBe(`<action>${sample.action}</action>`);
    expect(open.train[2]!.request.assistantPrefix).toBeUndefined();
  });

  it('writes real actions in the discretised format as bins', async () => {
    const actionSpace = new Box({ low: -1, high: 1, shape: [3] });
    const path = await writeDataset('box', actionSpace, [5]);
    const prompting = buildPrompting({ format: 'discretised' }, { envId: 'Toy-v0', observationSpace, actionSpace });
    const { train } = await datasetSamples(path, prompting, { evalFraction: 0 });
    expect(train[0]!.completion).toMatch(/^\d+,\d+,\d+<\/action>$/);
    expect(train[0]!.action).toHaveLength(3);
  });
});

describe('tokenizeSamples', () => {
  it('gives the prompt tokens the in-process backend generates from', async () => {
    const path = await writeDataset('discrete3', new Discrete(2), [3]);
    const { train } = await datasetSamples(path, buildPrompting({}, discreteEnv), { evalFraction: 0 });
    const model = scratchLanguageModel('tiny', 0);
    const backend = new InProcessBackend(model);
    const tokens = tokenizeSamples(model, train);
    expect(tokens).toEqual(tokenizeSamples(model, train, backend));
    train.forEach((sample, i) => {
      expect(tokens.prompts[i]).toEqual(model.tokenizer.encode(backend.promptText(sample.request), { addSpecialTokens: false }));
      expect(model.tokenizer.decode(tokens.completions[i]!)).toBe(sample.completion);
    });
    expect(model.tokenizer.decode(tokens.prompts[0]!)).toMatch(/<action>$/);
  });
});
