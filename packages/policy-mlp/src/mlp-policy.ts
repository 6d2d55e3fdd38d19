import { Box, Rng, flatten, spaceFromJSON, type NumericArray, type Policy, type Space } from '@rlft/core';
import { argmax, sampleCategorical, sampleGaussian, type HostTensors } from '@rlft/nn';
import { loadMlpCheckpoint } from './checkpoint.js';
import { HostMlp } from './host-mlp.js';
import { ObservationNormalization } from './obs-normalization.js';
import { assertSpecMatchesSpaces, type MlpPolicySpec } from './spec.js';

export interface MlpPolicyOptions {
  /** Greedy actions (argmax / Gaussian mean) rather than samples. Default true. */
  deterministic?: boolean;
  /** Seed of the sampling generator (stochastic policies); each episode's seed from `reset` replaces it. */
  seed?: number;
}

export interface MlpCheckpointPolicyOptions extends MlpPolicyOptions {
  /** The environment the policy will act in: its spaces must be the ones the policy was trained on. */
  env?: { observationSpace: Space; actionSpace: Space; envId?: string };
}

/** A discrete action (with the space's start) or a continuous one in the Box's dtype, clipped into its bounds. */
export type MlpAction = number | NumericArray;

/**
 * A trained MLP actor as a `Policy`: flattens each observation with the space it was trained
 * on, applies the saved observation normalisation, runs the actor in plain JS and turns its
 * outputs into an action of the env's action space.
 */
export class MlpPolicy implements Policy<unknown, MlpAction> {
  readonly id = 'mlp';
  readonly spec: MlpPolicySpec;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly deterministic: boolean;
  private readonly net: HostMlp;
  private readonly normalization: ObservationNormalization | undefined;
  private rng: Rng;
  private capacity = 0;
  private rawObs = new Float64Array(0);
  private netInput = new Float32Array(0);
  private readonly samples: Float32Array;

  constructor(spec: MlpPolicySpec, tensors: HostTensors, options: MlpPolicyOptions = {}) {
    this.spec = spec;
    this.observationSpace = spaceFromJSON(spec.observationSpace);
    this.actionSpace = spaceFromJSON(spec.actionSpace);
    this.deterministic = options.deterministic ?? true;
    this.rng = Rng.fromSeed(options.seed);
    this.net = new HostMlp(spec, tensors);
    this.normalization = spec.obsNormalization ? ObservationNormalization.fromTensors(tensors, spec.obsNormalization, spec.obsDim) : undefined;
    this.samples = new Float32Array(this.net.actionDim);
  }

  /** Load the policy saved in a checkpoint directory (its spec from `metadata.policy`, the tensors beside it). */
  static async fromCheckpoint(dir: string, options: MlpCheckpointPolicyOptions = {}): Promise<MlpPolicy> {
    const { spec, tensors } = await loadMlpCheckpoint(dir);
    const { env } = options;
    if (env) assertSpecMatchesSpaces(spec, env.observationSpace, env.actionSpace, env.envId ?? 'the environment');
    return new MlpPolicy(spec, tensors, options);
  }

  /** Throw, naming both sides, unless the environment has the spaces this policy was trained on. */
  assertCompatible(observationSpace: Space, actionSpace: Space, envId = 'the environment'): void {
    assertSpecMatchesSpaces(this.spec, observationSpace, actionSpace, envId);
  }

  reset({ seed }: { seed?: number }): void {
    if (seed !== undefined && !this.deterministic) this.rng = Rng.fromSeed(seed);
  }

  act(obs: unknown): MlpAction {
    const outputs = this.forward([obs]);
    return this.decide(outputs, 0);
  }

  actBatch(observations: readonly unknown[]): MlpAction[] {
    if (observations.length === 0) return [];
    const outputs = this.forward(observations);
    const actions: MlpAction[] = [];
    for (let b = 0; b < observations.length; b++) actions.push(this.decide(outputs, b));
    return actions;
  }

  /** Flatten, normalise and run the actor on a batch; returns its [batch, actionDim] outputs. */
  private forward(observations: readonly unknown[]): Float32Array {
    const batch = observations.length;
    const { obsDim } = this.spec;
    if (batch > this.capacity) {
      this.capacity = batch;
      this.rawObs = new Float64Array(batch * obsDim);
      this.netInput = new Float32Array(batch * obsDim);
    }
    // flatten checks each observation's shape; values outside the space's bounds are allowed (envs drift past them).
    for (let b = 0; b < batch; b++) flatten(this.observationSpace, observations[b], this.rawObs, b * obsDim);
    const input = this.normalization ? this.normalization.apply(this.rawObs, batch, this.netInput) : this.rawObs;
    return this.net.actorOutput(input, batch);
  }

  private decide(outputs: Float32Array, row: number): MlpAction {
    const action = this.spec.action;
    if (action.type === 'discrete') {
      const offset = row * action.n;
      const index = this.deterministic ? argmax(outputs, offset, action.n) : sampleCategorical(this.rng, outputs, offset, action.n);
      return action.start + index;
    }
    const mean = outputs.subarray(row * action.dim, (row + 1) * action.dim);
    const chosen = this.deterministic ? mean : sampleGaussian(this.rng, mean, this.net.logStd, this.samples);
    // The Gaussian is unbounded; the env accepts only actions inside the Box (CleanRL's ClipAction).
    return (this.actionSpace as Box).clip(chosen);
  }
}
