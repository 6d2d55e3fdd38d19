/**
 * What every language-model backend offers a policy: text in, text out. The in-process
 * transformer, an OpenAI-compatible HTTP endpoint and (optionally) an ONNX model implement it.
 */

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** One prompt: a conversation, plus text the assistant's answer is forced to start with (e.g. `<action>`). */
export interface GenerationRequest {
  messages: ChatMessage[];
  /** Prefilled start of the answer; the completion continues it and does not repeat it. */
  assistantPrefix?: string;
}

export interface SamplingOptions {
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature: number;
  /** Nucleus sampling mass in (0, 1]; 1 = off. */
  topP: number;
  /** Keep the k most likely tokens; 0 = off. */
  topK: number;
  /** Generation stops after any of these strings; the stop string is kept in the text. */
  stop: string[];
  seed?: number;
}

export const DEFAULT_SAMPLING: SamplingOptions = { maxNewTokens: 64, temperature: 0, topP: 1, topK: 0, stop: [] };

export interface Completion {
  /** The generated text (without the prefix, up to and including a stop string). */
  text: string;
  finishReason: 'stop' | 'length';
  /** Generated tokens, when the backend knows them. */
  tokenCount?: number;
  /** Log-probability of each generated token under the model (log-softmax of the unscaled logits: what RL needs), when offered. */
  logprobs?: number[];
}

export interface LanguageModelBackend {
  /** 'in-process', 'openai', 'onnx', … */
  readonly kind: string;
  /** Model name for logs and results. */
  readonly modelName: string;
  /** One completion per request, in order; batched where the backend can. */
  generate(requests: readonly GenerationRequest[], sampling: SamplingOptions): Promise<Completion[]>;
  /** Raw-text completion of already formatted prompts (OpenAI's /v1/completions), where offered. */
  complete?(prompts: readonly string[], sampling: SamplingOptions): Promise<Completion[]>;
  close?(): Promise<void>;
}
