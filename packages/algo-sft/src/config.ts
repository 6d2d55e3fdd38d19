import { z } from '@rlft/core';
import { scheduleSchema } from '@rlft/nn';
import { TEXT_FORMATS, type LoraTarget, type PromptSettings, type TextFormat } from '@rlft/policy-llm';

const LORA_TARGETS: readonly LoraTarget[] = ['q', 'k', 'v', 'o', 'qkv', 'gate', 'up', 'down'];

const rangesSchema = z.object({ min: z.array(z.number()), max: z.array(z.number()) }).strict();

/**
 * Supervised fine-tuning's settings: what model and data, how prompts are written (the same
 * settings the `llm` policy reads back from the trained model), and the optimisation.
 * `total_timesteps` exists because every rlft algorithm takes `--steps`; for SFT it caps the
 * number of training samples (batch rows) seen, next to `epochs`.
 */
export const sftConfigSchema = z
  .object({
    model: z
      .string()
      .min(1)
      .default('scratch:small')
      .describe('model to fine-tune: a model directory (Hugging Face layout), a LoRA adapter directory, an rlft run (its latest checkpoint), or scratch:tiny|small|medium (rlft run --model)'),
    init: z.string().min(1).nullable().default(null).describe('a previous rlft run (or model directory) to start from instead of `model`; its recorded prompt settings are the defaults (rlft run --init)'),
    dataset: z.string().min(1).nullable().default(null).describe("Minari dataset directory to learn from (rlft run --dataset); null: the dataset shipped for the env, when there is one"),
    max_samples: z.number().int().positive().nullable().default(null).describe('use at most this many dataset steps (drawn at random, both splits in proportion); null: all'),
    format: z.enum(TEXT_FORMATS as [TextFormat, ...TextFormat[]]).nullable().default(null).describe('text format of observations and actions; null: discrete for integer actions, else reference'),
    ranges: z
      .union([z.string(), z.object({ observation: rangesSchema.optional(), action: rangesSchema.optional() }).strict()])
      .nullable()
      .default(null)
      .describe("ranges of the discretised format: a ranges file, {observation, action} of {min, max}, or null to take them from the dataset"),
    system_prompt: z.union([z.boolean(), z.string()]).default(true).describe("true: rlft's prompt for the env family; false: none; text: this prompt"),
    prefill: z.boolean().default(true).describe('start the answer with <action> (part of the prompt, so the model learns only the values and the closing tag)'),
    mode: z.enum(['full', 'lora']).default('full').describe('full: train every weight; lora: train low-rank adapters on a frozen base'),
    lora_r: z.number().int().positive().default(8).describe('LoRA rank (mode lora)'),
    lora_alpha: z.number().positive().default(16).describe('LoRA scale numerator: ΔW = B·A·alpha/r (mode lora)'),
    lora_targets: z.array(z.enum(LORA_TARGETS as [LoraTarget, ...LoraTarget[]])).min(1).default(['q', 'k', 'v', 'o', 'gate', 'up', 'down']).describe('projections that get adapters (mode lora)'),
    lora_dropout: z.number().min(0).lt(1).default(0).describe('recorded in the PEFT adapter config; the forward pass does not apply it'),
    completion_only: z.boolean().default(true).describe('true: the loss counts the completion tokens only; false: every token of prompt and completion'),
    total_timesteps: z.number().int().positive().nullable().default(null).describe('cap on training samples (batch rows) over the run; null: epochs alone decide'),
    epochs: z.number().int().positive().default(3).describe('passes over the training split'),
    batch_size: z.number().int().positive().default(32).describe('samples per update (the last partial batch of an epoch is dropped)'),
    learning_rate: z.number().positive().default(1e-3).describe('Adam peak learning rate'),
    schedule: scheduleSchema.default('cosine').describe('learning-rate schedule over the run: constant | linear | cosine, or { type, warmupSteps?, warmupStartFraction?, finalFraction? }'),
    weight_decay: z.number().min(0).default(0).describe('decoupled weight decay (AdamW)'),
    max_grad_norm: z.number().positive().default(1).describe('global gradient-norm clip'),
    eval_fraction: z.number().min(0).max(0.9).default(0.1).describe('fraction of the episodes held out to measure the evaluation loss (split by episode, seeded); 0: none'),
    eval_every: z.number().int().min(0).default(0).describe('updates between evaluation-loss measurements; 0: at the end of each epoch'),
    eval_max_samples: z.number().int().positive().default(512).describe('evaluation samples scored each time (a fixed random subset of the held-out split)'),
    early_stopping_patience: z.number().int().min(0).default(0).describe('stop after this many evaluations without a lower evaluation loss (0: never); the result is the best model either way'),
    checkpoint_every: z.number().int().min(0).default(0).describe('updates between checkpoints; 0: only at the end (and on Ctrl-C)'),
    keep_checkpoints: z.number().int().positive().default(2).describe('how many checkpoints to keep'),
    log_every: z.number().int().positive().default(10).describe('updates between training-loss log lines'),
    length_multiple: z.number().int().positive().default(16).describe('sequence lengths are padded to a multiple of this (fewer shapes, fewer compilations)'),
    seed: z.number().int().min(0).nullable().default(null).describe("seed of the data split, data order and a from-scratch model's weights; null: the run's seed"),
    device: z.enum(['wasm', 'webgpu']).default('wasm').describe('tensor engine device'),
  })
  .strict();

export type SftConfig = z.output<typeof sftConfigSchema>;

/** The prompt settings a config asks for (unset keys left out, so a model's recorded ones apply). */
export function promptSettingsOf(config: SftConfig): PromptSettings {
  return {
    ...(config.format !== null ? { format: config.format } : {}),
    ...(config.ranges !== null ? { ranges: config.ranges } : {}),
    systemPrompt: config.system_prompt,
    prefill: config.prefill,
  };
}
