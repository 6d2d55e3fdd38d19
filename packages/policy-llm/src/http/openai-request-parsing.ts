import type { ChatMessage, GenerationRequest, SamplingOptions } from '../backend.js';

/** A request the server refuses; becomes OpenAI's `{ error: { message, type, param, code } }`. */
export class OpenAiRequestError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly errorCode: string | null;
  constructor(status: number, message: string, param: string | null = null, errorCode: string | null = null, type = 'invalid_request_error') {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.errorCode = errorCode;
  }
}

export interface ParsedChatRequest {
  model: string | undefined;
  request: GenerationRequest;
  sampling: SamplingOptions;
  logprobs: boolean;
}

export interface ParsedCompletionRequest {
  model: string | undefined;
  prompts: string[];
  sampling: SamplingOptions;
  logprobs: boolean;
}

type Body = Record<string, unknown>;

/** Reads a POST /v1/chat/completions body; `continue_final_message` turns the last assistant message into the prefix. */
export function parseChatRequest(body: unknown, defaultMaxTokens: number): ParsedChatRequest {
  const fields = asObject(body);
  rejectUnsupported(fields, CHAT_UNSUPPORTED);
  const topLogprobs = fields.top_logprobs;
  if (topLogprobs != null && topLogprobs !== 0) {
    throw invalid('top_logprobs', `top_logprobs must be 0 or left out, got ${json(topLogprobs)}: this server returns only the sampled token's log-probability`);
  }
  let messages = parseMessages(fields.messages);
  const continueFinal = optionalBoolean(fields, 'continue_final_message') ?? false;
  const addGenerationPrompt = optionalBoolean(fields, 'add_generation_prompt') ?? true;
  let assistantPrefix: string | undefined;
  if (continueFinal) {
    if (addGenerationPrompt) throw invalid('add_generation_prompt', 'continue_final_message: true needs add_generation_prompt: false (the answer continues the last message instead of starting a new one)');
    const last = messages[messages.length - 1];
    if (last.role !== 'assistant') throw invalid('messages', `continue_final_message: true needs the last message to be the assistant's, got role '${last.role}'`);
    assistantPrefix = last.content;
    messages = messages.slice(0, -1);
  } else if (!addGenerationPrompt) {
    throw invalid('add_generation_prompt', 'add_generation_prompt: false is only supported together with continue_final_message: true');
  }
  const maxTokens = fields.max_completion_tokens ?? fields.max_tokens;
  const maxTokensParam = fields.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  return {
    model: optionalString(fields, 'model'),
    request: assistantPrefix ? { messages, assistantPrefix } : { messages },
    sampling: parseSampling(fields, maxTokens, maxTokensParam, defaultMaxTokens),
    logprobs: optionalBoolean(fields, 'logprobs') ?? false,
  };
}

/** Reads a POST /v1/completions body: `prompt` is a string or an array of strings. */
export function parseCompletionRequest(body: unknown, defaultMaxTokens: number): ParsedCompletionRequest {
  const fields = asObject(body);
  rejectUnsupported(fields, COMPLETION_UNSUPPORTED);
  const logprobs = fields.logprobs;
  if (logprobs != null && logprobs !== 0 && logprobs !== 1) {
    throw invalid('logprobs', `logprobs must be 0, 1 or left out, got ${json(logprobs)}: this server returns only the sampled token's log-probability`);
  }
  return {
    model: optionalString(fields, 'model'),
    prompts: parsePrompts(fields.prompt),
    sampling: parseSampling(fields, fields.max_tokens, 'max_tokens', defaultMaxTokens),
    logprobs: logprobs === 0 || logprobs === 1,
  };
}

/** Fields this server cannot honour, with the only values it accepts (null/absent always accepted). */
const SHARED_UNSUPPORTED: Record<string, { accepted: readonly unknown[]; why: string }> = {
  stream: { accepted: [false], why: 'streaming is not supported; send stream: false or leave it out' },
  n: { accepted: [1], why: 'only one choice per request is supported (n: 1)' },
  presence_penalty: { accepted: [0], why: 'penalties are not supported' },
  frequency_penalty: { accepted: [0], why: 'penalties are not supported' },
  repetition_penalty: { accepted: [1], why: 'penalties are not supported' },
};
const CHAT_UNSUPPORTED = {
  ...SHARED_UNSUPPORTED,
  tools: { accepted: [], why: 'tool calling is not supported' },
  functions: { accepted: [], why: 'function calling is not supported' },
};
const COMPLETION_UNSUPPORTED = {
  ...SHARED_UNSUPPORTED,
  best_of: { accepted: [1], why: 'best_of is not supported' },
  echo: { accepted: [false], why: 'echo is not supported' },
  suffix: { accepted: [''], why: 'suffix (fill-in-the-middle) is not supported' },
};

