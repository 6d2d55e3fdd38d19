import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadActionRanges } from './action-text.js';
import { BcReward } from './bc.js';
import type { CompletionSample } from './sample.js';

const sample = (completion: string, referenceAction: number[] | number): CompletionSample => ({ prompt: '', prefix: '<action>', completion, referenceAction });

describe('bc reward', () => {
  it('is −MSE to the reference action for continuous actions', () => {
    const reward = new BcReward();
    const [exact, off] = reward.score([sample('0.5,-0.5</action>', [0.5, -0.5]), sample('1.0,0.0</action>', [0.5, -0.5])]);
    expect(exact).toBe(0);
    // ((0.5)² + (0.5)²) / 2
    expect(off).toBeCloseTo(-0.25, 12);
  });

  it('is −1 when a discrete action differs and 0 when it matches', () => {
    expect(new BcReward().score([sample('1</action>', 1), sample('0</action>', 1)])).toEqual([0, -1]);
  });

  it('scores malformed answers with the penalty', () => {
    const reward = new BcReward({ malformedPenalty: -4 });
    expect(reward.score([sample('abc', [0, 0]), sample('0.1</action>', [0, 0]), sample('x', 2)])).toEqual([-4, -4, -4]);
  });

  it('needs the reference action', () => {
    expect(() => new BcReward().score([{ prompt: '', completion: '<action>1</action>' }])).toThrow(/referenceAction/);
  });

  describe('discretised answers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlft-rewards-bc-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('decodes bins with the ranges before the MSE', () => {
      const reward = new BcReward({ format: 'discretised', ranges: { min: [-1, 0], max: [1, 9.99] } });
      // Bin 999 of [−1, 1] is 1; bin 500 of [0, 9.99] is 5.0 exactly.
      const [score] = reward.score([sample('999,500</action>', [0, 5])]);
      expect(score).toBeCloseTo(-0.5, 12);
    });

    it('reads the ranges file written by `rlft dataset to-sft`', () => {
      const path = join(dir, 'sft.jsonl.ranges.json');
      writeFileSync(path, JSON.stringify({ bins: 1000, observation: { min: [0], max: [1] }, action: { min: [-2], max: [2] } }));
      expect(loadActionRanges(path)).toEqual({ min: [-2], max: [2] });
      const noAction = join(dir, 'discrete.ranges.json');
      writeFileSync(noAction, JSON.stringify({ bins: 1000, observation: { min: [0], max: [1] }, action: null }));
      expect(() => loadActionRanges(noAction)).toThrow(/no action ranges/);
      expect(() => loadActionRanges(join(dir, 'missing.json'))).toThrow(/cannot read the ranges file/);
      // Bin 750 of [−2, 2] is −2 + 750/999·4.
      const [score] = new BcReward({ format: 'discretised', rangesPath: path }).score([sample('750</action>', [1])]);
      expect(score).toBeCloseTo(-((-2 + (750 / 999) * 4 - 1) ** 2), 12);
    });

    it('refuses the discretised format without ranges, or with both kinds', () => {
      expect(() => new BcReward({ format: 'discretised' })).toThrow(/needs 'ranges' or 'rangesPath'/);
      expect(() => new BcReward({ ranges: { min: [0], max: [1] }, rangesPath: 'x.json' })).toThrow(/not both/);
    });
  });
});
