import { join } from 'node:path';
import { initEngine } from '@rlft/nn';
import { InProcessBackend, loadLanguageModel, resolveModelSource, saveLanguageModel, scratchLanguageModel, startOpenAiServer, disposeLanguageModel, type OpenAiServer } from '@rlft/policy-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedRlft, lastJsonLine } from './helpers/cli.js';

// `rlft eval --policy llm`: a tiny from-scratch model saved as a Hugging Face directory acts in
// CartPole through the in-process backend, and through an OpenAI-compatible server on loopback
// that serves the same weights. Greedy decoding makes both paths answer the same.
const rlft = new IsolatedRlft();
const modelDir = join(rlft.dir, 'tiny-model');
let server: OpenAiServer;

beforeAll(async () => {
  await initEngine();
  const model = scratchLanguageModel('tiny', 7);
  saveLanguageModel(modelDir, model);
  disposeLanguageModel(model);
  const source = resolveModelSource(modelDir);
  if (source.kind !== 'directory') throw new Error(`expected a model directory, got ${source.kind}`);
  server = await startOpenAiServer({ backend: new InProcessBackend(loadLanguageModel(source)), modelName: 'tiny' });
}, 60_000);
afterAll(async () => {
  await server?.close();
  rlft.remove();
});

const evalArgs = ['eval', '--env', 'CartPole-v1', '--policy', 'llm', '--episodes', '2', '--seed', '3', '--policy-opt', 'retries=0', '--json'];

describe('rlft eval --policy llm', () => {
  it('evaluates a model directory in-process and the same weights over HTTP, with the same answers', async () => {
    const local = await rlft.run([...evalArgs, '--model', modelDir], { timeoutMs: 120_000 });
    expect(local.code, local.stderr).toBe(0);
    const remote = await rlft.run([...evalArgs, '--model', server.url, '--model-name', 'tiny'], { timeoutMs: 120_000 });
    expect(remote.code, remote.stderr).toBe(0);

    const [a, b] = [lastJsonLine(local.stdout), lastJsonLine(remote.stdout)];
    expect(a.policy).toBe('llm');
    expect(a.episodes).toBe(2);
    expect(a.policy_stats.backend).toBe('in-process');
    expect(b.policy_stats.backend).toBe('openai');
    expect(b.policy_stats.model).toBe('tiny');
    // One completion per step, every one counted as parsed or failed.
    const steps = a.length.mean * 2;
    expect(a.policy_stats.completions).toBe(steps);
    expect(a.policy_stats.parsed + a.policy_stats.failures).toBe(steps);
    expect(a.policy_stats.tokens_per_second).toBeGreaterThan(0);
    // Greedy: the server's model gives the same completions, so the same actions and returns.
    expect(b.return).toEqual(a.return);
    for (const key of ['completions', 'parsed', 'failures', 'fallbacks', 'reasons']) expect(b.policy_stats[key]).toEqual(a.policy_stats[key]);
  }, 240_000);

  it('exports the model to ONNX and evaluates it with transformers.js, with the same answers', async () => {
    const exported = await rlft.run(['export', '--model', modelDir, '--json'], { timeoutMs: 120_000 });
    expect(exported.code, exported.stderr).toBe(0);
    expect(lastJsonLine(exported.stdout)).toMatchObject({ model: modelDir, format: 'onnx', out: join(modelDir, 'onnx', 'model.onnx') });
    const local = await rlft.run([...evalArgs, '--model', modelDir], { timeoutMs: 120_000 });
    const onnx = await rlft.run([...evalArgs, '--model', modelDir, '--policy-opt', 'engine=onnx'], { timeoutMs: 120_000 });
    expect(onnx.code, onnx.stderr).toBe(0);
    const [a, c] = [lastJsonLine(local.stdout), lastJsonLine(onnx.stdout)];
    expect(c.policy_stats.backend).toBe('onnx');
    expect(c.return).toEqual(a.return);
    for (const key of ['completions', 'parsed', 'failures', 'reasons']) expect(c.policy_stats[key]).toEqual(a.policy_stats[key]);
  }, 240_000);

  it('prints parse statistics under the table, and names a bad --model', async () => {
    const human = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'llm', '--model', modelDir, '--episodes', '1', '--policy-opt', 'retries=0'], { timeoutMs: 120_000 });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/llm:\n\s+backend: in-process[\s\S]*completions: \d+[\s\S]*tokens_per_second/);
    const missing = await rlft.run(['eval', '--env', 'CartPole-v1', '--policy', 'llm', '--model', join(rlft.dir, 'nothing-here')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no such directory; it takes a model directory/);
  }, 240_000);
});
