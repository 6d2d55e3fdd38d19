import { join } from 'node:path';
import type { RngState } from '@rlft/core';
import {
  Adam,
  disposeTree,
  loadCheckpoint,
  makeTrainStep,
  np,
  refTree,
  restoreOptimizerState,
  saveCheckpoint,
  toEngine,
  treeFromHost,
  type AdamState,
  type LossAux,
  type Schedule,
} from '@rlft/nn';
import type { LanguageModel } from '../language-model.js';
import { saveLanguageModel } from '../language-model.js';
import { compiledForwards } from '../generation/compiled.js';
import { forward, tokenLogProbs, type LoraApplication } from '../model/forward.js';
import { createLora, loraForwardOption, makeLoraTrainStep } from '../model/lora.js';
import { savePeftAdapter } from '../model/lora-peft.js';
import type { LoraConfig, LoraParams, TransformerParams } from '../model/types.js';
import { engineSequences, type EngineSequences, type SequenceBatch } from './sequences.js';

/** Full fine-tuning trains every weight; LoRA trains adapters on a frozen base. */
export type TrainMode = 'full' | 'lora';

/**
 * A loss of the policy's per-token log-probs. `logProbs(sequences)` runs the model inside the
 * compiled step and returns log p(target) [B, T]; it consumes the sequences' tokens, positions,
 * attnBias and targets — the loss consumes `mask` and whatever else its data holds.
 */
export type LmLoss<Data> = (logProbs: (sequences: EngineSequences) => np.Array, data: Data) => [np.Array, LossAux];

export interface LmTrainerOptions {
  mode: TrainMode;
  /** Adapters to attach when training LoRA on a model that has none yet. */
  lora?: LoraConfig;
  learningRate: number;
  weightDecay?: number;
  maxGradNorm?: number;
  /** Learning-rate factor per update (1-based) of `totalUpdates`; constant when omitted. */
  schedule?: Schedule;
  totalUpdates?: number;
  seed?: number;
  /**
   * Full mode: keep a frozen copy of the weights as they are now, the reference of a KL penalty
   * (`scoreTokens(batch, { reference: true })`). LoRA mode needs none: the reference is the base.
   */
  keepReference?: boolean;
}

/** Where a run's checkpoint keeps the model in Hugging Face layout (what `--model RUN` evaluates). */
export const CHECKPOINT_MODEL_DIR = 'model';

/**
 * Trains a LanguageModel in place: the model object's params (full) or adapters (LoRA) are
 * replaced after every update, so a backend generating from the same model object always sees
 * the current policy. Owns the Adam state and the update counter; saves and restores both
 * exactly, next to a Hugging Face copy of the model for evaluation.
 */
export class LmTrainer<Data> {
  readonly mode: TrainMode;
  readonly adam: Adam;
  updates = 0;
  private state: AdamState<TransformerParams> | AdamState<LoraParams>;
  private readonly stepFull?: ReturnType<typeof makeTrainStep<TransformerParams, Data>>;
  private readonly stepLora?: ReturnType<typeof makeLoraTrainStep<Data>>;
  private readonly schedule: Schedule | undefined;
  private readonly totalUpdates: number;
  /** Full mode with keepReference: the weights at construction (new references, never updated). */
  private readonly reference: TransformerParams | undefined;

  constructor(
    readonly model: LanguageModel,
    loss: LmLoss<Data>,
    options: LmTrainerOptions,
  ) {
    this.mode = options.mode;
    this.adam = new Adam({ learningRate: options.learningRate, weightDecay: options.weightDecay ?? 0 });
    this.schedule = options.schedule;
    this.totalUpdates = options.totalUpdates ?? 1;
    const stepOptions = options.maxGradNorm !== undefined ? { maxGradNorm: options.maxGradNorm } : {};
    const config = model.config;
    const logProbsWith = (params: TransformerParams, lora: LoraApplication | undefined) => (s: EngineSequences) => {
      const { logits } = forward(config, params, { tokens: s.tokens, positions: s.positions, attnBias: s.attnBias }, lora ? { lora } : {});
      return tokenLogProbs(logits, s.targets);
    };
    if (this.mode === 'full') {
      if (model.lora) throw new Error('full fine-tuning of a model that carries a LoRA adapter: merge it first (mergeLora) or train in lora mode');
      this.stepFull = makeTrainStep<TransformerParams, Data>((params, data) => {
        const out = loss(logProbsWith(params, undefined), data);
        disposeTree(params); // forward only reads the weights; the traced copy is released here
        return out;
      }, this.adam, stepOptions);
      this.state = this.adam.init(model.params);
      this.reference = options.keepReference ? frozenCopy(model.params) : undefined;
    } else {
      if (!model.lora) {
        if (!options.lora) throw new Error('LoRA training needs a LoRA config (r, alpha, targets) for a model without an adapter');
        model.lora = { params: createLora(config, options.lora, options.seed ?? 0), config: options.lora };
      }
      const loraConfig = model.lora.config;
      this.stepLora = makeLoraTrainStep<Data>((lora, base, data) => {
        const out = loss(logProbsWith(base, loraForwardOption(lora, loraConfig)), data);
        disposeTree(lora);
        disposeTree(base);
        return out;
      }, this.adam, stepOptions);
      this.state = this.adam.init(model.lora.params);
      this.reference = undefined;
    }
  }

