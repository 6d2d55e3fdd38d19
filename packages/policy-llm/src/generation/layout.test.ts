import { describe, expect, it } from 'vitest';
import { layoutBatch, leftPadTokens } from './layout.js';

describe('batch layout', () => {
  it('buckets the prompt length and the cache capacity', () => {
    const layout = layoutBatch([3, 17, 5], 40, { promptMultiple: 16, capacityMultiple: 64 });
    expect(layout).toEqual({ batch: 3, promptLength: 32, capacity: 128, padding: [29, 15, 27] });
    // 16 prompt slots + 1 new token that is never fed back: 16 slots suffice, rounded up to 64.
    expect(layoutBatch([16], 1).capacity).toBe(64);
    expect(layoutBatch([16], 50, { promptMultiple: 8, capacityMultiple: 32 }).capacity).toBe(96);
  });

  it('left-pads token rows', () => {
    expect([...leftPadTokens([[7, 8], [5, 6, 9]], 4, 0)]).toEqual([0, 0, 7, 8, 0, 5, 6, 9]);
    expect(() => leftPadTokens([[1, 2, 3]], 2, 0)).toThrow(/has 3 tokens; the padded length is 2/);
  });
});
