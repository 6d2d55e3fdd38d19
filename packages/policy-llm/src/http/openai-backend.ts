import { InvalidKwargsError } from '@rlft/core';
import OpenAI, { NotFoundError } from 'openai';
import type { Completion, GenerationRequest, LanguageModelBackend, SamplingOptions } from '../backend.js';
import { describeFailure, isRetryableFailure, modelNotServedError, notFoundError, OpenAiEndpointError, serverRetryDelayMs, type EndpointContext } from './openai-errors.js';
import { renderPlainPrompt } from './plain-prompt.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { Semaphore } from './semaphore.js';
import { restoreStop } from './stop-strings.js';

export interface OpenAiBackendOptions {
  /**
   * The API root, e.g. `http://127.0.0.1:8000/v1` (vLLM, SGLang: port 30000, llama.cpp: 8080,
   * Ollama: 11434). A bare host (`http://127.0.0.1:8000` or with a trailing `/`) gets `/v1` appended;
   * any other path is used as given.
   */
  baseURL: string;
  /** Served model name; when left out, the server's only model (GET /v1/models) is used. */
  model?: string;
  /** Environment variable holding the API key (default OPENAI_API_KEY). Unset → the placeholder `EMPTY`, which local servers accept. */
  apiKeyEnv?: string;
  /**
   * 'chat' (default): /v1/chat/completions, the server applies the model's chat template.
   * 'completions': /v1/completions with the prompt rendered here by `renderPrompt`.
   */
  mode?: 'chat' | 'completions';
  /** Time limit for one HTTP request (default 120000). */
  timeoutMs?: number;
  /** Retries on connection failures, timeouts, 408, 409, 429 and 5xx (default 2). */
  maxRetries?: number;
  /** First retry delay, doubling per retry up to maxRetryDelayMs, less up to 25 % jitter (defaults 500 and 8000). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Most HTTP requests in flight at once (default 16); each GenerationRequest is one request. */
  concurrency?: number;
  /** Ask for each generated token's log-probability (Completion.logprobs); an error if the server sends none. */
  logprobs?: boolean;
  /**
   * Chat mode's handling of GenerationRequest.assistantPrefix:
   * 'continue' (default) sends it as a final assistant message with `continue_final_message: true,
   * add_generation_prompt: false` (vLLM, SGLang; llama.cpp and Ollama continue a final assistant message
   * on their own), so the model continues it and the reply holds only the continuation;
   * 'drop' leaves it out of the request and removes it from the start of the reply if the model wrote it.
   */
  assistantPrefix?: 'continue' | 'drop';
  /**
   * Completions mode: the full prompt text for a request, assistant prefix included — pass the model's
   * chat template here. Default: renderPlainPrompt (`### User` headers; see plain-prompt.ts).
   */
  renderPrompt?: (request: GenerationRequest) => string;
  /** Extra request fields for every call (e.g. `{ repetition_penalty: 1.1 }` for vLLM). */
  extraBody?: Record<string, unknown>;
}

const OPTION_NAMES = [
  'baseURL', 'model', 'apiKeyEnv', 'mode', 'timeoutMs', 'maxRetries', 'retryDelayMs', 'maxRetryDelayMs',
  'concurrency', 'logprobs', 'assistantPrefix', 'renderPrompt', 'extraBody',
];

/** Placeholder key for servers that do not check keys (vLLM's documented convention). */
const NO_KEY = 'EMPTY';

/**
 * A LanguageModelBackend over an OpenAI-compatible HTTP server (vLLM, SGLang, llama.cpp's
 * llama-server, Ollama, or startOpenAiServer). One HTTP request per GenerationRequest, at most
 * `concurrency` at once; the server batches them.
 *
 * Retries: the openai client (6.x) would retry with exponential backoff itself (0.5 s doubling to
 * 8 s, up to 25 % jitter, Retry-After honoured), but its base delay cannot be set; so its own retries
 * are off and withRetries runs the same schedule with retryDelayMs/maxRetryDelayMs.
 *
 * Stop strings: servers drop the matched stop string (OpenAI semantics) while Completion.text keeps
 * it, so it is appended again — the one vLLM (`stop_reason`) or SGLang (`matched_stop`) reports, or,
 * from a server that reports nothing, the stop string when exactly one was asked for (see restoreStop).
 */
export class OpenAiBackend implements LanguageModelBackend {
  readonly kind = 'openai';
  readonly baseURL: string;
  readonly mode: 'chat' | 'completions';
  readonly #client: OpenAI;
  readonly #context: EndpointContext;
  readonly #retry: RetryPolicy;
  readonly #requests: Semaphore;
  readonly #logprobs: boolean;
  readonly #prefixMode: 'continue' | 'drop';
  readonly #renderPrompt: (request: GenerationRequest) => string;
  readonly #extraBody: Record<string, unknown>;
  #model: string | undefined;
  #modelLookup: Promise<string> | undefined;

