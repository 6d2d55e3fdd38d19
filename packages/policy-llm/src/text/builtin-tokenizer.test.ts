import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeAction, encodeDiscretisedObservation, encodeObservation } from '@rlft/data';
import { BUILTIN_EOS, BUILTIN_PAD, BUILTIN_UNK, builtinTokenizer, builtinTokenizerFiles } from './builtin-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';

describe('the built-in tokenizer', () => {
  const tokenizer = builtinTokenizer();

  it('has a small vocabulary: 95 printable characters, newline, 4 tags and 6 special tokens', () => {
    expect(tokenizer.vocabSize).toBe(106);
    expect(tokenizer.eosTokenIds).toEqual([tokenizer.tokenToId(BUILTIN_EOS)]);
    expect(tokenizer.padTokenId).toBe(tokenizer.tokenToId(BUILTIN_PAD));
    expect(tokenizer.bosTokenId).toBeUndefined();
  });

  it('writes each tag as exactly one token and every other character as one token', () => {
    for (const tag of ['<observation>', '</observation>', '<action>', '</action>']) {
      expect(tokenizer.encode(tag)).toHaveLength(1);
    }
    const text = encodeAction([-0.12345, 0.5]);
    expect(text).toBe('<action>-0.12345,0.50000</action>');
    expect(tokenizer.encode(text)).toHaveLength(2 + '-0.12345,0.50000'.length);
    // A '<' that starts no tag is a character like any other.
    expect(tokenizer.tokenize('<act')).toEqual(['<', 'a', 'c', 't']);
  });

  it('round-trips reference and discretised texts', () => {
    const texts = [
      encodeObservation([0.01234, -1.5, 3, 100.25]),
      encodeDiscretisedObservation([0, 0.5, 1], { min: [0, 0, 0], max: [1, 1, 1] }),
      encodeAction(1),
      'Cards: [A, 10, J, 3]\n{"formula": "(10+3)*2-A"} ~`|\\^',
    ];
    for (const text of texts) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.decode(tokenizer.encode('<observation>0,500,999</observation>'))).toBe('<observation>0,500,999</observation>');
  });

  it('normalises compatible characters and turns the rest into <|unk|>, one per character', () => {
    // NFKC: the ellipsis becomes three dots, full-width digits become ASCII digits.
    expect(tokenizer.decode(tokenizer.encode('wait…'))).toBe('wait...');
    expect(tokenizer.decode(tokenizer.encode('１２'))).toBe('12');
    const ids = tokenizer.encode('a\tb😀');
    const unk = tokenizer.tokenToId(BUILTIN_UNK);
    expect(ids.filter((id) => id === unk)).toHaveLength(2);
    expect(tokenizer.decode(ids)).toBe(`a${BUILTIN_UNK}b${BUILTIN_UNK}`);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('ab');
  });

  it('keeps tags but drops special tokens when asked to skip them', () => {
    const ids = tokenizer.encode('<|assistant|><action>1</action><|endoftext|>');
    expect(ids).toHaveLength(5);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('<action>1</action>');
  });

  it('saves as a Hugging Face tokenizer directory that loads back the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlft-builtin-'));
    try {
      tokenizer.saveTo(dir);
      const loaded = HfTokenizer.fromDir(dir);
      const text = '<|user|><observation>0.1,-2</observation><|assistant|><action>0</action>';
      expect(loaded.encode(text)).toEqual(tokenizer.encode(text));
      expect(loaded.chatTemplate).toBe(tokenizer.chatTemplate);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every added token inside the model vocabulary under the same id', () => {
    const { tokenizerJson } = builtinTokenizerFiles();
    const model = tokenizerJson.model as { vocab: Record<string, number> };
    for (const added of tokenizerJson.added_tokens as { id: number; content: string }[]) {
      expect(model.vocab[added.content]).toBe(added.id);
    }
  });
});
