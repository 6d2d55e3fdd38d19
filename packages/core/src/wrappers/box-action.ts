import type { Env } from '../env.js';
import { InvalidActionError, UnsupportedError } from '../errors.js';
import { Box } from '../spaces/box.js';
import { isNumericArrayLike, type DType } from '../spaces/dtype.js';
import { describeValue } from '../spaces/space.js';

/** The inner env's action space, which the Box-action wrappers require. */
export function requireBoxActions(env: Env, wrapper: string): Box<DType> {
  const space = env.actionSpace;
  if (!(space instanceof Box)) {
    throw new UnsupportedError(`${wrapper} needs a Box action space; ${env.id} has ${space.toString()}`);
  }
  return space as Box<DType>;
}

/** Checks the action's shape before a wrapper transforms it, so errors name this wrapper's space. */
export function requireActionArray(envId: string, space: Box<DType>, action: unknown): ArrayLike<number> {
  if (!isNumericArrayLike(action) || action.length !== space.size) {
    throw new InvalidActionError(envId, space.toString(), describeValue(action), `expected an array of ${space.size} numbers`);
  }
  return action;
}
