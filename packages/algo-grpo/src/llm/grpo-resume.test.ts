import { rmSync } from 'node:fs';
import { parseOptions } from '@rlft/core';
import { loadCheckpoint } from '@rlft/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { abortAfter, classicRegistry, metricsOf, newRun, temporaryRoot, trainContext } from '../../../../test/helpers/training.js';
import { grpoConfigSchema, type GrpoConfig } from './config.js';
import { Grpo } from './grpo.js';

const registry = classicRegistry();
const root = temporaryRoot('grpo-llm-resume');
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Every stored state in play: the warm-up model (the KL reference), old log-probs of two passes, Adam, the prompt and sampling streams.
const config = parseOptions(
  grpoConfigSchema,
  { steps: 4, sft_warmup_steps: 5, system_prompt: false, rewards: { format: 1 }, beta: 0.04, num_iterations: 2, learning_rate: 3e-3, group_size: 4, prompts_per_step: 2, checkpoint_every: 0 },
  'grpo',
) as GrpoConfig;

/** A step's metrics without the timings, which differ between runs. */
function stepMetrics(records: ReturnType<typeof metricsOf>): Record<string, unknown>[] {
  return records
    .filter((r) => typeof r['rewards/mean'] === 'number')
    .map((r) => Object.fromEntries(Object.entries(r).filter(([key]) => key !== 'time' && !key.startsWith('perf/'))));
}

describe('GRPO resume', () => {
  it('continues an interrupted run exactly as if it had not stopped', async () => {
    const straightRun = newRun(root, 'straight', config);
    const straight = await new Grpo(config).train(trainContext(registry, straightRun, { envId: 'CartPole-v1', seed: 3 }));

    const run = newRun(root, 'interrupted', config);
    const { controller, onProgress } = abortAfter(2);
    const first = await new Grpo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 3, signal: controller.signal, onProgress }));
    expect(first.interrupted).toBe(true);
    expect(loadCheckpoint(first.checkpoint!).counters.step).toBe(2);
    const second = await new Grpo(config).train(trainContext(registry, run, { envId: 'CartPole-v1', seed: 3, resumeFrom: first.checkpoint! }));
    expect(second.interrupted).toBe(false);

    expect(stepMetrics(metricsOf(run))).toEqual(stepMetrics(metricsOf(straightRun)));
    const expected = loadCheckpoint(straight.checkpoint!);
    const resumed = loadCheckpoint(second.checkpoint!);
    expect(resumed.counters).toEqual(expected.counters);
    expect([...resumed.tensors.keys()]).toEqual([...expected.tensors.keys()]);
    for (const [name, tensor] of expected.tensors) expect(Array.from(resumed.tensors.get(name)!.data), name).toEqual(Array.from(tensor.data));
  }, 30_000);
});
