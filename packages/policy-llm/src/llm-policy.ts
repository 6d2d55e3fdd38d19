import { Rng, type ActContext, type Policy, type PolicyStats } from '@rlft/core';
import type { Completion, GenerationRequest, LanguageModelBackend, SamplingOptions } from './backend.js';

/** Turns one observation into the conversation the model answers (codec + prompt + few-shot). */
export type RequestBuilder<Obs> = (obs: Obs, context: ActContext | undefined) => GenerationRequest;

/** One completion's reading: an action, or why there is none. */
export type ActionReading<Act> = { ok: true; action: Act } | { ok: false; reason: string };

/** Reads completions into actions and keeps the counts `rlft eval` reports. */
export interface CompletionReader<Act> {
  read(completion: string): ActionReading<Act>;
  /** The action taken when every attempt failed (counted as a fallback). */
  fallback(): Act;
  recordRetry(): void;
  stats(): Record<string, number | Record<string, number>>;
}

export interface LlmPolicyOptions<Obs, Act> {
  backend: LanguageModelBackend;
  buildRequest: RequestBuilder<Obs>;
  reader: CompletionReader<Act>;
  sampling: SamplingOptions;
  /** Extra attempts after a completion that does not parse (0 = none). */
  retries: number;
  /**
   * Temperature of the retries: a greedy retry would repeat the same answer, so retries sample
   * (at the policy's own temperature when that is above 0).
   */
  retryTemperature: number;
  seed?: number;
}

/**
 * A language model as a policy: each observation becomes a prompt, the model answers, the
 * answer becomes an action. Batched: `actBatch` sends every prompt to the backend at once,
 * re-asks only those whose answers failed to parse, and falls back for the rest.
 */
export class LlmPolicy<Obs = unknown, Act = unknown> implements Policy<Obs, Act> {
  readonly id = 'llm';
  private readonly options: LlmPolicyOptions<Obs, Act>;
  private rng: Rng;
  private generatedTokens = 0;
  private completionCount = 0;
  private generationSeconds = 0;

  constructor(options: LlmPolicyOptions<Obs, Act>) {
    if (!Number.isInteger(options.retries) || options.retries < 0) throw new RangeError(`retries must be an integer ≥ 0, got ${options.retries}`);
    this.options = options;
    this.rng = Rng.fromSeed(options.seed ?? 0);
  }

  reset(options: { seed?: number }): void {
    if (options.seed !== undefined) this.rng = Rng.fromSeed(options.seed);
  }

  async act(obs: Obs, context?: ActContext): Promise<Act> {
    const [action] = await this.actBatch([obs], context ? [context] : undefined);
    return action!;
  }

  async actBatch(observations: readonly Obs[], contexts?: readonly ActContext[]): Promise<Act[]> {
    const { buildRequest, reader, retries } = this.options;
    const requests = observations.map((obs, i) => buildRequest(obs, contexts?.[i]));
    const actions = new Array<Act | undefined>(observations.length);
    let pending = requests.map((_, i) => i);
    for (let attempt = 0; attempt <= retries && pending.length > 0; attempt++) {
      if (attempt > 0) for (let k = 0; k < pending.length; k++) reader.recordRetry();
      const completions = await this.generate(
        pending.map((i) => requests[i]!),
        attempt,
      );
      const failed: number[] = [];
      completions.forEach((completion, k) => {
        const reading = reader.read(completion.text);
        if (reading.ok) actions[pending[k]!] = reading.action;
        else failed.push(pending[k]!);
      });
      pending = failed;
    }
    for (const i of pending) actions[i] = reader.fallback();
    return actions as Act[];
  }

  private async generate(requests: GenerationRequest[], attempt: number): Promise<Completion[]> {
    const { backend, sampling, retryTemperature } = this.options;
    const temperature = attempt === 0 ? sampling.temperature : Math.max(sampling.temperature, retryTemperature);
    const started = performance.now();
    const completions = await backend.generate(requests, { ...sampling, temperature, seed: this.rng.nextSeed() });
    this.generationSeconds += (performance.now() - started) / 1000;
    this.completionCount += completions.length;
    for (const completion of completions) this.generatedTokens += completion.tokenCount ?? 0;
    if (completions.length !== requests.length) {
      throw new Error(`the ${backend.kind} backend returned ${completions.length} completions for ${requests.length} prompts`);
    }
    return completions;
  }

  /** Parse statistics plus generation speed: tokens per second of generation time (batch-inclusive). */
  stats(): PolicyStats {
    const { backend, reader } = this.options;
    return {
      backend: backend.kind,
      model: backend.modelName,
      ...reader.stats(),
      generated_tokens: this.generatedTokens,
      generation_seconds: this.generationSeconds,
      tokens_per_second: this.generationSeconds > 0 ? this.generatedTokens / this.generationSeconds : 0,
      seconds_per_completion: this.completionCount > 0 ? this.generationSeconds / this.completionCount : 0,
    };
  }

  async close(): Promise<void> {
    await this.options.backend.close?.();
  }
}
