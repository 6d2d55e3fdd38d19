/**
 * Where each prompt sits in the padded batch. Prompts are left-padded so that every row's
 * newest token is in the same column (one decode step serves all rows), and lengths are
 * bucketed so that `jit` compiles a handful of shapes, not one per batch. The attention bias,
 * positions and cache writes for this layout come from model/forward.ts.
 */

export function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

export interface BucketSizes {
  /** Prompts are padded to a multiple of this (default 16). */
  promptMultiple: number;
  /** The KV cache holds a multiple of this many slots (default 64). */
  capacityMultiple: number;
}

export const DEFAULT_BUCKETS: BucketSizes = { promptMultiple: 16, capacityMultiple: 64 };

export interface BatchLayout {
  batch: number;
  /** Padded prompt length P (a multiple of the prompt bucket). */
  promptLength: number;
  /** Key/value slots S: P prompt slots, then one per fed-back generated token. */
  capacity: number;
  /** Left padding of each row: row b's prompt fills columns [padding[b], P). */
  padding: number[];
}

/** The layout of a batch of prompts that will generate at most `maxNewTokens` each. */
export function layoutBatch(promptLengths: readonly number[], maxNewTokens: number, buckets: BucketSizes = DEFAULT_BUCKETS): BatchLayout {
  const promptLength = roundUp(Math.max(...promptLengths), buckets.promptMultiple);
  // The last generated token is never fed back, so it needs no slot.
  const capacity = roundUp(promptLength + maxNewTokens - 1, buckets.capacityMultiple);
  return { batch: promptLengths.length, promptLength, capacity, padding: promptLengths.map((n) => promptLength - n) };
}

/** int32 [B × length] row-major: each sequence right-aligned, `padId` before it. */
export function leftPadTokens(sequences: readonly (readonly number[])[], length: number, padId: number): Int32Array<ArrayBuffer> {
  const tokens = new Int32Array(sequences.length * length).fill(padId);
  sequences.forEach((sequence, b) => {
    if (sequence.length > length) throw new RangeError(`Sequence ${b} has ${sequence.length} tokens; the padded length is ${length}`);
    tokens.set(sequence, (b + 1) * length - sequence.length);
  });
  return tokens;
}
