import { z } from '@rlft/core';
import { ADVANTAGE_SCALES, scheduleSchema, type AdvantageScale } from '@rlft/nn';
import { TEXT_FORMATS, type TextFormat } from '@rlft/policy-llm';
import { LOSS_AGGREGATIONS, type LossAggregation } from '../objective.js';

const LORA_TARGETS = ['q', 'k', 'v', 'o', 'qkv', 'gate', 'up', 'down'] as const;

/**
 * GRPO for language-model policies (TRL semantics, specs/algorithms.md "GRPO"). The defaults
 * make `rlft run --env cheetah --algo grpo` work out of the box on a CPU: a tiny from-scratch
 * model, a short supervised warm-up on the env's shipped dataset (so that answers parse and the
 * rewards of a group differ), then GRPO with the format and behaviour-cloning rewards.
 * A trained starting model (`init`, or a model directory) skips the warm-up by default.
 */
export const grpoConfigSchema = z
  .object({
    // --- The policy ---
    model: z.string().default('scratch:tiny').describe('model to start from: a model directory (Hugging Face layout), LoRA adapter, rlft run, or scratch:tiny|small|medium'),
    init: z.string().nullable().default(null).describe('an SFT run (or checkpoint) to start from; wins over model, and its recorded prompt settings are reused (rlft run --init RUN_DIR)'),
    mode: z.enum(['full', 'lora']).default('full').describe('full: train every weight; lora: train adapters on the frozen base'),
    lora_r: z.number().int().positive().default(8).describe('LoRA rank (mode lora, when the model has no adapter yet)'),
    lora_alpha: z.number().positive().default(16).describe('LoRA alpha (scaling alpha/r)'),
    lora_targets: z.array(z.enum(LORA_TARGETS)).min(1).default(['q', 'k', 'v', 'o']).describe('projections that get adapters'),
    // --- Prompts ---
    dataset: z.string().nullable().default(null).describe("Minari dataset whose states are the prompts and whose actions are the bc reward's reference; null: the env's shipped dataset"),
    prompt_source: z.enum(['dataset', 'env']).default('dataset').describe('dataset: states of the dataset (the reference setting); env: states visited in the live env'),
    env_policy: z.enum(['current', 'random']).default('current').describe("prompt_source env: who moves the envs between steps: the current policy (each group's first answer) or random actions"),
    eval_fraction: z.number().min(0).lt(1).default(0.1).describe('dataset episodes held out (the same split as SFT with the same seed); their states are never prompts'),
    format: z.enum(TEXT_FORMATS as [TextFormat, ...TextFormat[]]).nullable().default(null).describe('text format of observations and actions; null: the recorded one of init/model, else the default for the spaces'),
    ranges: z.string().nullable().default(null).describe('ranges file of the discretised format (<out>.ranges.json)'),
    system_prompt: z.union([z.boolean(), z.string()]).nullable().default(null).describe("true: rlft's prompt for the env; false: none; text: this prompt; null: recorded, else true"),
    prefill: z.boolean().nullable().default(null).describe('start answers with <action> (numeric formats); null: recorded, else true'),
    // --- Sampling ---
    group_size: z.number().int().min(2).default(8).describe('G: completions per prompt'),
    prompts_per_step: z.number().int().positive().default(4).describe('prompts per step (the batch holds prompts_per_step × G completions)'),
    temperature: z.number().positive().default(0.8).describe('sampling temperature of the completions (TRL: 1; 0.8: fewer malformed HalfCheetah answers from a tiny model)'),
    top_p: z.number().gt(0).max(1).default(1).describe('nucleus sampling mass'),
    max_completion_length: z.number().int().positive().nullable().default(null).describe("longest completion in tokens; null: what the action format needs (prompting's default)"),
    // --- Objective ---
    steps: z.number().int().positive().default(60).describe('GRPO steps (one batch of prompts each)'),
    total_timesteps: z.number().int().positive().nullable().default(null).describe('set by rlft run --steps: GRPO steps, in place of steps; null: steps'),
    num_iterations: z.number().int().positive().default(1).describe('μ: optimisation passes per batch; > 1 stores the old log-probs for the ratio'),
    epsilon: z.number().positive().lt(1).default(0.2).describe('lower clip ε of the ratio'),
    epsilon_high: z.number().positive().nullable().default(null).describe('upper clip ε (null: equal to epsilon; 0.28 is DAPO clip-higher)'),
    beta: z.number().min(0).default(0.04).describe('β of the k3 KL penalty to the frozen reference (the starting model, after the warm-up; LoRA: the base without adapters); 0: no reference (TRL\'s default; 0.04 steadies a tiny model)'),
    scale_rewards: z.enum(ADVANTAGE_SCALES as [AdvantageScale, ...AdvantageScale[]]).default('group').describe("divide advantages by the std of the group, of the batch, or not at all ('none', Dr. GRPO)"),
    loss_type: z.enum(LOSS_AGGREGATIONS as [LossAggregation, ...LossAggregation[]]).default('grpo').describe('aggregation: grpo (mean of sequence means), bnpo (token mean), dr_grpo (sum / (B·max_completion_length)), dapo (global token mean)'),
    rewards: z.record(z.string(), z.number()).default({ format: 1, bc: 1 }).describe('weights of the rewards summed into the training signal (ids of @rlft/rewards: format, bc, env, length, task, learned)'),
    reward_options: z.record(z.string(), z.record(z.string(), z.unknown())).default({}).describe('options per reward id, e.g. { bc: { malformedPenalty: -5 } }; action space, format, ranges, env id and registry are filled in'),
    reward_floor: z.number().nullable().default(-10).describe('each reward component is floored at this value (−10: a wild answer such as 1e12 scores like a malformed one instead of a −MSE of 1e24); null: no floor'),
    // --- Optimisation ---
    learning_rate: z.number().positive().default(1e-4).describe('Adam learning rate (TRL uses 1e-6 for pretrained models; tiny from-scratch models need more)'),
    schedule: scheduleSchema.default('constant'),
    max_grad_norm: z.number().positive().default(1).describe('global gradient-norm clip'),
    weight_decay: z.number().min(0).default(0).describe('Adam weight decay'),
    // --- Supervised warm-up ---
    sft_warmup_steps: z
      .number()
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe('SFT updates on the same dataset before GRPO, so that answers parse and the rewards of a group differ; null: 300 for a from-scratch model (scratch:SIZE), 0 for a trained one (init, a model directory)'),
    sft_batch_size: z.number().int().positive().default(16).describe('examples per warm-up update'),
    sft_learning_rate: z.number().positive().default(3e-3).describe('Adam learning rate of the warm-up'),
    // --- Run ---
    checkpoint_every: z.number().int().min(0).default(10).describe('steps between checkpoints (0: only at the end)'),
    keep_checkpoints: z.number().int().positive().default(3).describe('checkpoints to keep'),
    seed: z.number().int().nullable().default(null).describe('seed of prompts, sampling and initialisation; null: the run seed (--seed)'),
  })
  .strict();

export type GrpoConfig = z.output<typeof grpoConfigSchema>;
