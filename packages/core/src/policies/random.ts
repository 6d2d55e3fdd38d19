import type { ActContext, Policy } from '../policy.js';
import { Rng } from '../rng.js';
import type { Space } from '../spaces/space.js';
import { Discrete } from '../spaces/discrete.js';

/** Samples the action space uniformly; uses the env's `action_mask` in info when there is one. */
export class RandomPolicy<Act = unknown> implements Policy<unknown, Act> {
  readonly id = 'random';
  private readonly actionSpace: Space<Act>;
  private rng: Rng;

  constructor(actionSpace: Space<Act>, seed?: number) {
    this.actionSpace = actionSpace;
    this.rng = Rng.fromSeed(seed);
  }

  reset({ seed }: { seed?: number }): void {
    if (seed !== undefined) this.rng = Rng.fromSeed(seed);
  }

  act(_obs: unknown, context?: ActContext): Act {
    const mask = context?.info?.action_mask as ArrayLike<number> | undefined;
    if (mask && this.actionSpace instanceof Discrete) return this.actionSpace.sample(this.rng, mask) as Act;
    return this.actionSpace.sample(this.rng);
  }

  actBatch(observations: readonly unknown[], contexts?: readonly ActContext[]): Act[] {
    return observations.map((obs, i) => this.act(obs, contexts?.[i]));
  }
}