  constructor(options: OpenAiBackendOptions) {
    validateOptions(options);
    this.baseURL = normaliseBaseURL(options.baseURL);
    this.mode = options.mode ?? 'chat';
    const apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const timeoutMs = options.timeoutMs ?? 120_000;
    this.#retry = { maxRetries: options.maxRetries ?? 2, baseDelayMs: options.retryDelayMs ?? 500, maxDelayMs: options.maxRetryDelayMs ?? 8000 };
    this.#context = { baseURL: this.baseURL, apiKeyEnv, timeoutMs, maxRetries: this.#retry.maxRetries };
    this.#client = new OpenAI({ baseURL: this.baseURL, apiKey: process.env[apiKeyEnv] || NO_KEY, timeout: timeoutMs, maxRetries: 0 });
    this.#requests = new Semaphore(options.concurrency ?? 16);
    this.#logprobs = options.logprobs ?? false;
    this.#prefixMode = options.assistantPrefix ?? 'continue';
    this.#renderPrompt = options.renderPrompt ?? renderPlainPrompt;
    this.#extraBody = options.extraBody ?? {};
    this.#model = options.model;
  }

  /** Creates the backend and checks the server now: it answers, and serves the model (or exactly one when none is named). */
  static async connect(options: OpenAiBackendOptions): Promise<OpenAiBackend> {
    const backend = new OpenAiBackend(options);
    const served = await backend.listModels();
    if (options.model !== undefined && !served.includes(options.model)) {
      throw modelNotServedError(backend.baseURL, options.model, served);
    }
    await backend.resolveModel();
    return backend;
  }

  /** The model name; `auto` until it has been looked up (see resolveModel). */
  get modelName(): string {
    return this.#model ?? 'auto';
  }

  /** Ids from GET /v1/models. */
  async listModels(): Promise<string[]> {
    const page = await this.#call('/models', () => this.#client.models.list());
    return page.data.map((model) => model.id);
  }

