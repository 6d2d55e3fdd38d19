/**
 * Where each prompt and each generated token sits in the padded batch, and the host-built
 * inputs the forward takes: token ids, positions, the additive attention bias and the one-hot
 * cache-write matrix. Prompts are left-padded so that every row's newest token is in the same
 * column; lengths are bucketed so that `jit` compiles a handful of shapes, not one per batch.
 */

/** Additive attention bias for a key a query must not see (exp underflows to exactly 0). */
export const MASKED_BIAS = -1e9;

export function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

export interface BatchLayout {
  batch: number;
  /** Padded prompt length P (a multiple of the prompt bucket). */
  promptLength: number;
  /** Key/value slots S: P prompt slots, then one per fed-back generated token. */
  capacity: number;
  /** Left padding of each row: row b's prompt fills columns [padding[b], P). */
  padding: Int32Array;
}

export interface BucketSizes {
  /** Prompts are padded to a multiple of this (default 16). */
  promptMultiple: number;
  /** The KV cache holds a multiple of this many slots (default 64). */
  capacityMultiple: number;
}

export const DEFAULT_BUCKETS: BucketSizes = { promptMultiple: 16, capacityMultiple: 64 };

/** The layout of a batch of prompts that will generate at most `maxNewTokens` each. */
export function layoutBatch(promptLengths: readonly number[], maxNewTokens: number, buckets: BucketSizes = DEFAULT_BUCKETS): BatchLayout {
  const longest = Math.max(...promptLengths);
  const promptLength = roundUp(longest, buckets.promptMultiple);
  // The last generated token is never fed back, so it needs no slot.
  const capacity = roundUp(promptLength + maxNewTokens - 1, buckets.capacityMultiple);
  return { batch: promptLengths.length, promptLength, capacity, padding: Int32Array.from(promptLengths, (n) => promptLength - n) };
}

export interface PaddedSequences {
  /** int32 [B, T], pad id in the padding. */
  tokens: Int32Array<ArrayBuffer>;
  /** int32 [B, T]; each row's first real token has position 0 (padding: 0). */
  positions: Int32Array<ArrayBuffer>;
  /** float32 [B, T, S]: causal within each row's real tokens; key columns ≥ T stay masked. */
  attnBias: Float32Array<ArrayBuffer>;
}

/**
 * Left-pads `sequences` into a [B, T] block whose queries see keys among the first T of `keys`
 * slots (T for a plain forward, the cache capacity for a prefill). Padding queries see only
 * themselves, so no softmax row is empty.
 */
export function padLeft(sequences: readonly (readonly number[])[], length: number, keys: number, padId: number): PaddedSequences {
  const batch = sequences.length;
  const tokens = new Int32Array(batch * length).fill(padId);
  const positions = new Int32Array(batch * length);
  const attnBias = new Float32Array(batch * length * keys).fill(MASKED_BIAS);
  sequences.forEach((sequence, b) => {
    if (sequence.length > length) throw new RangeError(`Sequence ${b} has ${sequence.length} tokens; the padded length is ${length}`);
    const pad = length - sequence.length;
    for (let t = 0; t < length; t++) {
      const row = (b * length + t) * keys;
      if (t < pad) {
        attnBias[row + t] = 0;
        continue;
      }
      tokens[b * length + t] = sequence[t - pad];
      positions[b * length + t] = t - pad;
      attnBias.fill(0, row + pad, row + t + 1);
    }
  });
  return { tokens, positions, attnBias };
}

/** float32 [T, S] one-hot: the t-th new token's keys and values go to slot `firstSlot + t`. */
export function cacheWriteMatrix(count: number, firstSlot: number, capacity: number): Float32Array<ArrayBuffer> {
  const matrix = new Float32Array(count * capacity);
  for (let t = 0; t < count; t++) matrix[t * capacity + firstSlot + t] = 1;
  return matrix;
}

/**
 * The per-step inputs of decoding one token per row, with buffers reused across steps: step i
 * feeds the i-th generated token, which goes to slot P + i and has position promptLength_b + i.
 */
export class DecodeInputs {
  readonly tokens: Int32Array<ArrayBuffer>;
  readonly positions: Int32Array<ArrayBuffer>;
  /** float32 [B, 1, S]: the prompt and every slot written so far. */
  readonly attnBias: Float32Array<ArrayBuffer>;
  readonly cacheWrite: Float32Array<ArrayBuffer>;

  constructor(private readonly layout: BatchLayout) {
    const { batch, capacity, promptLength, padding } = layout;
    this.tokens = new Int32Array(batch);
    this.positions = new Int32Array(batch);
    this.attnBias = new Float32Array(batch * capacity).fill(MASKED_BIAS);
    for (let b = 0; b < batch; b++) this.attnBias.fill(0, b * capacity + padding[b], b * capacity + promptLength);
    this.cacheWrite = new Float32Array(capacity);
  }

  /** Fills the buffers for step `step` feeding `tokens[b]` to row b. Steps come in order 0, 1, 2, … (the bias accumulates). */
  setStep(step: number, tokens: readonly number[]): void {
    const { batch, capacity, promptLength, padding } = this.layout;
    const slot = promptLength + step;
    if (slot >= capacity) throw new RangeError(`Decode step ${step} needs slot ${slot}; the cache holds ${capacity}`);
    for (let b = 0; b < batch; b++) {
      this.tokens[b] = tokens[b];
      this.positions[b] = promptLength - padding[b] + step;
      this.attnBias[b * capacity + slot] = 0;
    }
    this.cacheWrite.fill(0);
    this.cacheWrite[slot] = 1;
  }
}
