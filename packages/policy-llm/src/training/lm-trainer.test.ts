import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, treeToHost } from '@rlft/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchLanguageModel, loadLanguageModel, disposeLanguageModel, type LanguageModel } from '../language-model.js';
import { resolveModelSource } from '../model-source.js';
import { LmTrainer } from './lm-trainer.js';
import { maskedNll } from './losses.js';
import { engineSequences, packSequences, type EngineSequences } from './sequences.js';

const root = mkdtempSync(join(tmpdir(), 'rlft-lm-trainer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => initEngine());

const loss = (logProbs: (s: EngineSequences) => ReturnType<typeof engineSequences>['mask'], data: EngineSequences) => maskedNll(logProbs, data);

function examples(model: LanguageModel) {
  const prompt = (text: string) => model.tokenizer.encode(model.chatTemplate.render([{ role: 'user', content: text }], { assistantPrefix: '<action>' }));
  const completion = (text: string) => model.tokenizer.encode(text);
  const prompts = [prompt('<observation>0.10000,-0.20000</observation>'), prompt('<observation>1.5</observation>')];
  const completions = [completion('1</action>'), completion('0</action>')];
  return packSequences(prompts, completions);
}

describe('packSequences', () => {
  it('left-pads to a bucket and masks exactly the completion targets', () => {
    const batch = packSequences([[5, 6, 7], [8]], [[9, 10], [11]], { lengthMultiple: 8 });
    expect(batch.length).toBe(8);
    expect(batch.leftPadding).toEqual([4, 7]);
    expect(Array.from(batch.inputs.slice(0, 8))).toEqual([0, 0, 0, 0, 5, 6, 7, 9]);
    expect(Array.from(batch.targets.slice(0, 8))).toEqual([0, 0, 0, 0, 6, 7, 9, 10]);
    expect(Array.from(batch.mask.slice(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(batch.targets.slice(8))).toEqual([0, 0, 0, 0, 0, 0, 0, 11]);
    expect(Array.from(batch.mask.slice(8))).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    const whole = packSequences([[5, 6, 7]], [[9]], { lengthMultiple: 4, wholeSequence: true });
    expect(Array.from(whole.mask)).toEqual([0, 1, 1, 1]);
  });
});

describe('LmTrainer', () => {
  for (const mode of ['full', 'lora'] as const) {
    it(`${mode}: the loss on a tiny set falls, and the masked NLL equals −mean log p of the completion tokens`, async () => {
      const model = scratchLanguageModel('tiny', 1);
      const trainer = new LmTrainer(model, loss, { mode, learningRate: mode === 'full' ? 3e-3 : 2e-2, lora: { r: 4, alpha: 8, targets: ['q', 'v', 'up', 'down'] }, seed: 2 });
      const batch = examples(model);
      const before = await trainer.scoreTokens(batch);
      let expected = 0;
      batch.mask.forEach((m, i) => (expected -= m * before[i]!));
      expected /= batch.mask.reduce((a, b) => a + b, 0);
      const losses: number[] = [];
      for (let i = 0; i < 15; i++) losses.push(trainer.step(engineSequences(batch)).loss!);
      expect(losses[0]).toBeCloseTo(expected, 4);
      // Adapters start at B = 0 on a frozen random base, so they move the loss less than full fine-tuning does.
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * (mode === 'full' ? 0.5 : 0.85));
      trainer.dispose();
      disposeLanguageModel(model);
    });
  }

  it('resumes exactly: save, restore into a fresh model, and the next updates match bit for bit', async () => {
    const run = (model: LanguageModel) => new LmTrainer(model, loss, { mode: 'full', learningRate: 1e-3, seed: 0 });
    const a = scratchLanguageModel('tiny', 3);
    const trainerA = run(a);
    const batch = examples(a);
    for (let i = 0; i < 3; i++) trainerA.step(engineSequences(batch));
    const dir = join(root, 'step-3');
    trainerA.save(dir, { counters: { epoch: 1 } });
    expect(existsSync(join(dir, 'model', 'config.json'))).toBe(true);
    const continued = [trainerA.step(engineSequences(batch)).loss, trainerA.step(engineSequences(batch)).loss];

    const b = scratchLanguageModel('tiny', 99);
    const trainerB = run(b);
    const restored = trainerB.restore(dir);
    expect(restored.counters).toMatchObject({ epoch: 1, updates: 3 });
    const resumed = [trainerB.step(engineSequences(batch)).loss, trainerB.step(engineSequences(batch)).loss];
    expect(resumed).toEqual(continued);
    expect([...treeToHost(b.params).values()].map((t) => Array.from(t.data))).toEqual([...treeToHost(a.params).values()].map((t) => Array.from(t.data)));

    // The checkpoint's model/ directory is an ordinary model directory (what --model RUN evaluates).
    const source = resolveModelSource(dir);
    expect(source.kind).toBe('directory');
    const reloaded = loadLanguageModel(source as { kind: 'directory'; dir: string });
    expect(reloaded.config).toEqual(a.config);
    for (const m of [a, b, reloaded]) disposeLanguageModel(m);
  });
});
