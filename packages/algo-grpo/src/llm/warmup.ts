import type { Rng } from '@rlft/core';
import { LmTrainer, engineSequences, maskedNll, packSequences, tokenizeSamples, type EngineSequences, type LanguageModel, type LoraConfig, type PromptRenderer, type PromptSample } from '@rlft/policy-llm';

export interface WarmupOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  maxGradNorm: number;
  mode: 'full' | 'lora';
  lora?: LoraConfig;
  signal: AbortSignal;
  onStep?(step: number, metrics: Record<string, number>): void;
}

/**
 * A few supervised updates on the dataset's (prompt, answer) pairs before GRPO: a from-scratch
 * model first learns the answer format, so that its completions parse and the rewards of a
 * group differ (GRPO learns nothing from groups whose rewards are all equal). Its own Adam
 * state, discarded afterwards. Returns the updates done (fewer when aborted).
 */
export async function sftWarmup(model: LanguageModel, samples: readonly PromptSample[], renderer: PromptRenderer, rng: Rng, options: WarmupOptions): Promise<number> {
  const trainer = new LmTrainer<EngineSequences>(model, maskedNll, {
    mode: options.mode,
    ...(options.lora ? { lora: options.lora } : {}),
    learningRate: options.learningRate,
    maxGradNorm: options.maxGradNorm,
  });
  try {
    let step = 0;
    for (; step < options.steps && !options.signal.aborted; step++) {
      const batch = Array.from({ length: options.batchSize }, () => samples[rng.integer(0, samples.length - 1)]!);
      const { prompts, completions } = tokenizeSamples(model, batch, renderer);
      const metrics = trainer.step(engineSequences(packSequences(prompts, completions)));
      options.onStep?.(step + 1, metrics);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return step;
  } finally {
    trainer.dispose();
  }
}
