import {
  evaluatePolicy,
  parseOptions,
  z,
  type Env,
  type EpisodeResult,
  type MakeOptions,
  type PluginHost,
  type PolicyContribution,
  type PolicyStats,
  type SummaryStats,
} from '@rlft/core';

/** One policy's evaluation, as `rlft eval --json` prints it (one line per policy). */
export interface EvaluationSummary {
  env: string;
  policy: string;
  /** Episodes finished: fewer than requested when interrupted. */
  episodes: number;
  seed: number;
  return: SummaryStats;
  length: SummaryStats;
  /** What the policy reported about itself (e.g. a language model's parse failures and tokens/s). */
  policyStats?: PolicyStats;
}

export interface EvaluationRequest {
  envId: string;
  envKwargs: Record<string, unknown>;
  policy: PolicyContribution;
  policyOptions: Record<string, unknown>;
  episodes: number;
  seed: number;
  maxEpisodeSteps?: MakeOptions['maxEpisodeSteps'];
  /** Render mode the env is made with (`rlft eval --record` asks for rgb_array). */
  renderMode?: string;
  /** Wraps the env before the episodes run (the frame recorder of `rlft eval --record`). */
  wrapEnv?(env: Env): Env;
  signal?: AbortSignal;
  onEpisode?(episode: EpisodeResult, index: number): void;
}

const NO_OPTIONS = z.object({}).strict();

/**
 * Validate a policy's options before any environment is built, so a typo fails fast.
 * Policies without a schema take no options.
 */
export function resolvePolicyOptions(policy: PolicyContribution, options: Record<string, unknown>): Record<string, unknown> {
  return parseOptions(policy.optionsSchema ?? NO_OPTIONS, options, `policy '${policy.id}'`);
}

/** Make the env, build the policy for it, run the episodes, and release both. */
export async function evaluateOnEnv(host: PluginHost, request: EvaluationRequest): Promise<EvaluationSummary> {
  const policyOptions = resolvePolicyOptions(request.policy, request.policyOptions);
  const makeOptions: MakeOptions = {
    ...(request.maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps: request.maxEpisodeSteps }),
    ...(request.renderMode === undefined ? {} : { renderMode: request.renderMode }),
  };
  const made = await host.registry.make(request.envId, request.envKwargs, makeOptions);
  const env = request.wrapEnv ? request.wrapEnv(made) : made;
  const envId = env.spec?.id ?? request.envId;
  try {
    const expert = host.expertFor(envId);
    const policy = await request.policy.create(policyOptions, {
      envId,
      ...(env.spec ? { spec: env.spec } : {}),
      ...(expert ? { expert } : {}),
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
      seed: request.seed,
    });
    try {
      const result = await evaluatePolicy(env, policy, {
        episodes: request.episodes,
        seed: request.seed,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onEpisode ? { onEpisode: request.onEpisode } : {}),
      });
      const policyStats = policy.stats?.();
      return {
        env: envId,
        policy: request.policy.id,
        episodes: result.episodes.length,
        seed: request.seed,
        return: result.return,
        length: result.length,
        ...(policyStats ? { policyStats } : {}),
      };
    } finally {
      await policy.close?.();
    }
  } finally {
    env.close();
  }
}

/** The policy that acts from the checkpoints training algorithms write (from `@rlft/policy-mlp`). */
export const CHECKPOINT_POLICY = 'mlp';

export interface CheckpointEvaluationRequest extends Omit<EvaluationRequest, 'policy' | 'policyOptions'> {
  checkpoint: string;
}

/**
 * A trained checkpoint's evaluation: the `mlp` policy acting deterministically (the mode of
 * its action distribution), so the number measures the policy rather than its exploration noise.
 */
export function evaluateCheckpoint(host: PluginHost, request: CheckpointEvaluationRequest): Promise<EvaluationSummary> {
  const { checkpoint, ...rest } = request;
  return evaluateOnEnv(host, { ...rest, policy: host.policy(CHECKPOINT_POLICY), policyOptions: { checkpoint, deterministic: true } });
}

