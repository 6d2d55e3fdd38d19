import type { Env } from './env.js';
import { InvalidKwargsError, RegistrationError, UnknownEnvError, UnsupportedError } from './errors.js';
import { optionKeys, parseOptions } from './options.js';
import { formatEnvId, parseEnvId, type EnvRegistration, type EnvSpec } from './spec.js';
import { closestMatches } from './suggest.js';
import { ActionChecker } from './wrappers/action-checker.js';
import { OrderEnforcing } from './wrappers/order-enforcing.js';
import { TimeLimit } from './wrappers/time-limit.js';
import { makeVectorEnv, type MakeVecOptions } from './vector/make-vec.js';
import type { VectorEnv } from './vector/types.js';

export interface MakeOptions {
  /** Overrides the spec's time limit; `null` disables it. */
  maxEpisodeSteps?: number | null;
  /** One of the env's `metadata.renderModes`. */
  renderMode?: string;
  /** Skip the action checks (the reset/step order is still enforced). */
  disableEnvChecker?: boolean;
}

/**
 * Environment ids → registrations (Gymnasium's registry). `make` is the one way environments
 * are created: it validates kwargs, calls the entry point and applies the standard wrappers.
 */
export class EnvRegistry {
  private readonly specs = new Map<string, EnvSpec>();
  private readonly aliasTargets = new Map<string, string>();

  register(registration: EnvRegistration, plugin = 'core'): EnvSpec {
    const parsed = parseEnvId(registration.id);
    const id = formatEnvId(parsed);
    if (this.specs.has(id)) {
      throw new RegistrationError(`Environment '${id}' is already registered by plugin '${this.specs.get(id)!.plugin}'`);
    }
    if (typeof registration.entryPoint !== 'function') {
      throw new RegistrationError(`Environment '${id}' has no entryPoint function`);
    }
    const maxSteps = registration.maxEpisodeSteps;
    if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps <= 0)) {
      throw new RegistrationError(`Environment '${id}': maxEpisodeSteps must be a positive integer, got ${maxSteps}`);
    }
    const aliases = [...(registration.aliases ?? [])];
    for (const alias of aliases) {
      const owner = this.aliasTargets.get(alias) ?? (this.specs.has(alias) ? alias : undefined);
      if (owner) throw new RegistrationError(`Alias '${alias}' for '${id}' is already taken by '${owner}'`);
    }
    const spec: EnvSpec = Object.freeze({
      ...registration,
      id,
      namespace: parsed.namespace,
      name: parsed.name,
      version: parsed.version,
      kwargs: Object.freeze({ ...(registration.kwargs ?? {}) }),
      aliases: Object.freeze(aliases),
      nondeterministic: registration.nondeterministic ?? false,
      plugin,
    });
    this.specs.set(id, spec);
    for (const alias of aliases) this.aliasTargets.set(alias, id);
    return spec;
  }

  /** Remove a registration and its aliases (used when a plugin is unloaded). */
  unregister(id: string): void {
    const spec = this.spec(id);
    this.specs.delete(spec.id);
    for (const alias of spec.aliases) this.aliasTargets.delete(alias);
  }

  has(id: string): boolean {
    return this.aliasTargets.has(id) || this.specs.has(id);
  }

  /** The registration for an id or alias; an unknown id is an error that suggests the closest ids. */
  spec(id: string): EnvSpec {
    const target = this.aliasTargets.get(id) ?? id;
    const found = this.specs.get(target);
    if (found) return found;
    const near = closestMatches(id, [...this.specs.keys(), ...this.aliasTargets.keys()]);
    // An alias is worth suggesting only when the id it stands for is not suggested already.
    const suggestions = near.filter((name) => !near.includes(this.aliasTargets.get(name) ?? ''));
    throw new UnknownEnvError(id, suggestions, this.versionHint(id));
  }

  /** All registrations, sorted by id. */
  list(): EnvSpec[] {
    return [...this.specs.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Validated kwargs for an id: registration kwargs, then user kwargs, checked by the schema. */
  resolveKwargs(id: string, kwargs: Record<string, unknown> = {}): Record<string, unknown> {
    const spec = this.spec(id);
    const merged = { ...spec.kwargs, ...kwargs };
    if (!spec.kwargsSchema) {
      const unknown = Object.keys(kwargs);
      if (unknown.length) throw new InvalidKwargsError(spec.id, unknown.map((k) => `unknown option '${k}'`), []);
      return merged;
    }
    return parseOptions(spec.kwargsSchema, merged, spec.id);
  }

  /** The kwargs an environment accepts. */
  kwargNames(id: string): string[] {
    return optionKeys(this.spec(id).kwargsSchema);
  }

  /**
   * Create an environment: validated kwargs → entry point → ActionChecker → TimeLimit →
   * OrderEnforcing (outermost, so that stepping after a time-limit truncation is caught too).
   */
  async make<Obs = unknown, Act = unknown>(
    id: string,
    kwargs: Record<string, unknown> = {},
    options: MakeOptions = {},
  ): Promise<Env<Obs, Act>> {
    const spec = this.spec(id);
    const resolved = this.resolveKwargs(id, kwargs);
    let env = (await spec.entryPoint(resolved)) as Env;
    env.spec = { ...spec, kwargs: Object.freeze(resolved) };
    if (options.renderMode !== undefined) {
      const modes = env.metadata.renderModes;
      if (!modes.includes(options.renderMode)) {
        env.close();
        throw new UnsupportedError(
          `${spec.id} has no render mode '${options.renderMode}'; allowed: ${modes.length ? modes.join(', ') : 'none'}`,
        );
      }
      env.renderMode = options.renderMode;
    }
    if (!options.disableEnvChecker) env = new ActionChecker(env);
    const maxSteps = options.maxEpisodeSteps === undefined ? spec.maxEpisodeSteps : options.maxEpisodeSteps;
    if (maxSteps !== null && maxSteps !== undefined) env = new TimeLimit(env, maxSteps);
    env = new OrderEnforcing(env);
    return env as Env<Obs, Act>;
  }

  /**
   * Create a vector environment of `numEnvs` copies (Gymnasium's `make_vec`): the env's own
   * `vectorEntryPoint` when it has one, else `make`'s envs stepped in this thread ('sync') or
   * on worker threads ('async'). See {@link MakeVecOptions}.
   */
  async makeVec<BatchObs = unknown, BatchAct = unknown>(
    id: string,
    numEnvs: number,
    options: MakeVecOptions = {},
  ): Promise<VectorEnv<BatchObs, BatchAct>> {
    return (await makeVectorEnv(this, id, numEnvs, options)) as VectorEnv<BatchObs, BatchAct>;
  }

  private versionHint(id: string): string {
    try {
      const { namespace, name } = parseEnvId(id);
      const versions = [...this.specs.values()].filter((s) => s.name === name && s.namespace === namespace);
      if (versions.length) return ` Registered versions: ${versions.map((s) => s.id).join(', ')}.`;
    } catch {
      // malformed ids get the plain suggestions
    }
    return '';
  }
}
