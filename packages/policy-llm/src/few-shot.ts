import { readFileSync } from 'node:fs';
import { RlftError } from '@rlft/core';
import type { PromptExample } from './text/prompts.js';

/**
 * Few-shot examples from an SFT data file as `rlft dataset to-sft` writes it: JSON lines of
 * `{prompt, completion}` or `{messages: [{role, content}, …]}` (the last user and assistant
 * messages are taken). The first `count` records are used.
 */
export function readFewShotFile(path: string, count: number): PromptExample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RlftError('BAD_FEW_SHOT', `few-shot file ${path} cannot be read: ${(error as Error).message}`);
  }
  const examples: PromptExample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && examples.length < count; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    examples.push(exampleOf(line, `${path}:${i + 1}`));
  }
  if (examples.length < count) throw new RlftError('BAD_FEW_SHOT', `few-shot file ${path} holds ${examples.length} records; ${count} were asked for`);
  return examples;
}

function exampleOf(line: string, where: string): PromptExample {
  let record: { prompt?: unknown; completion?: unknown; messages?: { role?: unknown; content?: unknown }[] };
  try {
    record = JSON.parse(line) as typeof record;
  } catch (error) {
    throw new RlftError('BAD_FEW_SHOT', `${where} is not JSON: ${(error as Error).message}`);
  }
  if (typeof record.prompt === 'string' && typeof record.completion === 'string') return { observation: record.prompt, action: record.completion };
  if (Array.isArray(record.messages)) {
    const last = (role: string) => record.messages!.findLast((m) => m.role === role)?.content;
    const user = last('user');
    const assistant = last('assistant');
    if (typeof user === 'string' && typeof assistant === 'string') return { observation: user, action: assistant };
  }
  throw new RlftError('BAD_FEW_SHOT', `${where}: expected {"prompt", "completion"} or {"messages": [… user, assistant]} as rlft dataset to-sft writes`);
}