  /** The learning rate of the next update. */
  get learningRate(): number {
    return this.adam.learningRate * (this.schedule ? this.schedule(this.updates + 1, this.totalUpdates) : 1);
  }

  /** One optimisation step on `data` (consumed); returns loss, grad_norm, lr and the loss's diagnostics. */
  step(data: Data): Record<string, number> {
    const lr = this.learningRate;
    const scalars = toEngine(this.adam.scalars(this.updates + 1, lr));
    let metrics: Record<string, number>;
    if (this.stepFull) {
      const out = this.stepFull(this.model.params, this.state as AdamState<TransformerParams>, scalars, data);
      this.model.params = out.params;
      this.state = out.state;
      metrics = out.metrics;
    } else {
      const lora = this.model.lora!;
      const out = this.stepLora!(lora.params, this.state as AdamState<LoraParams>, scalars, this.model.params, data);
      lora.params = out.params;
      this.state = out.state;
      metrics = out.metrics;
    }
    this.updates++;
    return { ...metrics, lr };
  }

  /**
   * log p(target) [B·T] of a batch without gradients, row-major like the batch (0 where padded):
   * the policy's now (old log-probs of an RL update) or, with `reference`, the frozen base's
   * (LoRA: the base without adapters; full: the copy kept with `keepReference`).
   */
  async scoreTokens(batch: SequenceBatch, options: { reference?: boolean } = {}): Promise<Float32Array> {
    if (options.reference && this.mode === 'full' && !this.reference) {
      throw new Error('scoreTokens: full fine-tuning has a reference only when the trainer was made with keepReference: true');
    }
    const s = engineSequences(batch);
    s.mask.dispose();
    const lora = options.reference || !this.model.lora ? undefined : loraForwardOption(this.model.lora.params, this.model.lora.config);
    const params = options.reference && this.reference ? this.reference : this.model.params;
    const scores = compiledForwards(this.model.config).score(params, lora, s.tokens, s.positions, s.attnBias, s.targets);
    return (await scores.data()) as Float32Array;
  }

  /**
   * Save the trainable weights, Adam's moments and the counters (exact resume), and the model in
   * Hugging Face layout under `model/` (full weights, or the PEFT adapter naming its base).
   */
  save(dir: string, extra: { counters?: Record<string, number>; rngs?: Record<string, RngState>; config?: unknown; metadata?: Record<string, unknown> } = {}): void {
    const trainable = this.mode === 'full' ? this.model.params : this.model.lora!.params;
    saveCheckpoint(dir, {
      params: trainable,
      optimizer: this.state,
      counters: { ...extra.counters, updates: this.updates },
      ...(extra.rngs ? { rngs: extra.rngs } : {}),
      ...(extra.config !== undefined ? { config: extra.config } : {}),
      metadata: { ...extra.metadata, trainMode: this.mode, model: this.model.name, ...(this.model.lora ? { lora: this.model.lora.config } : {}) },
    });
    const modelDir = join(dir, CHECKPOINT_MODEL_DIR);
    if (this.mode === 'lora' && this.model.baseDir !== undefined) {
      const lora = this.model.lora!;
      savePeftAdapter(modelDir, { config: this.model.config, lora: lora.params, loraConfig: lora.config, baseModelNameOrPath: this.model.baseDir });
    } else {
      saveLanguageModel(modelDir, this.model);
    }
  }

  /** Restore what `save` wrote (the model must have the same shape); returns the saved counters. */
  restore(dir: string): { counters: Record<string, number>; rngs: Record<string, RngState>; metadata: Record<string, unknown> } {
    const loaded = loadCheckpoint(dir);
    if (loaded.metadata.trainMode !== this.mode) throw new Error(`${dir} was saved by ${String(loaded.metadata.trainMode)} training; this run trains ${this.mode}`);
    if (!loaded.optimizerTensors) throw new Error(`${dir} holds no optimizer state to resume from`);
    if (this.mode === 'full') {
      const params = treeFromHost(this.model.params, loaded.tensors);
      const state = restoreOptimizerState(this.model.params, loaded.optimizerTensors);
      disposeTree(this.model.params);
      disposeTree(this.state);
      this.model.params = params;
      this.state = state;
    } else {
      const lora = this.model.lora!;
      const params = treeFromHost(lora.params, loaded.tensors);
      const state = restoreOptimizerState(lora.params, loaded.optimizerTensors);
      disposeTree(lora.params);
      disposeTree(this.state);
      lora.params = params;
      this.state = state;
    }
    this.updates = loaded.counters.updates ?? 0;
    return { counters: loaded.counters, rngs: loaded.rngs, metadata: loaded.metadata };
  }

  dispose(): void {
    disposeTree(this.state);
    if (this.reference) disposeTree(this.reference);
  }
}

/** A frozen copy of weights (new references to the same buffers: updates replace, never mutate). */
export function frozenCopy(params: TransformerParams): TransformerParams {
  return refTree(params);
}
