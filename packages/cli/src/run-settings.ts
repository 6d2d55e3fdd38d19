import { InvalidKwargsError, optionKeys, parseOptions, RlftError, z, type AlgorithmContribution } from '@rlft/core';
import { FlagValueError, parseKeyValues } from './key-values.js';
import type { LoadedPreset } from './presets.js';

/** Episodes of the final evaluation unless the preset or --eval-episodes says otherwise. */
export const DEFAULT_EVAL_EPISODES = 10;
/** The final evaluation's first seed: far from the small seeds training runs use. */
export const DEFAULT_EVAL_SEED = 10_000;

/** What `rlft run` flags can set; anything left out comes from the preset or the defaults. */
export interface RunOverrides {
  env?: string;
  algo?: string;
  seed?: number;
  /** `--steps N`: sets `config.total_timesteps`. */
  steps?: number;
  /** `--set key=value` items (dotted keys reach into nested config objects). */
  set?: readonly string[];
  /** `-k key=value` items. */
  kwargs?: readonly string[];
  evalEpisodes?: number;
}

/** One run's settings after the preset and the flags are merged (config not yet validated). */
export interface RunSettings {
  env?: string;
  envKwargs: Record<string, unknown>;
  algo?: string;
  seed: number;
  config: Record<string, unknown>;
  eval: { episodes: number; seed: number };
  /** Where each top-level config key was set: `config/ppo-cartpole.yaml:14`, `--set clip_coef=0.1`, … */
  configOrigins: Map<string, string>;
  /** Remarks for the user (stderr), such as preset values the flags replaced. */
  notes: string[];
}

/**
 * Merge a preset with the command-line flags; flags win. `sameEnv` says whether two env ids
 * name one environment (aliases resolve through the registry): when --env picks another
 * environment than the preset's, the preset's env_kwargs are meant for that one and are dropped.
 */
export function mergeRunSettings(preset: LoadedPreset | undefined, flags: RunOverrides, sameEnv: (a: string, b: string) => boolean): RunSettings {
  const file = preset?.preset ?? {};
  const notes: string[] = [];

  if (flags.algo !== undefined && file.algo !== undefined && flags.algo !== file.algo) {
    throw new FlagValueError(
      `--algo ${flags.algo} conflicts with ${preset!.locate(['algo'])}, a preset for '${file.algo}' whose config is ${file.algo}'s. ` +
        `Drop --algo, or use a preset for ${flags.algo}.`,
    );
  }

  let envKwargs: Record<string, unknown> = { ...file.env_kwargs };
  if (flags.env !== undefined && file.env !== undefined && !sameEnv(flags.env, file.env)) {
    if (Object.keys(envKwargs).length > 0) notes.push(`--env ${flags.env} replaces ${file.env} from ${preset!.file}; its env_kwargs (${Object.keys(envKwargs).join(', ')}) are not used.`);
    envKwargs = {};
  }
  envKwargs = { ...envKwargs, ...parseKeyValues(flags.kwargs, '-k') };

  const config = structuredClone(file.config ?? {});
  const configOrigins = new Map<string, string>(Object.keys(config).map((key) => [key, preset!.locate(['config', key])]));
  for (const [path, value] of Object.entries(parseKeyValues(flags.set, '--set'))) {
    setPath(config, path, value);
    configOrigins.set(path.split('.')[0]!, `--set ${path}=${JSON.stringify(value)}`);
  }
  if (flags.steps !== undefined) {
    if (flags.set?.some((item) => item.startsWith('total_timesteps='))) {
      throw new FlagValueError('--steps and --set total_timesteps=… set the same thing; give one of them');
    }
    config.total_timesteps = flags.steps;
    configOrigins.set('total_timesteps', `--steps ${flags.steps}`);
  }

  const env = flags.env ?? file.env;
  const algo = flags.algo ?? file.algo;
  return {
    ...(env !== undefined ? { env } : {}),
    envKwargs,
    ...(algo !== undefined ? { algo } : {}),
    seed: flags.seed ?? file.seed ?? 0,
    config,
    eval: {
      episodes: flags.evalEpisodes ?? file.eval?.episodes ?? DEFAULT_EVAL_EPISODES,
      seed: file.eval?.seed ?? DEFAULT_EVAL_SEED,
    },
    configOrigins,
    notes,
  };
}

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Set `a.b.c` in a plain object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  if (segments.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s))) {
    throw new FlagValueError(`--set '${path}': a key is a name or dotted names (hidden_sizes, schedule.kind)`);
  }
  let node = target;
  for (const [i, segment] of segments.slice(0, -1).entries()) {
    const next = node[segment];
    if (next === undefined) node[segment] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new FlagValueError(`--set '${path}': '${segments.slice(0, i + 1).join('.')}' is ${JSON.stringify(next)}, not an object with keys`);
    }
    node = node[segment] as Record<string, unknown>;
  }
  node[segments[segments.length - 1]!] = value;
}

/**
 * Validate the merged config with the algorithm's schema (defaults filled in). A failure keeps
 * core's message (each problem, the allowed keys) and adds where each offending key was set.
 */
export function resolveAlgorithmConfig(algorithm: AlgorithmContribution, settings: Pick<RunSettings, 'config' | 'configOrigins'>): Record<string, unknown> {
  try {
    return parseOptions(algorithm.configSchema, settings.config, `algorithm '${algorithm.id}'`);
  } catch (error) {
    if (!(error instanceof InvalidKwargsError)) throw error;
    const origins = offendingKeys(algorithm.configSchema, settings.config)
      .filter((key) => settings.configOrigins.has(key))
      .map((key) => `'${key}' from ${settings.configOrigins.get(key)}`);
    if (origins.length === 0) throw error;
    throw new RlftError(error.code, `${error.message} Set by: ${origins.join('; ')}.`, { cause: error });
  }
}

/** Top-level keys of `config` that the schema rejects: unknown ones and those with bad values. */
function offendingKeys(schema: z.ZodType, config: Record<string, unknown>): string[] {
  const allowed = optionKeys(schema);
  const keys = new Set(allowed.length ? Object.keys(config).filter((key) => !allowed.includes(key)) : []);
  const result = schema.safeParse(config);
  for (const issue of result.success ? [] : result.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) keys.add(key);
    else if (issue.path.length > 0) keys.add(String(issue.path[0]));
  }
  return [...keys];
}
