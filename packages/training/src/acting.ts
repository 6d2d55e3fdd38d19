import { Box, Discrete, type Rng, type Space } from '@rlft/core';

/** What a rollout needs from a policy network on the host (policy-mlp's HostActorCritic fits). */
export interface ActingNetwork {
  /** One action per row of `obs` ([batch, obsDim]); discrete actions include the space's start. */
  act(obs: Float32Array, batch: number, rng: Rng, deterministic: boolean): { actions: Int32Array | Float32Array; logProbs: Float32Array; values?: Float32Array };
  /** V(obs) per row (actor-critic networks only). */
  values?(obs: Float32Array, batch: number): Float32Array;
}

/**
 * How actions are stored for learning and sent to the env: discrete actions as their index
 * (value − start) in one float per step; continuous ones as the raw (unclipped) sample, sent to
 * the env clipped into the box, as CleanRL's ClipAction does.
 */
export class ActionLayout {
  readonly kind: 'discrete' | 'continuous';
  /** Floats per stored action (1 for discrete). */
  readonly size: number;
  readonly start: number;
  private readonly low: Float64Array = new Float64Array(0);
  private readonly high: Float64Array = new Float64Array(0);
  private readonly envActions: Int32Array | Float32Array;

  constructor(space: Space, numEnvs: number) {
    if (space instanceof Discrete) {
      this.kind = 'discrete';
      this.size = 1;
      this.start = space.start;
      this.envActions = new Int32Array(numEnvs);
    } else if (space instanceof Box) {
      this.kind = 'continuous';
      this.size = space.size;
      this.start = 0;
      this.low = space.low;
      this.high = space.high;
      this.envActions = new Float32Array(numEnvs * space.size);
    } else {
      throw new TypeError(`MLP policy-gradient training supports Discrete and Box action spaces, not ${space.toString()}`);
    }
  }

  /** Copy the sampled actions into the stored layout at `offset` (in floats). */
  store(actions: Int32Array | Float32Array, out: Float32Array, offset: number): void {
    if (this.kind === 'discrete') for (let i = 0; i < actions.length; i++) out[offset + i] = actions[i] - this.start;
    else out.set(actions, offset);
  }

  /** The batch to pass to the vector env (reused buffer). */
  forEnv(actions: Int32Array | Float32Array): Int32Array | Float32Array {
    if (this.kind === 'discrete') {
      this.envActions.set(actions);
      return this.envActions;
    }
    const { low, high, size } = this;
    const out = this.envActions as Float32Array;
    for (let i = 0; i < actions.length; i++) {
      const j = i % size;
      const a = actions[i];
      out[i] = a < low[j] ? low[j] : a > high[j] ? high[j] : a;
    }
    return out;
  }
}
