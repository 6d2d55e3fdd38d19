import type { ServiceIdentifier } from 'inversify';
import type { EnvRegistry } from '../registry.js';
import type { AlgorithmContribution, EnvContribution, ExpertContribution, PolicyContribution, RewardContribution, RlftPlugin } from './definition.js';

/** Extension points: one token per contribution kind; the host multi-binds every contribution. */
export const EnvContributionToken: ServiceIdentifier<EnvContribution> = Symbol.for('rlft.EnvContribution');
export const PolicyContributionToken: ServiceIdentifier<PolicyContribution> = Symbol.for('rlft.PolicyContribution');
export const AlgorithmContributionToken: ServiceIdentifier<AlgorithmContribution> = Symbol.for('rlft.AlgorithmContribution');
export const RewardContributionToken: ServiceIdentifier<RewardContribution> = Symbol.for('rlft.RewardContribution');
export const ExpertContributionToken: ServiceIdentifier<ExpertContribution> = Symbol.for('rlft.ExpertContribution');
export const PluginToken: ServiceIdentifier<LoadedPlugin> = Symbol.for('rlft.Plugin');
export const EnvRegistryToken: ServiceIdentifier<EnvRegistry> = Symbol.for('rlft.EnvRegistry');

/** A plugin the host loaded, and where it came from (a module specifier workers can import again). */
export interface LoadedPlugin {
  plugin: RlftPlugin;
  source?: string;
}
