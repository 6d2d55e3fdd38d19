import { initEngine } from '@rlft/nn';
import { LmTrainer, disposeLanguageModel, scratchLanguageModel, type SequenceBatch } from '@rlft/policy-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGroupBatch } from './groups.js';
import { groupPolicyLoss, groupStepData, type GrpoStepData } from './grpo.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const model = scratchLanguageModel('tiny', 3);
afterAll(() => disposeLanguageModel(model));

/** Σ log p of each row's completion tokens. */
function completionLogProbs(scores: Float32Array, batch: SequenceBatch): number[] {
  return batch.completionLengths.map((n, b) => scores.subarray((b + 1) * batch.length - n, (b + 1) * batch.length).reduce((s, v) => s + v, 0));
}

describe('one GRPO step', () => {
  it('raises the log-prob of the better completion of a group and lowers the worse one', async () => {
    const encode = (text: string) => model.tokenizer.encode(text, { addSpecialTokens: false });
    const prompt = encode('<observation>0.1 0.2</observation> answer: <action>');
    // One group of two completions of the same prompt; rewards 1 and 0 → advantages +0.707…, −0.707….
    const batch = buildGroupBatch([prompt, prompt], [encode('1</action>'), encode('0</action>')], [1, 0], { groupSize: 2, scale: 'group', aggregation: 'grpo', maxCompletionLength: 16 });
    expect(batch.advantages[0]).toBeGreaterThan(0);
    expect(batch.advantages[1]).toBeLessThan(0);
    const trainer = new LmTrainer<GrpoStepData>(model, groupPolicyLoss({ epsilonLow: 0.2, epsilonHigh: 0.2, beta: 0, klEstimator: 'k3' }), { mode: 'full', learningRate: 1e-3 });
    try {
      const before = completionLogProbs(await trainer.scoreTokens(batch.sequences), batch.sequences);
      const metrics = trainer.step(groupStepData(batch));
      const after = completionLogProbs(await trainer.scoreTokens(batch.sequences), batch.sequences);
      // With ratio 1 the loss is −Σ w·A = −(½·0.707 − ½·0.707) = 0 in value, yet its gradient moves the policy.
      expect(metrics.loss).toBeCloseTo(0, 5);
      expect(metrics.clip_fraction).toBe(0);
      expect(after[0]).toBeGreaterThan(before[0]! + 1e-3);
      expect(after[1]).toBeLessThan(before[1]! - 1e-3);
    } finally {
      trainer.dispose();
    }
  });

  it('keeps a frozen reference in full mode (keepReference) that updates leave alone', async () => {
    const encode = (text: string) => model.tokenizer.encode(text, { addSpecialTokens: false });
    const prompt = encode('<action>');
    const batch = buildGroupBatch([prompt, prompt], [encode('1'), encode('2')], [1, 0], { groupSize: 2, scale: 'none', aggregation: 'bnpo', maxCompletionLength: 4 });
    const plain = new LmTrainer<GrpoStepData>(model, groupPolicyLoss({ epsilonLow: 0.2, epsilonHigh: 0.2, beta: 0, klEstimator: 'k3' }), { mode: 'full', learningRate: 1e-3 });
    await expect(plain.scoreTokens(batch.sequences, { reference: true })).rejects.toThrow('keepReference: true');
    plain.dispose();
    const trainer = new LmTrainer<GrpoStepData>(model, groupPolicyLoss({ epsilonLow: 0.2, epsilonHigh: 0.2, beta: 0.1, klEstimator: 'k3' }), { mode: 'full', learningRate: 1e-2, keepReference: true });
    try {
      const reference = await trainer.scoreTokens(batch.sequences, { reference: true });
      expect(Array.from(await trainer.scoreTokens(batch.sequences))).toEqual(Array.from(reference));
      const metrics = trainer.step(groupStepData(batch, undefined, Float32Array.from(reference)));
      expect(metrics.kl).toBeCloseTo(0, 6); // the first step starts at the reference
      expect(Array.from(await trainer.scoreTokens(batch.sequences, { reference: true }))).toEqual(Array.from(reference));
      expect(Array.from(await trainer.scoreTokens(batch.sequences))).not.toEqual(Array.from(reference));
    } finally {
      trainer.dispose();
    }
  });
});
