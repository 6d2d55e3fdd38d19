import { parseEnvId } from '@rlft/core';
import { ACTION_OPEN, DISCRETE_BINS_MAX } from '@rlft/data';
import type { ChatMessage, GenerationRequest } from '../backend.js';
import type { ActionCodec, ObservationCodec, TextFormat } from './codecs.js';
import type { LayoutDimension } from './numeric-layout.js';

/**
 * The prompts of a language model acting in an environment: a system prompt that states the
 * task, the observation layout and the answer format; optional few-shot examples and the
 * episode so far; then the current observation. Numeric formats prefill `<action>` as the
 * start of the answer (as in the reference GRPO setup), so the model writes numbers at once.
 */

export type EnvFamily = 'classic-control' | 'mujoco' | 'card-game' | 'generic';

/** What prompts use of an env's registration (an EnvSpec fits). */
export interface EnvPromptInfo {
  readonly plugin?: string;
  readonly description?: string;
}

const FAMILY_BY_PLUGIN: Record<string, EnvFamily> = {
  '@rlft/envs-classic': 'classic-control',
  '@rlft/envs-mujoco': 'mujoco',
  '@rlft/envs-cards': 'card-game',
};

const FAMILY_BY_NAME: Record<string, EnvFamily> = {
  CartPole: 'classic-control',
  Pendulum: 'classic-control',
  MountainCar: 'classic-control',
  MountainCarContinuous: 'classic-control',
  Acrobot: 'classic-control',
  HalfCheetah: 'mujoco',
  Hopper: 'mujoco',
  Walker2d: 'mujoco',
  InvertedPendulum: 'mujoco',
  InvertedDoublePendulum: 'mujoco',
  Ant: 'mujoco',
  Humanoid: 'mujoco',
  Swimmer: 'mujoco',
  Reacher: 'mujoco',
  Blackjack: 'card-game',
  NumberLine: 'card-game',
  GeneralPoints: 'card-game',
  Points24: 'card-game',
  EZPoints: 'card-game',
  TicTacToe: 'card-game',
};

/** The family of an env: from the plugin that registered it, else from its name. */
export function envFamily(envId: string, spec?: EnvPromptInfo): EnvFamily {
  const byPlugin = spec?.plugin === undefined ? undefined : FAMILY_BY_PLUGIN[spec.plugin];
  if (byPlugin) return byPlugin;
  let name: string;
  try {
    name = parseEnvId(envId).name;
  } catch {
    return 'generic';
  }
  return FAMILY_BY_NAME[name] ?? 'generic';
}

/** What the numbers mean, for the envs of this project whose layouts are short enough to name. */
interface KnownLayout {
  observation?: readonly string[];
  /** Discrete choices, by value. */
  choices?: readonly string[];
  /** Continuous action dimensions. */
  action?: readonly string[];
  /** How to answer, for text actions whose observation does not say it. */
  answer?: string;
}

const KNOWN_LAYOUTS: Record<string, KnownLayout> = {
  CartPole: { observation: ['cart position', 'cart velocity', 'pole angle (rad)', 'pole angular velocity'], choices: ['push the cart left', 'push the cart right'] },
  Pendulum: { observation: ['cos(angle)', 'sin(angle)', 'angular velocity'], action: ['torque'] },
  MountainCar: { observation: ['car position', 'car velocity'], choices: ['accelerate left', "don't accelerate", 'accelerate right'] },
  MountainCarContinuous: { observation: ['car position', 'car velocity'], action: ['force'] },
  Acrobot: {
    observation: ['cos(joint 1)', 'sin(joint 1)', 'cos(joint 2)', 'sin(joint 2)', 'joint 1 angular velocity', 'joint 2 angular velocity'],
    choices: ['torque -1', 'torque 0', 'torque +1'],
  },
  Blackjack: { observation: ["your hand's sum", "the dealer's showing card (1 = ace)", 'usable ace (1 = yes)'], choices: ['stick', 'hit'] },
  NumberLine: { observation: ['current position', 'target position'], choices: ['move left', 'move right'] },
  GeneralPoints: {
    observation: ['the ranks of your four cards (1 = A, 11 = J, 12 = Q, 13 = K)'],
    answer:
      'Reply with a JSON object {"cards": [your cards], "number": [the numbers they count as], "formula": "..."} whose formula uses every card\'s number exactly once with + - * / and parentheses and reaches the target (24 unless told otherwise).',
  },
  TicTacToe: { observation: ['cells 0–8 row by row: 0 empty, 1 yours, 2 the opponent’s'], choices: [] },
};

const FAMILY_INTRO: Record<EnvFamily, (id: string) => string> = {
  'classic-control': (id) => `You are the controller of the classic control task ${id}.`,
  mujoco: (id) => `You control the MuJoCo robot of ${id}: each action sets the torques of its joints for one step.`,
  'card-game': (id) => `You play the game ${id}.`,
  generic: (id) => `You choose the actions of the environment ${id}.`,
};

function formatNumber(value: number): string {
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  return String(Number(value.toPrecision(6)));
}

function rangeText(dim: LayoutDimension): string {
  return dim.low === -Infinity && dim.high === Infinity ? 'unbounded' : `in [${formatNumber(dim.low)}, ${formatNumber(dim.high)}]`;
}

