import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { Box } from '../spaces/box.js';
import { flatten, flattenSpace, type FlatArray, type FlatDType } from '../spaces/flatten.js';
import type { Space } from '../spaces/space.js';
import { Wrapper } from '../wrapper.js';

/**
 * Turns every observation into one flat vector (Gymnasium's `FlattenObservation`): Box
 * elements row-major, Discrete parts one-hot, Dict and Tuple parts concatenated. The
 * observation space becomes `flattenSpace` of the inner one.
 */
export class FlattenObservation<Act> extends Wrapper<FlatArray, Act, unknown, Act> {
  private readonly innerSpace: Space;
  private readonly space: Box<FlatDType>;

  constructor(env: Env<unknown, Act>) {
    super(env);
    this.innerSpace = env.observationSpace;
    this.space = flattenSpace(this.innerSpace);
  }

  override get observationSpace(): Box<FlatDType> {
    return this.space;
  }

  override reset(options?: ResetOptions): ResetResult<FlatArray> {
    const { obs, info } = this.env.reset(options);
    return { obs: flatten(this.innerSpace, obs), info };
  }

  override step(action: Act): StepResult<FlatArray> {
    const result = this.env.step(action) as StepResult<unknown>;
    // A fresh array each time: callers may keep observations.
    result.obs = flatten(this.innerSpace, result.obs);
    return result as StepResult<FlatArray>;
  }
}
