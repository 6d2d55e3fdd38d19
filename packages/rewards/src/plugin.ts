import { definePlugin, parseOptions, z, type OptionsSchema, type RewardContribution, type RewardFunction, type Space, type SpaceJSON } from '@rlft/core';
import { BcReward } from './bc.js';
import type { EnvMaker } from './env-pool.js';
import { EnvReward } from './env-reward.js';
import { FormatReward } from './format.js';
import { LearnedReward } from './learned/reward.js';
import { LengthReward } from './length.js';
import { TaskReward } from './task-reward.js';

const format = z.enum(['reference', 'discretised']).default('reference').describe("'reference': 5-decimal values; 'discretised': bins 0–999 over ranges");
const ranges = z
  .object({ min: z.array(z.number()), max: z.array(z.number()) })
  .strict()
  .optional()
  .describe('per-dimension action ranges of the discretised format');
const rangesPath = z.string().optional().describe('a ranges file written by `rlft dataset to-sft --format discretised` (<out>.ranges.json)');
const malformedPenalty = (value: number) => z.number().default(value).describe('score of an answer whose action cannot be read');
// Functions and registries cannot come from a config file; the host passes them in code.
const registry = z
  .custom<EnvMaker>((value) => typeof value === 'object' && value !== null && typeof (value as EnvMaker).make === 'function', {
    message: "expected an EnvRegistry (the host's PluginHost.registry)",
  })
  .describe("the env registry to make envs with (the host's PluginHost.registry); given in code");
const envKwargs = z.record(z.string(), z.unknown()).optional().describe('env kwargs for samples without their own');

export const formatRewardOptionsSchema = z
  .object({
    dims: z.number().int().positive().optional().describe('values the action holds (default: from actionSpace, else the ranges, else each sample reference action)'),
    actionSpace: z
      .custom<Space | SpaceJSON>((value) => typeof value === 'object' && value !== null && 'type' in value, { message: 'expected an action space or its JSON' })
      .optional()
      .describe('the env action space (or its JSON): Discrete → 1 value, Box → its size'),
    format,
    ranges,
    rangesPath,
    unreadablePenalty: z.number().default(-10).describe('no readable <action>…</action>'),
    wrongCountPenalty: z.number().default(-10).describe('the wrong number of values'),
    trailingCharacterCost: z.number().min(0).default(0.1).describe('per character after </action>'),
    closingBonus: z.number().default(1).describe('when the answer ends with </action>'),
  })
  .strict();

export const bcRewardOptionsSchema = z.object({ format, ranges, rangesPath, malformedPenalty: malformedPenalty(-10) }).strict();

export const envRewardOptionsSchema = z
  .object({
    registry,
    envId: z.string().optional().describe('env for samples without an envId'),
    envKwargs,
    format,
    ranges,
    rangesPath,
    malformedPenalty: malformedPenalty(-10),
    clipActions: z.boolean().default(true).describe('clip continuous actions into the action space'),
  })
  .strict();

export const lengthRewardOptionsSchema = z
  .object({
    coef: z.number().min(0).default(0.01).describe('penalty per unit over the target'),
    target: z.number().min(0).default(0).describe('free length'),
    countLength: z
      .custom<(completion: string) => number>((value) => typeof value === 'function', { message: 'expected a function (completion) => length' })
      .optional()
      .describe('counts a completion (e.g. its tokens); default: characters; given in code'),
  })
  .strict();

export const taskRewardOptionsSchema = z
  .object({
    registry,
    envId: z.string().default('GeneralPoints-v0').describe('the game (text actions, or a token game with a vocabulary)'),
    envKwargs,
    malformedPenalty: malformedPenalty(-1),
    submitAtEnd: z.boolean().default(true).describe('token games: submit when the answer ends first'),
  })
  .strict();

export const learnedRewardOptionsSchema = z
  .object({
    modelPath: z.string().min(1).describe('a directory written by trainRewardModel'),
    format,
    ranges,
    rangesPath,
    malformedPenalty: malformedPenalty(-10),
  })
  .strict();

/** A contribution whose `create` validates its options (defaults filled) before building the reward. */
function contribution<T>(id: string, description: string, schema: OptionsSchema<T>, build: (options: T) => RewardFunction): RewardContribution {
  return {
    id,
    description,
    optionsSchema: schema as unknown as OptionsSchema,
    create: (options) => build(parseOptions(schema, options, `reward '${id}'`)),
  };
}

export const rewardContributions: readonly RewardContribution[] = [
  contribution('format', 'action format: −10 unreadable or wrong count, −0.1 per character after </action>, +1 for ending with it', formatRewardOptionsSchema, (o) => new FormatReward(o)),
  contribution('bc', 'behaviour cloning: −MSE to the dataset action (continuous), −1 when a discrete action differs, −10 malformed', bcRewardOptionsSchema, (o) => new BcReward(o)),
  contribution('env', "the env's one-step reward for the action from the prompt's restored state", envRewardOptionsSchema, (o) => new EnvReward(o)),
  contribution('length', '−coef·max(0, completion length − target), characters unless countLength is given', lengthRewardOptionsSchema, (o) => new LengthReward(o)),
  contribution('task', "card games (GeneralPoints, Points24, …): the game's own verifier on the prompt's deal", taskRewardOptionsSchema, (o) => new TaskReward(o)),
  contribution('learned', 'a reward model r̂(observation, action) trained on a dataset with trainRewardModel', learnedRewardOptionsSchema, (o) => new LearnedReward(o)),
];

export default definePlugin({
  name: '@rlft/rewards',
  version: '0.1.0',
  description: 'Rewards for language-model controllers: format, bc, env, length, task, learned',
  rewards: rewardContributions,
});
