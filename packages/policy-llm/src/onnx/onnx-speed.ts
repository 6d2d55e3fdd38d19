import { resolve } from 'node:path';
import { AutoModelForCausalLM, Tensor } from '@huggingface/transformers';
import { NO_EOS_CHECK, OnnxBackendError } from './onnx-backend.js';

export interface OnnxSpeedOptions {
  batch: number;
  promptTokens: number;
  newTokens: number;
  /** Timed repetitions after one untimed warm-up (default 1). */
  repeats?: number;
}

export interface OnnxSpeed {
  /** Generated tokens per second over the whole batch (prefill time included). */
  tokensPerSecond: number;
  /** Mean seconds per generate call. */
  seconds: number;
  batch: number;
  promptTokens: number;
  newTokens: number;
}

/**
 * Greedy generation speed of transformers.js on an ONNX model directory: `batch` prompts of
 * `promptTokens` fixed token ids, exactly `newTokens` new tokens each (end-of-sequence ignored),
 * so the number is comparable with rlft's in-process generator on the same weights.
 */
export async function onnxGenerationSpeed(dir: string, options: OnnxSpeedOptions): Promise<OnnxSpeed> {
  const { batch, promptTokens, newTokens, repeats = 1 } = options;
  for (const [name, value] of Object.entries({ batch, promptTokens, newTokens, repeats })) {
    if (!(Number.isInteger(value) && value >= 1)) throw new OnnxBackendError(`onnxGenerationSpeed: ${name} must be an integer ≥ 1, got ${value}`);
  }
  const model = await AutoModelForCausalLM.from_pretrained(resolve(dir), { local_files_only: true, dtype: 'fp32', device: 'cpu' });
  try {
    const vocab = (model.config as { vocab_size?: number }).vocab_size ?? 2;
    const ids = BigInt64Array.from({ length: batch * promptTokens }, (_, i) => BigInt((i * 7919 + 13) % vocab));
    const inputs = {
      input_ids: new Tensor('int64', ids, [batch, promptTokens]),
      attention_mask: new Tensor('int64', new BigInt64Array(batch * promptTokens).fill(1n), [batch, promptTokens]),
    };
    const generate = () => model.generate({ ...inputs, max_new_tokens: newTokens, min_new_tokens: newTokens, do_sample: false, ...NO_EOS_CHECK });
    await generate();
    const started = performance.now();
    for (let r = 0; r < repeats; r++) await generate();
    const seconds = (performance.now() - started) / 1000 / repeats;
    return { tokensPerSecond: (batch * newTokens) / seconds, seconds, batch, promptTokens, newTokens };
  } finally {
    await model.dispose();
  }
}
