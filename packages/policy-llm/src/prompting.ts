import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, type EnvSpec, type Space } from '@rlft/core';
import type { DiscretisationRanges } from '@rlft/data';
import type { GenerationRequest } from './backend.js';
import { readFewShotFile } from './few-shot.js';
import { actionCodec, formatsFor, observationCodec, readRangesFile, type ActionCodec, type ObservationCodec, type TextFormat } from './text/codecs.js';
import { assistantPrefixFor, requestBuilder, systemPrompt } from './text/prompts.js';

/**
 * How observations become prompts and answers become actions. Training (SFT, GRPO) and
 * evaluation (`--policy llm`) build prompts from the same settings, and a trained model
 * directory records them (rlft_policy.json), so `rlft eval --model RUN` asks exactly what the
 * model was trained on.
 */
export interface PromptSettings {
  /** Text format; default: text for text spaces, discrete for integer spaces, else reference. */
  format?: TextFormat;
  /** Discretisation ranges, or the path of a `rlft dataset to-sft` ranges file. */
  ranges?: string | { observation?: DiscretisationRanges; action?: DiscretisationRanges };
  /** true: rlft's prompt for the env family; false: none; text: this prompt. Default true. */
  systemPrompt?: boolean | string;
  /** Worked examples taken from `fewShotFile`. */
  fewShot?: number;
  fewShotFile?: string;
  /** Start the answer with `<action>` for numeric formats (default true). */
  prefill?: boolean;
}

/** The keys of PromptSettings, for merging and for option schemas. */
export const PROMPT_SETTING_KEYS = ['format', 'ranges', 'systemPrompt', 'fewShot', 'fewShotFile', 'prefill'] as const;

export interface PromptEnv {
  envId: string;
  spec?: EnvSpec;
  observationSpace: Space;
  actionSpace: Space;
}

export interface Prompting<Obs = unknown> {
  observation: ObservationCodec<Obs>;
  action: ActionCodec;
  system: string | null;
  /** Observation → the request a backend answers. */
  buildRequest(obs: Obs): GenerationRequest;
  /** The text the answer is forced to start with, if any (part of the prompt, not the completion). */
  assistantPrefix: string | undefined;
  /** Stop strings for generation (`</action>` for numeric formats). */
  stop: string[];
  /** Tokens an answer needs at most (about ten characters a value, plus the closing tag). */
  defaultMaxNewTokens: number;
}

export function buildPrompting<Obs = unknown>(settings: PromptSettings, env: PromptEnv): Prompting<Obs> {
  const ranges = typeof settings.ranges === 'string' ? readRangesFile(settings.ranges) : settings.ranges;
  const format = settings.format;
  // One format names how numbers are written; observations take it where their space allows (discrete describes actions).
  const observationFormat = format !== undefined && formatsFor(env.observationSpace).includes(format) ? format : undefined;
  const observation = observationCodec<Obs>(env.observationSpace, { ...(observationFormat ? { format: observationFormat } : {}), ...(ranges?.observation ? { ranges: ranges.observation } : {}) });
  const action = actionCodec(env.actionSpace, { ...(format ? { format } : {}), ...(ranges?.action ? { ranges: ranges.action } : {}) });
  const setting = settings.systemPrompt ?? true;
  const system = setting === false ? null : typeof setting === 'string' ? setting : systemPrompt({ envId: env.envId, ...(env.spec ? { spec: env.spec } : {}), observation, action });
  const fewShotCount = settings.fewShot ?? 0;
  if (fewShotCount > 0 && settings.fewShotFile === undefined) throw new Error('fewShot > 0 needs fewShotFile=PATH (SFT JSON lines from rlft dataset to-sft)');
  const fewShot = fewShotCount > 0 ? readFewShotFile(settings.fewShotFile!, fewShotCount) : undefined;
  const build = requestBuilder<Obs>({ observation, action, system, ...(fewShot ? { fewShot } : {}) });
  const prefill = settings.prefill ?? true;
  const buildRequest = prefill ? build : (obs: Obs) => ({ messages: build(obs).messages });
  const dims = action.layout?.size;
  return {
    observation,
    action,
    system,
    buildRequest,
    assistantPrefix: prefill ? assistantPrefixFor(action.format) : undefined,
    stop: action.format === 'text' ? [] : ['</action>'],
    defaultMaxNewTokens: dims === undefined ? 256 : Math.max(16, dims * 10 + 8),
  };
}

/** The file in a model directory that records the prompt settings it was trained with. */
export const POLICY_SETTINGS_FILE = 'rlft_policy.json';

/** Record prompt settings in a model directory (ranges are stored by value, so the directory stands alone). */
export function writePromptSettings(modelDir: string, settings: PromptSettings, extra: Record<string, unknown> = {}): void {
  const ranges = typeof settings.ranges === 'string' ? readRangesFile(settings.ranges) : settings.ranges;
  const stored = { ...settings, ...(ranges ? { ranges } : {}) };
  delete (stored as { fewShotFile?: string }).fewShotFile;
  delete (stored as { fewShot?: number }).fewShot;
  writeFileAtomic(join(modelDir, POLICY_SETTINGS_FILE), `${JSON.stringify({ ...extra, prompt: stored }, null, 2)}\n`);
}

/** The prompt settings a model directory records, or {} when it records none. */
export function readPromptSettings(modelDir: string): PromptSettings {
  const path = join(modelDir, POLICY_SETTINGS_FILE);
  if (!existsSync(path)) return {};
  try {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as { prompt?: PromptSettings };
    return stored.prompt ?? {};
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Settings given explicitly win over recorded ones, which win over the defaults. */
export function mergePromptSettings(recorded: PromptSettings, explicit: PromptSettings): PromptSettings {
  const merged: PromptSettings = { ...recorded };
  for (const key of PROMPT_SETTING_KEYS) {
    if (explicit[key] !== undefined) (merged as Record<string, unknown>)[key] = explicit[key];
  }
  return merged;
}