function rejectUnsupported(fields: Body, table: Record<string, { accepted: readonly unknown[]; why: string }>): void {
  for (const [name, { accepted, why }] of Object.entries(table)) {
    const value = fields[name];
    if (value == null || accepted.includes(value) || (Array.isArray(value) && value.length === 0)) continue;
    throw invalid(name, `${name}: ${json(value)} — ${why}`, 'unsupported_parameter');
  }
}

function parseSampling(fields: Body, maxTokens: unknown, maxTokensParam: string, defaultMaxTokens: number): SamplingOptions {
  const sampling: SamplingOptions = {
    maxNewTokens: maxTokens == null ? defaultMaxTokens : wholeNumber(maxTokens, maxTokensParam, 1),
    temperature: numberIn(fields, 'temperature', 1, (value) => value >= 0, 'a number ≥ 0 (0 = greedy)'),
    topP: numberIn(fields, 'top_p', 1, (value) => value > 0 && value <= 1, 'a number in (0, 1]'),
    // -1 and 0 both mean "off", as in vLLM.
    topK: Math.max(0, fields.top_k == null ? 0 : wholeNumber(fields.top_k, 'top_k', -1)),
    stop: parseStop(fields.stop),
  };
  if (fields.seed != null) sampling.seed = wholeNumber(fields.seed, 'seed', Number.MIN_SAFE_INTEGER);
  return sampling;
}

function parseMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('messages', `messages must be a non-empty array of { role, content }, got ${json(value)}`);
  return value.map((message, index) => {
    const param = `messages[${index}]`;
    if (!message || typeof message !== 'object') throw invalid(param, `${param} must be an object { role, content }`);
    const { role, content } = message as Body;
    const mapped = role === 'developer' ? 'system' : role;
    if (mapped !== 'system' && mapped !== 'user' && mapped !== 'assistant') {
      throw invalid(`${param}.role`, `${param}.role must be 'system', 'developer', 'user' or 'assistant', got ${json(role)}`);
    }
    return { role: mapped, content: messageText(content, `${param}.content`) };
  });
}

/** A string, or an array of `{ type: 'text', text }` parts (joined). */
function messageText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part, index) => {
        const { type, text } = (part ?? {}) as Body;
        if (type !== 'text' || typeof text !== 'string') throw invalid(`${param}[${index}]`, `${param}[${index}] must be { type: 'text', text: string }; only text content is supported, got ${json(part)}`);
        return text;
      })
      .join('');
  }
  throw invalid(param, `${param} must be a string or an array of text parts, got ${json(content)}`);
}

function parsePrompts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((prompt) => typeof prompt === 'string')) return value as string[];
  throw invalid('prompt', `prompt must be a string or a non-empty array of strings (token-id prompts are not supported), got ${json(value)}`);
}

function parseStop(value: unknown): string[] {
  if (value == null) return [];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((stop) => typeof stop === 'string')) return value.filter((stop) => stop !== '');
  throw invalid('stop', `stop must be a string or an array of strings, got ${json(value)}`);
}

function asObject(body: unknown): Body {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid(null, `The request body must be a JSON object, got ${json(body)}`);
  return body as Body;
}

function optionalString(fields: Body, name: string): string | undefined {
  const value = fields[name];
  if (value == null) return undefined;
  if (typeof value !== 'string') throw invalid(name, `${name} must be a string, got ${json(value)}`);
  return value;
}

function optionalBoolean(fields: Body, name: string): boolean | undefined {
  const value = fields[name];
  if (value == null) return undefined;
  if (typeof value !== 'boolean') throw invalid(name, `${name} must be true or false, got ${json(value)}`);
  return value;
}

function numberIn(fields: Body, name: string, fallback: number, allowed: (value: number) => boolean, description: string): number {
  const value = fields[name];
  if (value == null) return fallback;
  if (typeof value !== 'number' || !allowed(value)) throw invalid(name, `${name} must be ${description}, got ${json(value)}`);
  return value;
}

function wholeNumber(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalid(name, `${name} must be a whole number ≥ ${min}, got ${json(value)}`);
  return value;
}

function invalid(param: string | null, message: string, code = 'invalid_value'): OpenAiRequestError {
  return new OpenAiRequestError(400, message, param, code);
}

function json(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
