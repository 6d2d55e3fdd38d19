import { Box, Discrete } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, type Completion, type GenerationRequest, type LanguageModelBackend, type SamplingOptions } from './backend.js';
import { LlmPolicy } from './llm-policy.js';
import { buildPrompting } from './prompting.js';
import { ActionParser } from './text/action-parser.js';

/** A backend that answers from a script, one answer per request in order, and remembers what it was asked. */
class ScriptedBackend implements LanguageModelBackend {
  readonly kind = 'scripted';
  readonly modelName = 'script';
  readonly calls: { requests: GenerationRequest[]; sampling: SamplingOptions }[] = [];
  constructor(private readonly answers: string[]) {}
  async generate(requests: readonly GenerationRequest[], sampling: SamplingOptions): Promise<Completion[]> {
    this.calls.push({ requests: [...requests], sampling });
    return requests.map(() => ({ text: this.answers.shift() ?? 'nothing', finishReason: 'stop', tokenCount: 3 }));
  }
}

function policy(answers: string[], retries: number) {
  const env = { envId: 'CartPole-v1', observationSpace: new Box({ low: -1, high: 1, shape: [2] }), actionSpace: new Discrete(2) };
  const prompting = buildPrompting<Float32Array>({}, env);
  const backend = new ScriptedBackend(answers);
  const parser = new ActionParser(prompting.action, { fallback: 'noop' });
  const llm = new LlmPolicy<Float32Array, unknown>({
    backend,
    buildRequest: (obs) => prompting.buildRequest(obs),
    reader: parser,
    sampling: { ...DEFAULT_SAMPLING, stop: prompting.stop },
    retries,
    retryTemperature: 0.7,
    seed: 1,
  });
  return { llm, backend };
}

describe('LlmPolicy', () => {
  it('asks with the prompt and prefix, and reads the answer into an action', async () => {
    const { llm, backend } = policy(['1</action>'], 0);
    expect(await llm.act(new Float32Array([0.1, -0.2]))).toBe(1);
    const request = backend.calls[0]!.requests[0]!;
    expect(request.assistantPrefix).toBe('<action>');
    expect(request.messages.at(-1)!.content).toBe('<observation>0.10000,-0.20000</observation>');
    expect(backend.calls[0]!.sampling.stop).toEqual(['</action>']);
  });

  it('re-asks only the unreadable answers, sampling on retries, then falls back and counts everything', async () => {
    const { llm, backend } = policy(['0</action>', 'oops', 'still bad', 'no'], 1);
    const actions = await llm.actBatch([new Float32Array([0, 0]), new Float32Array([0.5, 0.5]), new Float32Array([1, 1])]);
    // Answers 1–3 go to the three prompts; prompts 2 and 3 failed and are asked again ('no' and the script's default): both fail, so noop (0).
    expect(actions).toEqual([0, 0, 0]);
    expect(backend.calls.map((c) => c.requests.length)).toEqual([3, 2]);
    expect(backend.calls.map((c) => c.sampling.temperature)).toEqual([0, 0.7]);
    expect(backend.calls[0]!.sampling.seed).not.toBe(backend.calls[1]!.sampling.seed);
    const stats = llm.stats();
    expect(stats).toMatchObject({ backend: 'scripted', completions: 5, parsed: 1, failures: 4, retries: 2, fallbacks: 2, generated_tokens: 15 });
  });
});