/** Longest layout listed dimension by dimension; longer ones are summarised. */
const MAX_LISTED_DIMS = 12;

function describeDims(dims: readonly LayoutDimension[], names: readonly string[] | undefined): string {
  const same = dims.every((d) => d.low === dims[0]!.low && d.high === dims[0]!.high && d.kind === dims[0]!.kind);
  if (names && names.length === dims.length) return dims.map((d, i) => `${names[i]} (${rangeText(d)})`).join('; ');
  if (same) return `each ${rangeText(dims[0]!)}`;
  if (dims.length <= MAX_LISTED_DIMS) return dims.map((d, i) => `${i + 1}: ${rangeText(d)}`).join('; ');
  return 'bounds vary per dimension';
}

function valueStyle(format: TextFormat): string {
  if (format === 'discretised') return `each an integer bin 0–${DISCRETE_BINS_MAX} spanning its range (0 = its minimum, ${DISCRETE_BINS_MAX} = its maximum)`;
  if (format === 'discrete') return 'integers';
  return 'real values with 5 decimals';
}

function observationText(codec: ObservationCodec, known: KnownLayout | undefined): string {
  const layout = codec.layout!;
  const n = layout.size;
  const names = known?.observation;
  const listed = names && names.length === 1 && n > 1 ? `${names[0]}` : describeDims(layout.dims, names);
  return `Each observation is <observation>v1,…,v${n}</observation>: ${n} ${valueStyle(codec.format)}, comma-separated: ${listed}.`;
}

function actionText(codec: ActionCodec, known: KnownLayout | undefined): string {
  const layout = codec.layout!;
  const n = layout.size;
  if (n === 1 && layout.allInteger) {
    const { low, high } = layout.dims[0]!;
    const choices = known?.choices?.length === high - low + 1 ? known.choices.map((c, i) => `${low + i} = ${c}`).join(', ') : `an integer from ${low} to ${high}`;
    return `Answer with <action>k</action>, where k is ${choices}.`;
  }
  const ranged = codec.ranges
    ? `, bins over ${layout.dims.map((_, i) => `[${formatNumber(codec.ranges!.min[i]!)}, ${formatNumber(codec.ranges!.max[i]!)}]`).join(', ')}`
    : '';
  return `Answer with <action>a1,…,a${n}</action>: ${n} ${valueStyle(codec.format)}, comma-separated: ${describeDims(layout.dims, known?.action)}${ranged}.`;
}

export interface SystemPromptOptions {
  envId: string;
  spec?: EnvPromptInfo;
  observation: ObservationCodec;
  action: ActionCodec;
}

/**
 * The system prompt of an env, or null for envs whose observations are their own prompts
 * (text observations such as GeneralPoints': the env's text states the cards, the rules and
 * the JSON answer it expects, so a second statement would only disagree with it).
 */
export function systemPrompt({ envId, spec, observation, action }: SystemPromptOptions): string | null {
  if (observation.format === 'text') return null;
  let name: string;
  try {
    name = parseEnvId(envId).name;
  } catch {
    name = envId;
  }
  const known = KNOWN_LAYOUTS[name];
  const family = envFamily(envId, spec);
  const lines = [FAMILY_INTRO[family](envId) + (spec?.description ? ` ${spec.description}.` : '')];
  lines.push(observationText(observation, known));
  if (action.format === 'text') lines.push(known?.answer ?? 'Answer in the form the task asks for.');
  else {
    lines.push(actionText(action, known));
    lines.push('Reply with the action tag only, no explanation.');
  }
  return lines.join('\n');
}

/** One observation and the action answered to it, both already written as text. */
export interface PromptExample {
  observation: string;
  action: string;
}

export interface BuildMessagesOptions {
  /** Omitted when null, undefined or empty. */
  system?: string | null;
  /** Worked examples before the episode (user/assistant pairs). */
  fewShot?: readonly PromptExample[];
  /** The episode's earlier steps, oldest first (for envs that answer in several turns). */
  history?: readonly PromptExample[];
  observation: string;
}

export function buildMessages({ system, fewShot = [], history = [], observation }: BuildMessagesOptions): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: 'system', content: system });
  for (const example of [...fewShot, ...history]) {
    messages.push({ role: 'user', content: example.observation }, { role: 'assistant', content: example.action });
  }
  messages.push({ role: 'user', content: observation });
  return messages;
}

/** The prefilled start of the answer: `<action>` for the numeric formats, none for text. */
export function assistantPrefixFor(format: TextFormat): string | undefined {
  return format === 'text' ? undefined : ACTION_OPEN;
}

export interface RequestBuilderOptions<Obs> {
  observation: ObservationCodec<Obs>;
  action: ActionCodec;
  system?: string | null;
  fewShot?: readonly PromptExample[];
}

/** Observation → GenerationRequest: codec, messages and prefill in one function (LlmPolicy's RequestBuilder). */
export function requestBuilder<Obs>({ observation, action, system, fewShot }: RequestBuilderOptions<Obs>): (obs: Obs) => GenerationRequest {
  const prefix = assistantPrefixFor(action.format);
  return (obs) => ({
    messages: buildMessages({ system: system ?? null, ...(fewShot ? { fewShot } : {}), observation: observation.encode(obs) }),
    ...(prefix !== undefined ? { assistantPrefix: prefix } : {}),
  });
}
