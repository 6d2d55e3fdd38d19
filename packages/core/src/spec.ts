import type { Env } from './env.js';
import type { OptionsSchema } from './options.js';
import type { VectorEnv, AutoresetMode } from './vector/types.js';
import type { Policy, PolicyEnvContext } from './policy.js';

/** Creates an environment from validated kwargs; may be async (WASM modules load asynchronously). */
export type EnvFactory = (kwargs: Record<string, unknown>) => Env | Promise<Env>;

/** An environment's own batched implementation (Gymnasium's `vector_entry_point`). */
export type VectorEnvFactory = (
  numEnvs: number,
  kwargs: Record<string, unknown>,
  options: { autoresetMode: AutoresetMode; maxEpisodeSteps?: number },
) => VectorEnv | Promise<VectorEnv>;

/**
 * An environment's expert: a policy that plays it well (a solver, a trained checkpoint), used by
 * `--policy expert` and for collecting demonstration data. Every env with one shares that name.
 */
export type ExpertFactory = (context: PolicyEnvContext, options: Record<string, unknown>) => Policy | Promise<Policy>;

/** What a plugin declares to register an environment. */
export interface EnvRegistration {
  /** `namespace/Name-vN`, `Name-vN` or `Name`. */
  id: string;
  entryPoint: EnvFactory;
  vectorEntryPoint?: VectorEnvFactory;
  /** Validates the kwargs users pass to `make` (unknown keys are errors) and fills defaults. */
  kwargsSchema?: OptionsSchema;
  /** Extra kwargs fixed by this registration, passed on top of the schema defaults. */
  kwargs?: Record<string, unknown>;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  nondeterministic?: boolean;
  /**
   * Returns that define a normalised score, 100·(R − min)/(max − min) — D4RL's REF_MIN_SCORE
   * (random) and REF_MAX_SCORE (expert). Datasets collected on the env record them.
   */
  referenceScores?: { min: number; max: number; source: string };
  /** The env's expert policy, if it has one (`rlft eval --policy expert`). */
  expert?: ExpertFactory;
  /** Short names that resolve to this id (`cheetah` → `HalfCheetah-v5`). */
  aliases?: readonly string[];
  description?: string;
}

/** A registration as stored by the registry, with its parsed id and providing plugin. */
export interface EnvSpec extends Readonly<EnvRegistration> {
  readonly namespace: string | undefined;
  readonly name: string;
  readonly version: number | undefined;
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly aliases: readonly string[];
  readonly nondeterministic: boolean;
  /** The plugin that contributed it ('core' for programmatic registrations). */
  readonly plugin: string;
}

const ID_PATTERN = /^(?:(?<namespace>[\w:.-]+)\/)?(?<name>[\w:.-]+?)(?:-v(?<version>\d+))?$/;

export interface ParsedEnvId {
  namespace: string | undefined;
  name: string;
  version: number | undefined;
}

/** Split an id into namespace, name and version (Gymnasium's id grammar). */
export function parseEnvId(id: string): ParsedEnvId {
  const match = ID_PATTERN.exec(id);
  if (!match?.groups) {
    throw new TypeError(`Malformed environment id '${id}'; expected 'namespace/Name-vN', 'Name-vN' or 'Name'`);
  }
  const { namespace, name, version } = match.groups;
  return { namespace, name, version: version === undefined ? undefined : Number(version) };
}

export function formatEnvId({ namespace, name, version }: ParsedEnvId): string {
  return `${namespace ? `${namespace}/` : ''}${name}${version === undefined ? '' : `-v${version}`}`;
}
