import { describe, expect, it } from 'vitest';
import { addInfo, hasEntries } from '@rlft/core';

describe('addInfo (Gymnasium-style batched infos)', () => {
  it('gives each key a column and a `_key` mask', () => {
    const infos = {};
    addInfo(infos, { distance: 1.5, success: true, label: 'a' }, 2, 3);
    addInfo(infos, { distance: -2 }, 0, 3);
    expect(infos).toEqual({
      distance: Float64Array.of(-2, 0, 1.5),
      _distance: Uint8Array.of(1, 0, 1),
      success: [false, false, true],
      _success: Uint8Array.of(0, 0, 1),
      label: [null, null, 'a'],
      _label: Uint8Array.of(0, 0, 1),
    });
  });

  it('batches nested plain objects recursively, keeps final_obs as per-env values', () => {
    const infos = {};
    const obs = Float32Array.of(1, 2);
    addInfo(infos, { final_obs: obs, final_info: { episode: { r: 3 } } }, 1, 2);
    expect(infos).toEqual({
      final_obs: [null, obs],
      _final_obs: Uint8Array.of(0, 1),
      final_info: { episode: { r: Float64Array.of(0, 3), _r: Uint8Array.of(0, 1) }, _episode: Uint8Array.of(0, 1) },
      _final_info: Uint8Array.of(0, 1),
    });
  });

  it('marks an empty nested info as present', () => {
    const infos = addInfo({}, { final_info: {} }, 0, 2);
    expect(infos).toEqual({ final_info: {}, _final_info: Uint8Array.of(1, 0) });
  });

  it('falls back to a plain array when a numeric key gets another kind of value', () => {
    const infos = {};
    addInfo(infos, { x: 1 }, 0, 2);
    addInfo(infos, { x: 'many' }, 1, 2);
    expect(infos).toEqual({ x: [1, 'many'], _x: Uint8Array.of(1, 1) });
  });

  it('rejects a key that is an object for one env and a plain value for another', () => {
    const infos = addInfo({}, { x: { y: 1 } }, 0, 2);
    expect(() => addInfo(infos, { x: 3 }, 1, 2)).toThrow(/Info key 'x'.*one kind per key/);
  });

  it('tells empty infos apart without allocating', () => {
    expect(hasEntries({})).toBe(false);
    expect(hasEntries({ a: undefined })).toBe(true);
    expect(hasEntries(undefined)).toBe(false);
  });
});
