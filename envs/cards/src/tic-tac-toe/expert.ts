import { Rng, type Policy } from '@rlft/core';
import { minimaxMove } from './minimax.js';

/**
 * TicTacToe's expert: the perfect minimax player on the observation (1 = its own marks). It
 * never loses; among equally good moves it picks with its own generator, reseeded each episode.
 */
export class TicTacToeMinimaxPolicy implements Policy<ArrayLike<number>, number> {
  readonly id = 'expert';
  private rng: Rng;

  constructor(seed?: number) {
    this.rng = Rng.fromSeed(seed);
  }

  reset({ seed }: { seed?: number }): void {
    if (seed !== undefined) this.rng = Rng.fromSeed(seed);
  }

  act(obs: ArrayLike<number>): number {
    return minimaxMove(obs, this.rng);
  }
}
