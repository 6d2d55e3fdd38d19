import { basename, resolve } from 'node:path';
import type { EnvSpec, PluginHost, PolicyContribution } from '@rlft/core';
import { DatasetWriter, type DatasetMetadata } from '@rlft/data';
import { resolvePolicyOptions } from './evaluation.js';

export interface CollectRequest {
  envId: string;
  envKwargs: Record<string, unknown>;
  policy: PolicyContribution;
  policyOptions: Record<string, unknown>;
  episodes: number;
  /** Episode i is reset with seed + i. */
  seed: number;
  /** Final dataset directory. */
  out: string;
  datasetId: string;
  refMinScore?: number;
  refMaxScore?: number;
  signal?: AbortSignal;
  onEpisode?(index: number, episodeReturn: number, length: number): void;
}

export interface CollectResult {
  /** Undefined when interrupted: nothing was written. */
  metadata?: DatasetMetadata;
  episodes: number;
  steps: number;
}

/** The registration as Gymnasium's EnvSpec JSON, the form Minari keeps in `env_spec`. */
export function envSpecJSON(spec: EnvSpec, kwargs: Record<string, unknown>): Record<string, unknown> {
  return {
    id: spec.id,
    entry_point: null,
    reward_threshold: spec.rewardThreshold ?? null,
    nondeterministic: spec.nondeterministic ?? false,
    max_episode_steps: spec.maxEpisodeSteps ?? null,
    order_enforce: true,
    disable_env_checker: false,
    kwargs: { ...(spec.kwargs ?? {}), ...kwargs },
    additional_wrappers: [],
    vector_entry_point: null,
  };
}

// Envs may hand out the same typed array every step, so each row is copied before it is kept.
function keep<T>(value: T): T {
  return (ArrayBuffer.isView(value) ? (value as unknown as Float64Array).slice() : value) as T;
}

/**
 * Runs `episodes` episodes of a policy and writes them as a Minari dataset. The writer stages
 * everything in a hidden folder and renames it into place only when all episodes are done, so
 * an interrupted collection leaves no dataset behind.
 */
export async function collectDataset(host: PluginHost, request: CollectRequest): Promise<CollectResult> {
  const policyOptions = resolvePolicyOptions(request.policy, request.policyOptions);
  const env = await host.registry.make(request.envId, request.envKwargs);
  const spec = env.spec ?? host.registry.spec(request.envId);
  const envId = spec.id;
  let writer: DatasetWriter | undefined;
  try {
    const expert = host.expertFor(envId);
    const policy = await request.policy.create(policyOptions, {
      envId,
      spec,
      ...(expert ? { expert } : {}),
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
      seed: request.seed,
    });
    try {
      writer = await DatasetWriter.create({ path: request.out, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
      for (let i = 0; i < request.episodes; i++) {
        if (request.signal?.aborted) break;
        const seed = request.seed + i;
        const pending = policy.reset?.({ seed });
        if (pending) await pending;
        let { obs, info } = env.reset({ seed });
        const observations: unknown[] = [keep(obs)];
        const actions: unknown[] = [];
        const rewards: number[] = [];
        const terminations: boolean[] = [];
        const truncations: boolean[] = [];
        for (;;) {
          const chosen = policy.act(obs, { info, step: rewards.length });
          const action = chosen instanceof Promise ? await chosen : chosen;
          actions.push(keep(action));
          const result = env.step(action);
          observations.push(keep(result.obs));
          rewards.push(result.reward);
          terminations.push(result.terminated);
          truncations.push(result.truncated);
          if (result.terminated || result.truncated) break;
          obs = result.obs;
          info = result.info;
        }
        writer.addEpisode({ observations, actions, rewards, terminations, truncations, seed });
        request.onEpisode?.(i, rewards.reduce((sum, r) => sum + r, 0), rewards.length);
        // Let a SIGINT handler run between episodes even when env and policy never yield.
        if (request.signal) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const episodes = writer.totalEpisodes;
      const steps = writer.totalSteps;
      if (request.signal?.aborted || episodes === 0) {
        writer.abort();
        writer = undefined;
        return { episodes, steps };
      }
      const metadata = writer.finish({
        dataset_id: request.datasetId,
        env_spec: envSpecJSON(spec, request.envKwargs),
        algorithm_name: request.policy.id,
        author: 'rlft',
        ...(request.refMinScore !== undefined ? { ref_min_score: request.refMinScore } : {}),
        ...(request.refMaxScore !== undefined ? { ref_max_score: request.refMaxScore } : {}),
      });
      writer = undefined;
      return { metadata, episodes, steps };
    } finally {
      writer?.abort();
      await policy.close?.();
    }
  } finally {
    env.close();
  }
}

/** `cartpole-expert` or `CartPole-v1` → a valid Minari id such as `cartpole-expert-v0`. */
export function defaultDatasetId(out: string): string {
  const name = basename(resolve(out)).replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/-+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'dataset';
  return /-v\d+$/.test(name) ? name : `${name}-v0`;
}
