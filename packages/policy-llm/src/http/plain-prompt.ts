import type { GenerationRequest } from '../backend.js';

/**
 * The prompt text OpenAiBackend sends in 'completions' mode when no chat template is given: each
 * message as a `### System` / `### User` / `### Assistant` header line followed by its content and a
 * blank line, then an `### Assistant` header and the assistant prefix, which the model continues.
 * It suits base models and tests; for an instruction-tuned model pass its own chat template instead.
 */
export function renderPlainPrompt(request: GenerationRequest): string {
  const turns = request.messages.map((message) => `${ROLE_HEADER[message.role]}\n${message.content}\n\n`);
  return `${turns.join('')}${ROLE_HEADER.assistant}\n${request.assistantPrefix ?? ''}`;
}

const ROLE_HEADER = { system: '### System', user: '### User', assistant: '### Assistant' } as const;