  /** The configured model, or the server's only one. */
  async resolveModel(): Promise<string> {
    if (this.#model !== undefined) return this.#model;
    this.#modelLookup ??= this.listModels().then(
      (served) => {
        if (served.length !== 1) {
          throw new OpenAiEndpointError(
            'ENDPOINT_MODEL',
            served.length === 0
              ? `The server at ${this.baseURL} lists no models; set model explicitly.`
              : `The server at ${this.baseURL} serves several models (${served.join(', ')}); choose one with the model option.`,
          );
        }
        return (this.#model = served[0]);
      },
      (error: unknown) => {
        this.#modelLookup = undefined; // let a later call try again, e.g. once the server is up
        throw error;
      },
    );
    return this.#modelLookup;
  }

  async generate(requests: readonly GenerationRequest[], sampling: SamplingOptions): Promise<Completion[]> {
    const model = await this.resolveModel();
    return Promise.all(
      requests.map((request) =>
        this.#requests.run(() => (this.mode === 'chat' ? this.#chatCompletion(model, request, sampling) : this.#textCompletion(model, this.#renderPrompt(request), sampling))),
      ),
    );
  }

  /** Raw-text completion through /v1/completions, whatever the mode. */
  async complete(prompts: readonly string[], sampling: SamplingOptions): Promise<Completion[]> {
    const model = await this.resolveModel();
    return Promise.all(prompts.map((prompt) => this.#requests.run(() => this.#textCompletion(model, prompt, sampling))));
  }

  async #chatCompletion(model: string, request: GenerationRequest, sampling: SamplingOptions): Promise<Completion> {
    const prefix = request.assistantPrefix || '';
    const continuing = prefix !== '' && this.#prefixMode === 'continue';
    const messages = request.messages.map((message) => ({ role: message.role, content: message.content }));
    if (continuing) messages.push({ role: 'assistant', content: prefix });
    const body = {
      model,
      messages,
      ...samplingFields(sampling),
      ...(this.#logprobs ? { logprobs: true } : {}),
      ...(continuing ? { continue_final_message: true, add_generation_prompt: false } : {}),
      ...this.#extraBody,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const response = await this.#call('/chat/completions', () => this.#client.chat.completions.create(body), model);
    const choice = firstChoice(response.choices, this.baseURL);
    let text = choice.message.content ?? '';
    if (prefix !== '' && !continuing && text.startsWith(prefix)) text = text.slice(prefix.length);
    const logprobs = choice.logprobs?.content?.map((token) => token.logprob);
    return this.#toCompletion(text, choice, sampling, logprobs, response.usage?.completion_tokens);
  }

  async #textCompletion(model: string, prompt: string, sampling: SamplingOptions): Promise<Completion> {
    // logprobs: 1, not 0: llama.cpp returns no log-probabilities for 0; vLLM and SGLang give the sampled token's either way.
    const body = { model, prompt, ...samplingFields(sampling), ...(this.#logprobs ? { logprobs: 1 } : {}), ...this.#extraBody } as OpenAI.CompletionCreateParamsNonStreaming;
    const response = await this.#call('/completions', () => this.#client.completions.create(body), model);
    const choice = firstChoice(response.choices, this.baseURL);
    const logprobs = choice.logprobs?.token_logprobs?.map((logprob) => logprob ?? Number.NaN);
    return this.#toCompletion(choice.text ?? '', choice, sampling, logprobs, response.usage?.completion_tokens);
  }

  #toCompletion(text: string, choice: { finish_reason: string | null }, sampling: SamplingOptions, logprobs: number[] | undefined, usageTokens: number | undefined): Completion {
    if (this.#logprobs && logprobs === undefined) {
      throw new OpenAiEndpointError('ENDPOINT_RESPONSE', `The server at ${this.baseURL} returned no log-probabilities although they were asked for; it may not support them (turn logprobs off, or use vLLM or SGLang).`);
    }
    if (choice.finish_reason === 'abort') throw new OpenAiEndpointError('ENDPOINT_RESPONSE', `The server at ${this.baseURL} aborted the generation (finish_reason 'abort'); see its log.`);
    // 'stop', 'content_filter', 'tool_calls' and a missing reason all mean the model ended the answer.
    const finishReason = choice.finish_reason === 'length' ? 'length' : 'stop';
    if (finishReason === 'stop') text = restoreStop(text, sampling.stop, reportedStop(choice));
    const tokenCount = usageTokens ?? logprobs?.length;
    return { text, finishReason, ...(tokenCount !== undefined ? { tokenCount } : {}), ...(logprobs ? { logprobs } : {}) };
  }

  /** One API call with retries, its failure turned into an error that says what to do. */
  async #call<T>(route: string, request: () => Promise<T>, model?: string): Promise<T> {
    try {
      return await withRetries(request, this.#retry, isRetryableFailure, serverRetryDelayMs);
    } catch (error) {
      if (error instanceof NotFoundError && model !== undefined) {
        const served = await this.listModels().catch(() => undefined);
        throw notFoundError(error, route, model, served, this.baseURL);
      }
      if (error instanceof NotFoundError) throw notFoundError(error, route, '', undefined, this.baseURL);
      throw describeFailure(error, route, this.#context);
    }
  }
}

/** Appends `/v1` to a bare host; any other path is taken as the API root as given. */
export function normaliseBaseURL(baseURL: string): string {
  // `localhost:8000` parses as a URL with scheme `localhost:`, so the scheme is checked too.
  const url = URL.parse(baseURL);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidKwargsError('OpenAiBackend', [`baseURL '${baseURL}' is not an http(s) URL`], ['baseURL such as http://127.0.0.1:8000/v1']);
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path === '' ? '/v1' : path;
  return url.toString().replace(/\/+$/, '');
}

/** The sampling fields every server here understands; top_k is an extension of vLLM, SGLang and llama.cpp (Ollama ignores it). */
function samplingFields(sampling: SamplingOptions): Record<string, unknown> {
  return {
    max_tokens: sampling.maxNewTokens,
    temperature: sampling.temperature,
    top_p: sampling.topP,
    // Always sent, -1 meaning off: vLLM otherwise applies the model's generation_config default (e.g. Qwen3's top_k 20).
    top_k: sampling.topK > 0 ? sampling.topK : -1,
    ...(sampling.stop.length > 0 ? { stop: [...sampling.stop] } : {}),
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
  };
}

/** What matched, from vLLM's `stop_reason` or SGLang's `matched_stop`: a string, null/number (end token), or undefined (not said). */
function reportedStop(choice: object): unknown {
  const fields = choice as { stop_reason?: unknown; matched_stop?: unknown };
  if (typeof fields.stop_reason === 'string') return fields.stop_reason;
  if (typeof fields.matched_stop === 'string') return fields.matched_stop;
  return 'stop_reason' in fields || 'matched_stop' in fields ? null : undefined;
}

function firstChoice<T>(choices: readonly T[] | undefined, baseURL: string): T {
  const choice = choices?.[0];
  if (choice === undefined) throw new OpenAiEndpointError('ENDPOINT_RESPONSE', `The server at ${baseURL} answered without choices.`);
  return choice;
}

function validateOptions(options: OpenAiBackendOptions): void {
  const problems: string[] = [];
  for (const key of Object.keys(options)) if (!OPTION_NAMES.includes(key)) problems.push(`unknown option '${key}'`);
  if (typeof options.baseURL !== 'string' || !options.baseURL) problems.push('baseURL is required');
  if (options.mode !== undefined && options.mode !== 'chat' && options.mode !== 'completions') problems.push(`mode must be 'chat' or 'completions', got '${String(options.mode)}'`);
  if (options.assistantPrefix !== undefined && options.assistantPrefix !== 'continue' && options.assistantPrefix !== 'drop') {
    problems.push(`assistantPrefix must be 'continue' or 'drop', got '${String(options.assistantPrefix)}'`);
  }
  const positive = { timeoutMs: options.timeoutMs, concurrency: options.concurrency, retryDelayMs: options.retryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs };
  for (const [name, value] of Object.entries(positive)) if (value !== undefined && !(value > 0)) problems.push(`${name} must be positive, got ${value}`);
  if (options.maxRetries !== undefined && !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0)) problems.push(`maxRetries must be a whole number ≥ 0, got ${options.maxRetries}`);
  if (problems.length) throw new InvalidKwargsError('OpenAiBackend', problems, OPTION_NAMES);
}
