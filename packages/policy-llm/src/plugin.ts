import { createRequire } from 'node:module';
import { definePlugin, z, type PolicyEnvContext } from '@rlft/core';
import { initEngine } from '@rlft/nn';
import { DEFAULT_SAMPLING, type LanguageModelBackend, type SamplingOptions } from './backend.js';
import { readFewShotFile } from './few-shot.js';
import { OpenAiBackend } from './http/openai-backend.js';
import { InProcessBackend } from './in-process-backend.js';
import { loadLanguageModel } from './language-model.js';
import { LlmPolicy } from './llm-policy.js';
import { resolveModelSource } from './model-source.js';
import { ActionParser } from './text/action-parser.js';
import { actionCodec, formatsFor, observationCodec, readRangesFile, TEXT_FORMATS, type TextFormat } from './text/codecs.js';
import { requestBuilder, systemPrompt } from './text/prompts.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The `llm` policy's options (`--policy-opt llm.KEY=VALUE`; --model, --model-name, --format, --temperature are shorthands). */
export const llmPolicyOptionsSchema = z
  .object({
    model: z.string().describe('model directory (Hugging Face layout), LoRA adapter directory, rlft run, http(s):// URL of an OpenAI-compatible server, or scratch:tiny|small|medium'),
    base: z.string().optional().describe("base model directory of a LoRA adapter (default: the adapter's base_model_name_or_path)"),
    modelName: z.string().optional().describe('model name on the server (default: the only one it serves)'),
    format: z.enum(TEXT_FORMATS as [TextFormat, ...TextFormat[]]).optional().describe('text format; default: text for text spaces, discrete for integer spaces, else reference'),
    ranges: z.string().optional().describe('ranges file of the discretised format (<out>.ranges.json from rlft dataset to-sft)'),
    temperature: z.number().min(0).default(0).describe('sampling temperature (0 = greedy)'),
    topP: z.number().gt(0).max(1).default(1).describe('nucleus sampling mass'),
    topK: z.number().int().min(0).default(0).describe('keep the k most likely tokens (0 = off)'),
    maxNewTokens: z.number().int().min(1).optional().describe('longest answer in tokens; default: enough for the action format'),
    systemPrompt: z.union([z.boolean(), z.string()]).default(true).describe("true: rlft's prompt for the env family; false: none; text: this prompt"),
    fewShot: z.number().int().min(0).default(0).describe('number of worked examples taken from fewShotFile'),
    fewShotFile: z.string().optional().describe('SFT JSON lines ({prompt, completion} or {messages}) to take few-shot examples from'),
    prefill: z.boolean().default(true).describe('start the answer with <action> for numeric formats'),
    parse: z.enum(['strict', 'lenient']).default('lenient').describe('action parsing mode'),
    clip: z.boolean().default(true).describe('clip out-of-bounds values into the action space (counted) instead of failing'),
    retries: z.number().int().min(0).default(2).describe('extra attempts after an answer that does not parse'),
    retryTemperature: z.number().min(0).default(0.7).describe('temperature of the retries (a greedy retry would repeat itself)'),
    fallback: z.enum(['random', 'zeros', 'noop']).default('random').describe('action when no attempt parses'),
    thinking: z.boolean().default(false).describe("chat templates' enable_thinking (Qwen3)"),
    api: z.enum(['chat', 'completions']).default('chat').describe('OpenAI endpoint used for URLs'),
    apiKeyEnv: z.string().default('OPENAI_API_KEY').describe('environment variable holding the API key of a URL'),
    timeoutMs: z.number().int().min(1).default(120_000).describe('timeout of one HTTP request'),
    httpRetries: z.number().int().min(0).default(2).describe('HTTP retries with exponential backoff'),
    concurrency: z.number().int().min(1).default(16).describe('most HTTP requests in flight'),
  })
  .strict();

export type LlmPolicyOptionsInput = z.infer<typeof llmPolicyOptionsSchema>;

