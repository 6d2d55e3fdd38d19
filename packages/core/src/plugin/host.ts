import { Container, type ServiceIdentifier } from 'inversify';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { PluginLoadError } from '../errors.js';
import { EnvRegistry } from '../registry.js';
import type { ExpertFactory } from '../spec.js';
import { closestMatches } from '../suggest.js';
import type {
  AlgorithmContribution,
  EnvContribution,
  PolicyContribution,
  RewardContribution,
  ExpertContribution,
  RlftPlugin,
} from './definition.js';
import {
  AlgorithmContributionToken,
  EnvContributionToken,
  EnvRegistryToken,
  PluginToken,
  PolicyContributionToken,
  RewardContributionToken,
  ExpertContributionToken,
  type LoadedPlugin,
} from './tokens.js';
import { RlftError } from '../errors.js';
import type { MakeVecOptions } from '../vector/make-vec.js';
import type { VectorEnv } from '../vector/types.js';

/**
 * A plugin module's default export: the definition itself, or a function of the host's
 * `@rlft/core` API. Third-party packages use the function form so that they never import a
 * second copy of core at run time (`import type` only).
 */
export type PluginModuleExport = RlftPlugin | ((api: typeof import('../index.js')) => RlftPlugin | Promise<RlftPlugin>);

export interface PluginFailure {
  plugin: string;
  error: Error;
}

type Kind = 'policy' | 'algorithm' | 'reward';

/**
 * Loads plugins and binds their contributions into one inversify container. A plugin that
 * fails to load is recorded in `failures` and skipped; it never takes the host down.
 */
export class PluginHost {
  readonly container = new Container();
  readonly failures: PluginFailure[] = [];

  constructor() {
    this.container.bind(EnvRegistryToken).toConstantValue(new EnvRegistry());
  }

  /** A host with the built-in baselines (random and constant policies) already added. */
  static async create(): Promise<PluginHost> {
    const host = new PluginHost();
    const { baselinesPlugin } = await import('../policies/plugin.js');
    await host.add(baselinesPlugin, undefined, baselinesPlugin.name);
    return host;
  }

  get registry(): EnvRegistry {
    return this.container.get(EnvRegistryToken);
  }

  get plugins(): LoadedPlugin[] {
    return this.getAll(PluginToken);
  }

  /** Add a plugin definition (or a function of the core API). Returns false when it failed and was skipped. */
  async add(exported: PluginModuleExport, source?: string, label = source ?? 'plugin'): Promise<boolean> {
    let plugin: RlftPlugin | undefined;
    try {
      plugin = typeof exported === 'function' ? await exported(await import('../index.js')) : exported;
      validatePlugin(plugin, label);
      if (this.plugins.some((p) => p.plugin.name === plugin!.name)) {
        throw new PluginLoadError(plugin.name, 'a plugin with this name is already loaded');
      }
      this.checkIdsAreFree(plugin);
      const registered: string[] = [];
      try {
        for (const env of plugin.envs ?? []) registered.push(this.registry.register(env, plugin.name).id);
      } catch (error) {
        // All of a plugin's envs or none, so that nothing of a failed plugin stays half-loaded.
        for (const id of registered) this.registry.unregister(id);
        throw error;
      }
    } catch (error) {
      this.failures.push({ plugin: plugin?.name ?? label, error: asPluginError(plugin?.name ?? label, error) });
      return false;
    }
    const bind = <T>(token: ServiceIdentifier<T>, items: readonly T[] | undefined): void => {
      for (const item of items ?? []) this.container.bind(token).toConstantValue({ ...item, plugin: plugin.name });
    };
    this.container.bind(PluginToken).toConstantValue({ plugin, ...(source ? { source } : {}) });
    bind(EnvContributionToken, plugin.envs);
    bind(PolicyContributionToken, plugin.policies);
    bind(AlgorithmContributionToken, plugin.algorithms);
    bind(RewardContributionToken, plugin.rewards);
    bind(ExpertContributionToken, plugin.experts);
    return true;
  }

  /** Import a module (package name, path or URL) whose default export is a plugin. */
  async load(specifier: string, label = specifier): Promise<boolean> {
    const url = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
    let exported: unknown;
    try {
      const module = (await import(url)) as { default?: unknown; plugin?: unknown };
      exported = module.default ?? module.plugin;
      if (exported === undefined) throw new Error('the module has no default export (a plugin definition or a function of the core API)');
    } catch (error) {
      this.failures.push({ plugin: label, error: asPluginError(label, error) });
      return false;
    }
    return this.add(exported as PluginModuleExport, url, label);
  }

  /**
   * `registry.makeVec`, with the workers of vectorizationMode 'async' told to import the module
   * this host loaded the env's plugin from (unless `pluginModules` is given).
   */
  async makeVec<BatchObs = unknown, BatchAct = unknown>(
    id: string,
    numEnvs: number,
    options: MakeVecOptions = {},
  ): Promise<VectorEnv<BatchObs, BatchAct>> {
    const spec = this.registry.spec(id);
    const source = this.plugins.find((loaded) => loaded.plugin.name === spec.plugin)?.source;
    const pluginModules = options.pluginModules ?? (options.vectorizationMode === 'async' && source ? [source] : undefined);
    return this.registry.makeVec<BatchObs, BatchAct>(id, numEnvs, { ...options, ...(pluginModules ? { pluginModules } : {}) });
  }

