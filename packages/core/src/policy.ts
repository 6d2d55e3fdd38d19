import type { Info } from './env.js';
import type { Rng } from './rng.js';
import type { Space } from './spaces/space.js';
import type { EnvSpec, ExpertFactory } from './spec.js';

/** What a policy may know about the step it acts in. */
export interface ActContext {
  /** The info returned with `obs`. */
  info?: Info;
  /** Step index within the episode (0 for the first action). */
  step?: number;
}

/**
 * Maps observations to actions. `act` may be async (language models behind an HTTP server);
 * callers await only when a Promise comes back, so synchronous policies stay fast.
 */
export interface Policy<Obs = unknown, Act = unknown> {
  /** Short name used in logs and results: 'random', 'constant', 'mlp', 'llm', … */
  readonly id: string;
  /** Called at the start of every episode with that episode's seed. */
  reset?(options: { seed?: number }): void | Promise<void>;
  act(obs: Obs, context?: ActContext): Act | Promise<Act>;
  /** Batched form: one action per observation (for vector envs and batched generation). */
  actBatch?(observations: readonly Obs[], contexts?: readonly ActContext[]): Act[] | Promise<Act[]>;
  close?(): void | Promise<void>;
  /**
   * Diagnostics gathered while acting, as plain JSON (a language model's parse failures and
   * tokens/s); `rlft eval` prints them after the returns.
   */
  stats?(): PolicyStats;
}

/** A policy's own diagnostics: named numbers, or groups of them. */
export type PolicyStats = Record<string, number | string | Record<string, number>>;

/** What a policy factory is told about the environment it will act in. */
export interface PolicyEnvContext {
  envId: string;
  observationSpace: Space;
  actionSpace: Space;
  /** The env's registration (gives access to its expert, time limit, …) when made through a registry. */
  spec?: EnvSpec;
  /** The env's expert as the host resolved it (a contributed one, else `spec.expert`). */
  expert?: ExpertFactory;
  /** Seed for any randomness the policy owns. */
  seed?: number;
  rng?: Rng;
}
