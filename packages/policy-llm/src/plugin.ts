import { createRequire } from 'node:module';
import { definePlugin, z, type PolicyEnvContext } from '@rlft/core';
import { initEngine } from '@rlft/nn';
import { DEFAULT_SAMPLING, type LanguageModelBackend, type SamplingOptions } from './backend.js';
import { OpenAiBackend } from './http/openai-backend.js';
import { InProcessBackend } from './in-process-backend.js';
import { loadLanguageModel } from './language-model.js';
import { LlmPolicy } from './llm-policy.js';
import { resolveModelSource, type ModelSource } from './model-source.js';
import { buildPrompting, mergePromptSettings, PROMPT_SETTING_KEYS, readPromptSettings, type PromptSettings } from './prompting.js';
import { ActionParser } from './text/action-parser.js';
import { TEXT_FORMATS, type TextFormat } from './text/codecs.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The `llm` policy's options (`--policy-opt llm.KEY=VALUE`; --model, --model-name, --format, --temperature are shorthands). */
export const llmPolicyOptionsSchema = z
  .object({
    model: z.string().describe('model directory (Hugging Face layout), LoRA adapter directory, rlft run, http(s):// URL of an OpenAI-compatible server, or scratch:tiny|small|medium'),
    base: z.string().optional().describe("base model directory of a LoRA adapter (default: the adapter's base_model_name_or_path)"),
    modelName: z.string().optional().describe('model name on the server (default: the only one it serves)'),
    format: z.enum(TEXT_FORMATS as [TextFormat, ...TextFormat[]]).optional().describe('text format; default: text for text spaces, discrete for integer spaces, else reference'),
    ranges: z.string().optional().describe('ranges file of the discretised format (<out>.ranges.json from rlft dataset to-sft; a trained model records its own)'),
    temperature: z.number().min(0).default(0).describe('sampling temperature (0 = greedy)'),
    topP: z.number().gt(0).max(1).default(1).describe('nucleus sampling mass'),
    topK: z.number().int().min(0).default(0).describe('keep the k most likely tokens (0 = off)'),
    maxNewTokens: z.number().int().min(1).optional().describe('longest answer in tokens; default: enough for the action format'),
    systemPrompt: z.union([z.boolean(), z.string()]).optional().describe("true (default): rlft's prompt for the env family; false: none; text: this prompt"),
    fewShot: z.number().int().min(0).optional().describe('number of worked examples taken from fewShotFile'),
    fewShotFile: z.string().optional().describe('SFT JSON lines ({prompt, completion} or {messages}) to take few-shot examples from'),
    prefill: z.boolean().optional().describe('start the answer with <action> for numeric formats (default true)'),
    parse: z.enum(['strict', 'lenient']).default('lenient').describe('action parsing mode'),
    clip: z.boolean().default(true).describe('clip out-of-bounds values into the action space (counted) instead of failing'),
    retries: z.number().int().min(0).default(2).describe('extra attempts after an answer that does not parse'),
    retryTemperature: z.number().min(0).default(0.7).describe('temperature of the retries (a greedy retry would repeat itself)'),
    fallback: z.enum(['random', 'zeros', 'noop']).default('random').describe('action when no attempt parses'),
    thinking: z.boolean().default(false).describe("chat templates' enable_thinking (Qwen3)"),
    engine: z.enum(['rlft', 'onnx']).default('rlft').describe("what runs a model directory: rlft's in-process transformer, or transformers.js on its onnx/model.onnx (rlft export --model DIR)"),
    api: z.enum(['chat', 'completions']).default('chat').describe('OpenAI endpoint used for URLs'),
    apiKeyEnv: z.string().default('OPENAI_API_KEY').describe('environment variable holding the API key of a URL'),
    timeoutMs: z.number().int().min(1).default(120_000).describe('timeout of one HTTP request'),
    httpRetries: z.number().int().min(0).default(2).describe('HTTP retries with exponential backoff'),
    concurrency: z.number().int().min(1).default(16).describe('most HTTP requests in flight'),
  })
  .strict();

export type LlmPolicyOptionsInput = z.infer<typeof llmPolicyOptionsSchema>;

/** Build the `llm` policy for an env from its options: backend, prompting (recorded by a trained model, unless overridden), parser. */
export async function createLlmPolicy(options: LlmPolicyOptionsInput, env: PolicyEnvContext): Promise<LlmPolicy> {
  const source = resolveModelSource(options.model, options.base === undefined ? {} : { base: options.base });
  const recorded =
    source.kind === 'directory' ? readPromptSettings(source.dir) : source.kind === 'adapter' ? mergePromptSettings(readPromptSettings(source.baseDir), readPromptSettings(source.dir)) : {};
  const explicit: PromptSettings = {};
  for (const key of PROMPT_SETTING_KEYS) if (options[key] !== undefined) (explicit as Record<string, unknown>)[key] = options[key];
  const prompting = buildPrompting(mergePromptSettings(recorded, explicit), env);
  const parser = new ActionParser(prompting.action, { mode: options.parse, clip: options.clip, fallback: options.fallback, ...(env.seed !== undefined ? { seed: env.seed } : {}) });
  const sampling: SamplingOptions = {
    ...DEFAULT_SAMPLING,
    maxNewTokens: options.maxNewTokens ?? prompting.defaultMaxNewTokens,
    temperature: options.temperature,
    topP: options.topP,
    topK: options.topK,
    stop: prompting.stop,
  };
  const backend = await createBackend(source, options);
  return new LlmPolicy({
    backend,
    buildRequest: (obs) => prompting.buildRequest(obs),
    reader: parser,
    sampling,
    retries: options.retries,
    retryTemperature: options.retryTemperature,
    ...(env.seed !== undefined ? { seed: env.seed } : {}),
  });
}

async function createBackend(source: ModelSource, options: LlmPolicyOptionsInput): Promise<LanguageModelBackend> {
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
  if (options.engine === 'onnx') {
    if (source.kind !== 'directory') throw new Error(`engine=onnx runs a model directory with onnx/model.onnx; --model ${options.model} is ${source.kind === 'adapter' ? 'a LoRA adapter (merge it, then export)' : 'a scratch model'}`);
    // transformers.js and onnxruntime load only for this engine.
    const { OnnxBackend } = await import('./onnx/onnx-backend.js');
    return OnnxBackend.load(source.dir, { templateVariables: { enable_thinking: options.thinking } });
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