  envs(): (EnvContribution & { plugin: string })[] {
    return this.getAll(EnvContributionToken) as (EnvContribution & { plugin: string })[];
  }

  policies(): (PolicyContribution & { plugin: string })[] {
    return this.getAll(PolicyContributionToken) as (PolicyContribution & { plugin: string })[];
  }

  algorithms(): (AlgorithmContribution & { plugin: string })[] {
    return this.getAll(AlgorithmContributionToken) as (AlgorithmContribution & { plugin: string })[];
  }

  rewards(): (RewardContribution & { plugin: string })[] {
    return this.getAll(RewardContributionToken) as (RewardContribution & { plugin: string })[];
  }

  experts(): (ExpertContribution & { plugin: string })[] {
    return this.getAll(ExpertContributionToken) as (ExpertContribution & { plugin: string })[];
  }

  /**
   * The expert for an env: one contributed by any plugin (matched through aliases, looked up
   * now so that load order does not matter), else the one in the env's own registration.
   */
  expertFor(envId: string): ExpertFactory | undefined {
    const canonical = (id: string): string => (this.registry.has(id) ? this.registry.spec(id).id : id);
    const target = canonical(envId);
    const contributed = this.experts().find((expert) => canonical(expert.envId) === target);
    if (contributed) return contributed.create;
    return this.registry.has(envId) ? this.registry.spec(envId).expert : undefined;
  }

  policy(id: string): PolicyContribution & { plugin: string } {
    return this.find('policy', id, this.policies());
  }

  algorithm(id: string): AlgorithmContribution & { plugin: string } {
    return this.find('algorithm', id, this.algorithms());
  }

  reward(id: string): RewardContribution & { plugin: string } {
    return this.find('reward', id, this.rewards());
  }

  private find<T extends { id: string }>(kind: Kind, id: string, items: T[]): T {
    const found = items.find((item) => item.id === id);
    if (found) return found;
    const known = items.map((item) => item.id);
    const near = closestMatches(id, known);
    const listing = known.length ? `Available: ${known.join(', ')}.` : `No ${kind === 'policy' ? 'policies' : `${kind}s`} are registered yet.`;
    throw new RlftError(
      `UNKNOWN_${kind.toUpperCase()}`,
      `Unknown ${kind} '${id}'.${near.length ? ` Did you mean: ${near.join(', ')}?` : ''} ${listing}`,
    );
  }

  private getAll<T>(token: ServiceIdentifier<T>): T[] {
    return this.container.isBound(token) ? this.container.getAll<T>(token) : [];
  }

  private checkIdsAreFree(plugin: RlftPlugin): void {
    const taken = (kind: Kind, ids: string[], existing: { id: string; plugin: string }[]): void => {
      const seen = new Set<string>();
      for (const id of ids) {
        const owner = existing.find((item) => item.id === id);
        if (owner) throw new PluginLoadError(plugin.name, `its ${kind} '${id}' is already provided by plugin '${owner.plugin}'`);
        if (seen.has(id)) throw new PluginLoadError(plugin.name, `it lists the ${kind} '${id}' twice`);
        seen.add(id);
      }
    };
    taken('policy', (plugin.policies ?? []).map((p) => p.id), this.policies());
    taken('algorithm', (plugin.algorithms ?? []).map((a) => a.id), this.algorithms());
    taken('reward', (plugin.rewards ?? []).map((r) => r.id), this.rewards());
    for (const expert of plugin.experts ?? []) {
      const owner = this.experts().find((e) => e.envId === expert.envId);
      if (owner) throw new PluginLoadError(plugin.name, `its expert for '${expert.envId}' clashes with the one from plugin '${owner.plugin}'`);
    }
    for (const env of plugin.envs ?? []) {
      if (this.registry.has(env.id)) {
        throw new PluginLoadError(plugin.name, `its environment '${env.id}' is already registered by plugin '${this.registry.spec(env.id).plugin}'`);
      }
    }
  }
}

function validatePlugin(plugin: unknown, label: string): asserts plugin is RlftPlugin {
  if (typeof plugin !== 'object' || plugin === null) throw new PluginLoadError(label, 'its export is not a plugin definition object');
  const p = plugin as Partial<RlftPlugin>;
  if (typeof p.name !== 'string' || !p.name) throw new PluginLoadError(label, "the definition has no 'name'");
  if (typeof p.version !== 'string') throw new PluginLoadError(p.name, "the definition has no 'version'");
  for (const key of ['envs', 'policies', 'algorithms', 'rewards', 'experts'] as const) {
    if (p[key] !== undefined && !Array.isArray(p[key])) throw new PluginLoadError(p.name, `'${key}' must be an array`);
  }
}

function asPluginError(name: string, error: unknown): Error {
  if (error instanceof PluginLoadError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PluginLoadError(name, reason, { cause: error });
}
