import { np } from '@rlft/nn';
import { leftPadTokens, roundUp } from '../generation/layout.js';
import { causalAttnBias, leftPaddedPositions } from '../model/forward.js';

/**
 * Prompt + completion pairs laid out for training, the way the generator and the scorer lay
 * them out: each sequence without its last token is the input, without its first the target
 * (position t predicts token t + 1), rows are left-padded to a bucketed length so that a few
 * shapes serve every batch, and the mask marks the targets the loss counts.
 */
export interface SequenceBatch {
  batch: number;
  /** Bucketed input length T. */
  length: number;
  /** Padding tokens at the start of each row. */
  leftPadding: number[];
  /** [B, T] input ids (padding 0). */
  inputs: Int32Array<ArrayBuffer>;
  /** [B, T] target ids (padding 0). */
  targets: Int32Array<ArrayBuffer>;
  /** [B, T] 1 where the target counts: completion tokens (or every real token), else 0. */
  mask: Float32Array<ArrayBuffer>;
  /** Completion tokens per row (they are each row's last positions). */
  completionLengths: number[];
}

export interface PackOptions {
  /** Lengths are rounded up to a multiple of this (default 16: fewer shapes, fewer compilations). */
  lengthMultiple?: number;
  /** Count the prompt's tokens in the loss too (default false: completion tokens only). */
  wholeSequence?: boolean;
}

export function packSequences(prompts: readonly (readonly number[])[], completions: readonly (readonly number[])[], options: PackOptions = {}): SequenceBatch {
  if (prompts.length !== completions.length) throw new RangeError(`packSequences: ${prompts.length} prompts but ${completions.length} completions`);
  if (prompts.length === 0) throw new RangeError('packSequences: an empty batch');
  prompts.forEach((prompt, i) => {
    if (prompt.length === 0) throw new RangeError(`packSequences: prompt ${i} is empty; the first completion token needs a context`);
  });
  const sequences = prompts.map((prompt, i) => [...prompt, ...completions[i]!]);
  const inputs = sequences.map((s) => s.slice(0, -1));
  const targets = sequences.map((s) => s.slice(1));
  const length = roundUp(Math.max(...inputs.map((s) => s.length)), options.lengthMultiple ?? 16);
  const leftPadding = inputs.map((s) => length - s.length);
  const mask = new Float32Array(prompts.length * length);
  completions.forEach((completion, b) => {
    const counted = options.wholeSequence ? inputs[b]!.length : completion.length;
    mask.fill(1, (b + 1) * length - counted, (b + 1) * length);
  });
  return {
    batch: prompts.length,
    length,
    leftPadding,
    inputs: leftPadTokens(inputs, length, 0),
    targets: leftPadTokens(targets, length, 0),
    mask,
    completionLengths: completions.map((c) => c.length),
  };
}

/** A SequenceBatch as engine arrays: what a compiled loss receives. */
export type EngineSequences = { tokens: np.Array; positions: np.Array; attnBias: np.Array; targets: np.Array; mask: np.Array };

export function engineSequences(batch: SequenceBatch): EngineSequences {
  const shape = [batch.batch, batch.length];
  return {
    tokens: np.array(batch.inputs, { shape, dtype: np.int32 }),
    positions: leftPaddedPositions(batch.leftPadding, batch.length),
    attnBias: causalAttnBias(batch.leftPadding, batch.length),
    targets: np.array(batch.targets, { shape, dtype: np.int32 }),
    mask: np.array(batch.mask, { shape }),
  };
}

/** A host [B, T] array laid out like the batch's targets (per-token old log-probs, advantages, …). */
export function perTokenArray(batch: SequenceBatch, rows: readonly ArrayLike<number>[]): Float32Array<ArrayBuffer> {
  if (rows.length !== batch.batch) throw new RangeError(`perTokenArray: ${rows.length} rows for a batch of ${batch.batch}`);
  const out = new Float32Array(batch.batch * batch.length);
  rows.forEach((row, b) => {
    if (row.length !== batch.completionLengths[b]) throw new RangeError(`perTokenArray: row ${b} has ${row.length} values for ${batch.completionLengths[b]} completion tokens`);
    out.set(Array.from(row), (b + 1) * batch.length - row.length);
  });
  return out;
}
