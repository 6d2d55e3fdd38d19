import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildPrompting,
  loadLanguageModel,
  mergePromptSettings,
  readPromptSettings,
  resolveModelSource,
  type LanguageModel,
  type PromptEnv,
  type PromptSettings,
  type Prompting,
} from '@rlft/policy-llm';
import { RlftError } from '@rlft/core';
import type { GrpoConfig } from './config.js';

/** Where a GRPO run keeps the model its supervised warm-up produced (the starting point of a resume, and the KL reference). */
export const WARMUP_MODEL_DIR = 'sft-warmup';

export interface StartingModel {
  model: LanguageModel;
  settings: PromptSettings;
  prompting: Prompting;
  /** True when the run's warm-up model was loaded (the warm-up is done). */
  warmedUp: boolean;
  /** True for an untrained from-scratch model (scratch:SIZE): it needs a supervised warm-up. */
  fromScratch: boolean;
}

/**
 * The model GRPO starts from: the run's own warm-up model when a resumed run has one, else
 * `init` (an SFT run), else `model`. Prompt settings: the config's explicit ones win over those
 * the model directory records.
 */
export function loadStartingModel(config: GrpoConfig, runDir: string, env: PromptEnv, seed: number): StartingModel {
  const warmup = join(runDir, WARMUP_MODEL_DIR);
  const warmedUp = existsSync(join(warmup, 'config.json'));
  const name = warmedUp ? warmup : (config.init ?? config.model);
  const source = resolveModelSource(name);
  if (source.kind === 'http') throw new RlftError('BAD_CONFIG', `grpo trains an in-process model; ${name} is a server URL`);
  const model = loadLanguageModel(source, { seed });
  const recorded = source.kind === 'directory' ? readPromptSettings(source.dir) : source.kind === 'adapter' ? mergePromptSettings(readPromptSettings(source.baseDir), readPromptSettings(source.dir)) : {};
  const settings = mergePromptSettings(recorded, explicitSettings(config));
  return { model, settings, prompting: buildPrompting(settings, env), warmedUp, fromScratch: source.kind === 'scratch' };
}

function explicitSettings(config: GrpoConfig): PromptSettings {
  return {
    ...(config.format !== null ? { format: config.format } : {}),
    ...(config.ranges !== null ? { ranges: config.ranges } : {}),
    ...(config.system_prompt !== null ? { systemPrompt: config.system_prompt } : {}),
    ...(config.prefill !== null ? { prefill: config.prefill } : {}),
  };
}
