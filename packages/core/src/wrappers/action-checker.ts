import type { Env, StepResult } from '../env.js';
import { InvalidActionError } from '../errors.js';
import { describeValue } from '../spaces/space.js';
import { Wrapper } from '../wrapper.js';

/**
 * Rejects actions outside the action space (and non-finite numbers) with an error naming the
 * env, the space and the value. `make` applies it unless `disableEnvChecker` is set.
 */
export class ActionChecker<Obs, Act> extends Wrapper<Obs, Act> {
  constructor(env: Env<Obs, Act>) {
    super(env);
  }

  override step(action: Act): StepResult<Obs> {
    const space = this.env.actionSpace;
    // Non-finite values are checked on their own: an unbounded Box contains ±Infinity.
    const nonFinite = nonFiniteReason(action);
    if (nonFinite !== undefined || !space.contains(action)) {
      const reason = nonFinite ?? space.explainNotContained(action) ?? `${describeValue(action)} is not in the space`;
      throw new InvalidActionError(this.id, space.toString(), describeValue(action), reason);
    }
    return this.env.step(action);
  }
}

function nonFiniteReason(action: unknown): string | undefined {
  if (typeof action === 'number') return Number.isFinite(action) ? undefined : `the action ${action} is not a finite number`;
  if (ArrayBuffer.isView(action) || Array.isArray(action)) {
    const values = action as ArrayLike<unknown>;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'number' && !Number.isFinite(v)) return `element ${i} is ${v}, not a finite number`;
    }
  }
  return undefined;
}
