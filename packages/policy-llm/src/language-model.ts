import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@rlft/core';
import { disposeTree } from '@rlft/nn';
import { scratchConfig, SCRATCH_SIZES, type ScratchSize } from './model/config.js';
import { initParams } from './model/init.js';
import { loadPeftAdapter, savePeftAdapter } from './model/lora-peft.js';
import type { LoraConfig, LoraParams, TransformerConfig, TransformerParams } from './model/types.js';
import { saveTransformerWeights, loadTransformerWeights, type WeightsDtype } from './model/weights-io.js';
import { ModelSourceError, type ModelSource } from './model-source.js';
import { builtinTokenizerFiles } from './text/builtin-tokenizer.js';
import { ChatTemplate } from './text/chat-template.js';
import { HfTokenizer } from './text/hf-tokenizer.js';

/** A language model held in this process: weights, an optional LoRA adapter, its tokenizer and chat template. */
export interface LanguageModel {
  config: TransformerConfig;
  params: TransformerParams;
  lora?: { params: LoraParams; config: LoraConfig };
  tokenizer: HfTokenizer;
  chatTemplate: ChatTemplate;
  /** Where it came from (a directory, or `scratch:SIZE`), for logs. */
  name: string;
  /** The directory the base weights were loaded from (absent for scratch models): LoRA checkpoints name it as their base. */
  baseDir?: string;
}

/** Load a model directory (Hugging Face layout) or a PEFT adapter on its base, from local disk only. */
export function loadLanguageModel(source: Exclude<ModelSource, { kind: 'http' }>, options: { seed?: number } = {}): LanguageModel {
  switch (source.kind) {
    case 'scratch':
      return scratchLanguageModel(source.size, options.seed ?? 0);
    case 'directory':
      return fromDirectory(source.dir);
    case 'adapter': {
      const base = fromDirectory(source.baseDir);
      const adapter = loadPeftAdapter(source.dir, base.config);
      return { ...base, lora: { params: adapter.lora, config: adapter.loraConfig }, name: `${source.dir} on ${source.baseDir}` };
    }
  }
}

function fromDirectory(dir: string): LanguageModel {
  const tokenizer = HfTokenizer.fromDir(dir);
  const { config, params } = loadTransformerWeights(dir);
  if (tokenizer.vocabSize > config.vocabSize) {
    disposeTree(params);
    throw new ModelSourceError(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${config.vocabSize}; are config.json and tokenizer.json from the same model?`);
  }
  return { config, params, tokenizer, chatTemplate: ChatTemplate.of(tokenizer), name: dir, baseDir: dir };
}

/** An untrained from-scratch model (Qwen3-style) with the built-in character tokenizer. */
export function scratchLanguageModel(size: string, seed: number, overrides: Partial<TransformerConfig> = {}): LanguageModel {
  if (!SCRATCH_SIZES.includes(size as ScratchSize)) throw new ModelSourceError(`scratch:${size} is not a from-scratch size; allowed: ${SCRATCH_SIZES.map((s) => `scratch:${s}`).join(', ')}`);
  const files = builtinTokenizerFiles();
  const tokenizer = HfTokenizer.fromJson(files.tokenizerJson, files.tokenizerConfig);
  const config = scratchConfig(size as ScratchSize, tokenizer.vocabSize, {
    eosTokenIds: tokenizer.eosTokenIds,
    ...(tokenizer.padTokenId !== undefined ? { padTokenId: tokenizer.padTokenId } : {}),
    ...overrides,
  });
  return { config, params: initParams(config, seed), tokenizer, chatTemplate: ChatTemplate.of(tokenizer), name: `scratch:${size}` };
}

/**
 * Write a model directory in Hugging Face layout: config.json and weights (see
 * saveTransformerWeights), tokenizer.json and tokenizer_config.json, each file atomically. A
 * LoRA adapter is written in PEFT layout under `adapter/` with this directory as its base
 * (`resolveModelSource` loads both; merge it first with mergeLora to ship one set of weights).
 */
export function saveLanguageModel(dir: string, model: LanguageModel, options: { dtype?: WeightsDtype } = {}): void {
  mkdirSync(dir, { recursive: true });
  saveTransformerWeights(dir, model.config, model.params, options.dtype ? { dtype: options.dtype } : {});
  writeFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(model.tokenizer.tokenizerJson));
  writeFileAtomic(join(dir, 'tokenizer_config.json'), `${JSON.stringify(model.tokenizer.tokenizerConfig, null, 2)}\n`);
  if (model.lora) {
    savePeftAdapter(join(dir, 'adapter'), { config: model.config, lora: model.lora.params, loraConfig: model.lora.config, baseModelNameOrPath: '..' });
  }
}

/** Release the engine arrays of a model. */
export function disposeLanguageModel(model: LanguageModel): void {
  disposeTree(model.params);
  if (model.lora) disposeTree(model.lora.params);
}
