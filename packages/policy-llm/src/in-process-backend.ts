import type { Completion, GenerationRequest, LanguageModelBackend, SamplingOptions } from './backend.js';
import { Generator } from './generation/generator.js';
import { generateText } from './generation/text.js';
import type { LanguageModel } from './language-model.js';
import { loraForwardOption } from './model/lora.js';

export interface InProcessBackendOptions {
  /**
   * Extra chat-template variables; Qwen3's `enable_thinking` is false by default so that a
   * controller answers at once instead of thinking first.
   */
  templateVariables?: Record<string, unknown>;
}

/**
 * The in-process transformer as a backend: each conversation goes through the model's chat
 * template (with the assistant prefix appended), the batch is generated in one go with the KV
 * cache. The model's weights are read at every call, so a trainer may replace them in between.
 */
export class InProcessBackend implements LanguageModelBackend {
  readonly kind = 'in-process';
  readonly modelName: string;
  readonly generator: Generator;
  private readonly variables: Record<string, unknown>;

  constructor(
    readonly model: LanguageModel,
    options: InProcessBackendOptions = {},
  ) {
    this.modelName = model.name;
    this.variables = { enable_thinking: false, ...options.templateVariables };
    this.generator = new Generator({
      config: model.config,
      tokenizer: model.tokenizer,
      params: () => this.model.params,
      lora: () => (this.model.lora ? loraForwardOption(this.model.lora.params, this.model.lora.config) : undefined),
    });
  }

  /** The text the model continues for one request: the rendered conversation and the prefix. */
  promptText(request: GenerationRequest): string {
    return this.model.chatTemplate.render(request.messages, {
      addGenerationPrompt: true,
      ...(request.assistantPrefix ? { assistantPrefix: request.assistantPrefix } : {}),
      variables: this.variables,
    });
  }

  generate(requests: readonly GenerationRequest[], sampling: SamplingOptions): Promise<Completion[]> {
    return this.complete(
      requests.map((request) => this.promptText(request)),
      sampling,
    );
  }

  complete(prompts: readonly string[], sampling: SamplingOptions): Promise<Completion[]> {
    return generateText(this.generator, this.model.tokenizer, prompts, sampling);
  }
}
