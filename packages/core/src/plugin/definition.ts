import type { Algorithm } from '../algorithm.js';
import type { OptionsSchema } from '../options.js';
import type { Policy, PolicyEnvContext } from '../policy.js';
import type { RewardFunction } from '../reward.js';
import type { EnvRegistration, ExpertFactory } from '../spec.js';

export type EnvContribution = EnvRegistration;

export interface PolicyContribution {
  /** The name users pass to `--policy`: 'random', 'constant', 'mlp', … */
  id: string;
  description: string;
  optionsSchema?: OptionsSchema;
  create(options: Record<string, unknown>, env: PolicyEnvContext): Policy | Promise<Policy>;
}

export interface AlgorithmContribution {
  /** The name users pass to `--algo`: 'ppo', 'grpo', … */
  id: string;
  description: string;
  configSchema: OptionsSchema;
  create(config: Record<string, unknown>): Algorithm | Promise<Algorithm>;
}

export interface RewardContribution {
  id: string;
  description: string;
  optionsSchema?: OptionsSchema;
  create(options: Record<string, unknown>): RewardFunction | Promise<RewardFunction>;
}

/**
 * An expert policy for an environment registered by any plugin (e.g. a trained checkpoint
 * shipped in a separate package). `rlft eval --policy expert` uses it.
 */
export interface ExpertContribution {
  /** The env id (or alias) it plays. */
  envId: string;
  description: string;
  create: ExpertFactory;
}

/** What a plugin package contributes. Every built-in and third-party package uses this shape. */
export interface RlftPlugin {
  name: string;
  version: string;
  description?: string;
  envs?: readonly EnvContribution[];
  policies?: readonly PolicyContribution[];
  algorithms?: readonly AlgorithmContribution[];
  rewards?: readonly RewardContribution[];
  experts?: readonly ExpertContribution[];
}

/** Identity helper that type-checks a plugin definition. */
export function definePlugin(plugin: RlftPlugin): RlftPlugin {
  return plugin;
}

/**
 * Type-checks an algorithm contribution against its own config schema: `create` receives the
 * schema's parsed output (defaults filled), so algorithms need no casts.
 */
export function defineAlgorithm<Config>(contribution: {
  id: string;
  description: string;
  configSchema: OptionsSchema<Config>;
  create(config: Config): Algorithm | Promise<Algorithm>;
}): AlgorithmContribution {
  return contribution as unknown as AlgorithmContribution;
}
