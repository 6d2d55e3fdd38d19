import { describe, expect, it } from 'vitest';
import { cacheWriteMatrix, DecodeInputs, layoutBatch, MASKED_BIAS, padLeft } from './layout.js';

/** Which keys each query may see, as strings of 1/0 per query row. */
const visible = (bias: Float32Array, rows: number, keys: number) =>
  Array.from({ length: rows }, (_, r) => Array.from(bias.subarray(r * keys, (r + 1) * keys), (v) => (v === 0 ? '1' : v === MASKED_BIAS ? '0' : '?')).join(''));

describe('batch layout', () => {
  it('buckets the prompt length and the cache capacity', () => {
    const layout = layoutBatch([3, 17, 5], 40, { promptMultiple: 16, capacityMultiple: 64 });
    expect(layout).toMatchObject({ batch: 3, promptLength: 32, capacity: 128 });
    expect([...layout.padding]).toEqual([29, 15, 27]);
    expect(layoutBatch([16], 1).capacity).toBe(64);
  });

  it('left-pads with causal attention inside each row and padding seeing only itself', () => {
    const { tokens, positions, attnBias } = padLeft([[7, 8], [5, 6, 9]], 4, 6, 0);
    expect([...tokens]).toEqual([0, 0, 7, 8, 0, 5, 6, 9]);
    expect([...positions]).toEqual([0, 0, 0, 1, 0, 0, 1, 2]);
    expect(visible(attnBias.subarray(0, 24), 4, 6)).toEqual(['100000', '010000', '001000', '001100']);
    expect(visible(attnBias.subarray(24), 4, 6)).toEqual(['100000', '010000', '011000', '011100']);
  });

  it('one-hot cache writes put token t in slot firstSlot + t', () => {
    expect([...cacheWriteMatrix(2, 1, 4)]).toEqual([0, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('decode steps write the next slot, advance positions and reveal the written slots', () => {
    const layout = layoutBatch([2, 4], 3, { promptMultiple: 4, capacityMultiple: 8 });
    const inputs = new DecodeInputs(layout);
    inputs.setStep(0, [11, 12]);
    expect([...inputs.tokens]).toEqual([11, 12]);
    expect([...inputs.positions]).toEqual([2, 4]);
    expect([...inputs.cacheWrite]).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    inputs.setStep(1, [13, 14]);
    expect([...inputs.positions]).toEqual([3, 5]);
    expect(visible(inputs.attnBias, 2, 8)).toEqual(['00111100', '11111100']);
    expect(() => inputs.setStep(4, [0, 0])).toThrow(/needs slot 8; the cache holds 8/);
  });
});
