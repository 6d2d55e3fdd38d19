import { describeOptions, type EnvSpec, type OptionDescription, type PluginHost, type SpaceJSON } from '@rlft/core';

/** What `rlft envs list` and `rlft envs info` show about one registered environment. */
export interface EnvDescription {
  id: string;
  aliases: string[];
  plugin: string;
  description?: string;
  /** Short forms such as `Box(-inf, inf, (4,), float32)`; undefined when the env could not be created. */
  observationSpace?: string;
  actionSpace?: string;
  /** The same spaces in their JSON form (Minari's layout). */
  spaces?: { observation: SpaceJSON; action: SpaceJSON };
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  nondeterministic: boolean;
  renderModes?: string[];
  /** Whether `--policy expert` can play it (its own expert or one a plugin contributes). */
  expert: boolean;
  /** The options `-k key=value` accepts, with types, defaults and descriptions. */
  options: OptionDescription[];
  /** Kwargs fixed by the registration itself. */
  registeredKwargs: Record<string, unknown>;
  /** Why the env could not be created with its default options (spaces are then unknown). */
  unavailable?: string;
}

/**
 * Spaces are properties of an env instance, so the env is created once with its default
 * options to read them. An env that cannot be created is still listed, with the reason.
 */
export async function describeEnv(host: PluginHost, spec: EnvSpec): Promise<EnvDescription> {
  const description: EnvDescription = {
    id: spec.id,
    aliases: [...spec.aliases],
    plugin: spec.plugin,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: spec.maxEpisodeSteps } : {}),
    ...(spec.rewardThreshold !== undefined ? { rewardThreshold: spec.rewardThreshold } : {}),
    nondeterministic: spec.nondeterministic,
    expert: host.expertFor(spec.id) !== undefined,
    options: describeOptions(spec.kwargsSchema),
    registeredKwargs: { ...spec.kwargs },
  };
  try {
    const env = await host.registry.make(spec.id);
    try {
      description.observationSpace = env.observationSpace.toString();
      description.actionSpace = env.actionSpace.toString();
      description.spaces = { observation: env.observationSpace.toJSON(), action: env.actionSpace.toJSON() };
      description.renderModes = [...env.metadata.renderModes];
    } finally {
      env.close();
    }
  } catch (error) {
    description.unavailable = error instanceof Error ? error.message : String(error);
  }
  return description;
}