/** Tokens an answer needs in the numeric formats: up to ~10 characters a value, plus the closing tag. */
function defaultMaxNewTokens(dims: number | undefined): number {
  return dims === undefined ? 256 : Math.max(16, dims * 10 + 8);
}

/** Build the `llm` policy for an env from its options: backend, codecs, prompt, parser. */
export async function createLlmPolicy(options: LlmPolicyOptionsInput, env: PolicyEnvContext): Promise<LlmPolicy> {
  const ranges = options.ranges === undefined ? undefined : readRangesFile(options.ranges);
  const format = options.format;
  // One --format names how numbers are written; observations take it where their space allows (discrete describes actions).
  const observationFormat = format !== undefined && formatsFor(env.observationSpace).includes(format) ? format : undefined;
  const observation = observationCodec(env.observationSpace, { ...(observationFormat ? { format: observationFormat } : {}), ...(ranges?.observation ? { ranges: ranges.observation } : {}) });
  const action = actionCodec(env.actionSpace, { ...(format ? { format } : {}), ...(ranges?.action ? { ranges: ranges.action } : {}) });
  const system = options.systemPrompt === false ? null : typeof options.systemPrompt === 'string' ? options.systemPrompt : systemPrompt({ envId: env.envId, ...(env.spec ? { spec: env.spec } : {}), observation, action });
  const fewShot = options.fewShot > 0 ? readFewShotFile(requireFewShotFile(options.fewShotFile), options.fewShot) : undefined;
  const build = requestBuilder({ observation, action, system, ...(fewShot ? { fewShot } : {}) });
  const buildRequest = options.prefill ? build : (obs: unknown) => ({ messages: build(obs).messages });
  const parser = new ActionParser(action, { mode: options.parse, clip: options.clip, fallback: options.fallback, ...(env.seed !== undefined ? { seed: env.seed } : {}) });
  const sampling: SamplingOptions = {
    ...DEFAULT_SAMPLING,
    maxNewTokens: options.maxNewTokens ?? defaultMaxNewTokens(action.layout?.size),
    temperature: options.temperature,
    topP: options.topP,
    topK: options.topK,
    stop: action.format === 'text' ? [] : ['</action>'],
  };
  const backend = await createBackend(options);
  return new LlmPolicy({ backend, buildRequest, reader: parser, sampling, retries: options.retries, retryTemperature: options.retryTemperature, ...(env.seed !== undefined ? { seed: env.seed } : {}) });
}

function requireFewShotFile(path: string | undefined): string {
  if (path === undefined) throw new Error('fewShot > 0 needs fewShotFile=PATH (SFT JSON lines from rlft dataset to-sft)');
  return path;
}

async function createBackend(options: LlmPolicyOptionsInput): Promise<LanguageModelBackend> {
  const source = resolveModelSource(options.model, options.base === undefined ? {} : { base: options.base });
  if (source.kind === 'http') {
    return OpenAiBackend.connect({
      baseURL: source.url,
      ...(options.modelName !== undefined ? { model: options.modelName } : {}),
      apiKeyEnv: options.apiKeyEnv,
      mode: options.api,
      timeoutMs: options.timeoutMs,
      maxRetries: options.httpRetries,
      concurrency: options.concurrency,
      extraBody: { chat_template_kwargs: { enable_thinking: options.thinking } },
    });
  }
  await initEngine();
  return new InProcessBackend(loadLanguageModel(source), { templateVariables: { enable_thinking: options.thinking } });
}

export default definePlugin({
  name: '@rlft/policy-llm',
  version,
  description: 'Language-model policies: an in-process transformer (GPT-2, Llama, Qwen2, Qwen3 from Hugging Face directories, or from scratch) or an OpenAI-compatible server',
  policies: [
    {
      id: 'llm',
      description: 'A language model that reads observations as text and answers <action>…</action>: --model DIR|URL',
      optionsSchema: llmPolicyOptionsSchema,
      create: (options, env) => createLlmPolicy(options as LlmPolicyOptionsInput, env),
    },
  ],
});
