import type { Policy } from '@rlft/core';
import { MOVE_LEFT, MOVE_RIGHT } from './env.js';

/** NumberLine's expert: step toward the target (right when level, which cannot happen before the episode ends). */
export class NumberLineExpert implements Policy<ArrayLike<number>, number> {
  readonly id = 'expert';

  act(obs: ArrayLike<number>): number {
    return obs[1] < obs[0] ? MOVE_LEFT : MOVE_RIGHT;
  }
}
