import { Template } from '@huggingface/jinja';
import { RlftError } from '@rlft/core';
import type { ChatMessage } from '../backend.js';

/**
 * A model's chat template (the Jinja `chat_template` of its tokenizer_config.json) rendered
 * the way `transformers`' `apply_chat_template` does, through @huggingface/jinja.
 */

export class ChatTemplateError extends RlftError {
  constructor(message: string, options?: ErrorOptions) {
    super('CHAT_TEMPLATE', message, options);
  }
}

export interface ChatRenderOptions {
  /** Append the start of an assistant turn (default true: the model answers next). */
  addGenerationPrompt?: boolean;
  /** Text the answer is forced to start with (e.g. `<action>`), appended after the generation prompt. */
  assistantPrefix?: string;
  /**
   * More template variables, e.g. `{ enable_thinking: false }` for Qwen3: with it, Qwen3's
   * template closes an empty `<think>\n\n</think>\n\n` block after `<|im_start|>assistant\n`
   * so the model answers at once; without it (or with `true`) the prompt ends at
   * `<|im_start|>assistant\n` and the model may think first.
   */
  variables?: Record<string, unknown>;
}

export interface ChatTemplateTokens {
  bosToken?: string;
  eosToken?: string;
}

/**
 * The format used when a tokenizer_config.json has no chat_template: each message as
 * `Role: content` followed by a blank line (an assistant message also gets the eos token, when
 * there is one, before the blank line), and the generation prompt `Assistant: `.
 * e.g. `System: Be brief.\n\nUser: 2+2?\n\nAssistant: `.
 */
export const PLAIN_CHAT_FORMAT = 'plain';

const ROLE_LABELS: Record<ChatMessage['role'], string> = { system: 'System', user: 'User', assistant: 'Assistant' };

function renderPlain(messages: readonly ChatMessage[], addGenerationPrompt: boolean, eosToken: string | undefined): string {
  let text = '';
  for (const message of messages) {
    const end = message.role === 'assistant' && eosToken ? eosToken : '';
    text += `${ROLE_LABELS[message.role]}: ${message.content}${end}\n\n`;
  }
  return addGenerationPrompt ? `${text}${ROLE_LABELS.assistant}: ` : text;
}

export class ChatTemplate {
  /** The Jinja source, or undefined for the plain fallback format. */
  readonly source: string | undefined;
  private readonly template: Template | undefined;
  private readonly tokens: ChatTemplateTokens;

  /** `source` is the chat_template text; undefined (or empty) selects the plain format. */
  constructor(source: string | undefined, tokens: ChatTemplateTokens = {}, readonly name = 'the chat template') {
    this.source = source?.trim() ? source : undefined;
    this.tokens = tokens;
    if (this.source !== undefined) {
      try {
        this.template = new Template(this.source);
      } catch (error) {
        throw new ChatTemplateError(`${name} is not a valid Jinja template: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  /** The template of a tokenizer (its chat_template, bos and eos tokens). */
  static of(tokenizer: { chatTemplate?: string | undefined; bosToken?: string | undefined; eosToken?: string | undefined }): ChatTemplate {
    return new ChatTemplate(tokenizer.chatTemplate, {
      ...(tokenizer.bosToken !== undefined ? { bosToken: tokenizer.bosToken } : {}),
      ...(tokenizer.eosToken !== undefined ? { eosToken: tokenizer.eosToken } : {}),
    });
  }

  get isPlain(): boolean {
    return this.template === undefined;
  }

  /** The prompt text of `messages`: template output, then the assistant prefix. */
  render(messages: readonly ChatMessage[], options: ChatRenderOptions = {}): string {
    const addGenerationPrompt = options.addGenerationPrompt ?? true;
    const prefix = options.assistantPrefix ?? '';
    if (!this.template) return renderPlain(messages, addGenerationPrompt, this.tokens.eosToken) + prefix;
    let text: string;
    try {
      text = this.template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: addGenerationPrompt,
        bos_token: this.tokens.bosToken ?? '',
        eos_token: this.tokens.eosToken ?? '',
        ...options.variables,
      });
    } catch (error) {
      // Includes a template's own raise_exception('…') (e.g. "System role not supported").
      throw new ChatTemplateError(`${this.name} failed while rendering ${messages.length} message(s): ${(error as Error).message}`, {
        cause: error,
      });
    }
    return text + prefix;
  }
}
