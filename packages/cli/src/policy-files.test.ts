import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlagValueError } from './key-values.js';
import { applyPolicyFlags } from './policy-files.js';

const dir = mkdtempSync(join(tmpdir(), 'rlft-policy-files-'));
const checkpoint = join(dir, 'step-000000000100');
mkdirSync(checkpoint);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (...ids: string[]) => new Map(ids.map((id) => [id, {} as Record<string, unknown>]));

describe('applyPolicyFlags', () => {
  it('gives --checkpoint to mlp and --model to onnx only', async () => {
    const byPolicy = options('mlp', 'random', 'onnx');
    await applyPolicyFlags(byPolicy, { checkpoint, model: 'policy.onnx' });
    expect(Object.fromEntries(byPolicy)).toEqual({ mlp: { checkpoint }, random: {}, onnx: { model: 'policy.onnx' } });
  });

  it('gives --model and the language-model flags to llm', async () => {
    const byPolicy = options('llm', 'random');
    await applyPolicyFlags(byPolicy, { model: 'http://127.0.0.1:8000/v1', 'model-name': 'tiny', temperature: 0.5 });
    expect(Object.fromEntries(byPolicy)).toEqual({ llm: { model: 'http://127.0.0.1:8000/v1', modelName: 'tiny', temperature: 0.5 }, random: {} });
    await expect(applyPolicyFlags(options('random'), { temperature: 1 })).rejects.toThrow('--temperature is for --policy llm');
    await expect(applyPolicyFlags(options('llm'), {})).rejects.toThrow('--policy llm needs --model PATH');
  });

  it('accepts the option from --policy-opt instead of the flag', async () => {
    const byPolicy = new Map([['mlp', { checkpoint, deterministic: false } as Record<string, unknown>]]);
    await applyPolicyFlags(byPolicy, {});
    expect(byPolicy.get('mlp')).toEqual({ checkpoint, deterministic: false });
  });

  it('a policy without its file, a file without its policy, or both forms at once are usage errors', async () => {
    await expect(applyPolicyFlags(options('mlp'), {})).rejects.toThrow(FlagValueError);
    await expect(applyPolicyFlags(options('mlp'), {})).rejects.toThrow('--policy mlp needs --checkpoint PATH');
    await expect(applyPolicyFlags(options('onnx'), {})).rejects.toThrow('--policy onnx needs --model PATH');
    await expect(applyPolicyFlags(options('random'), { model: 'a.onnx' })).rejects.toThrow('--model is for --policy onnx or llm; add onnx to --policy');
    const both = new Map([['mlp', { checkpoint } as Record<string, unknown>]]);
    await expect(applyPolicyFlags(both, { checkpoint })).rejects.toThrow('--checkpoint and --policy-opt checkpoint=… both set');
  });
});
