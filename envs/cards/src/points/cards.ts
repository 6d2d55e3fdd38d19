import type { Rng } from '@rlft/core';
import { isSolvable, type SolveOptions } from './solver.js';

/** Card ranks 1–13: A = 1, 2–10, J = 11, Q = 12, K = 13. */
export const MIN_RANK = 1;
export const MAX_RANK = 13;
const RANK_NAMES = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'];

export function rankName(rank: number): string {
  return RANK_NAMES[rank - 1];
}

export function isFaceCard(rank: number): boolean {
  return rank > 10;
}

/** A card's number in the game: J/Q/K count 10 (the in-distribution rule) or 11/12/13. */
export function cardValue(rank: number, faceCardsAs10: boolean): number {
  return faceCardsAs10 && isFaceCard(rank) ? 10 : rank;
}

export interface DealOptions {
  count: number;
  target: number;
  faceCardsAs10: boolean;
  /** Redraw until at least one card is J, Q or K (the out-of-distribution split). */
  requireFaceCard: boolean;
  solve?: SolveOptions;
}

/** Redraws are bounded so that an impossible target ends in an error instead of a hang. */
export const MAX_DEAL_DRAWS = 10_000;

/** Ranks drawn uniformly from 1–13, redrawn until the hand is solvable (and has a face card when asked). */
export function dealSolvable(rng: Rng, options: DealOptions): number[] {
  for (let draw = 0; draw < MAX_DEAL_DRAWS; draw++) {
    const ranks = Array.from({ length: options.count }, () => rng.integer(MIN_RANK, MAX_RANK));
    if (options.requireFaceCard && !ranks.some(isFaceCard)) continue;
    const values = ranks.map((r) => cardValue(r, options.faceCardsAs10));
    if (isSolvable(values, options.target, options.solve)) return ranks;
  }
  throw new RangeError(
    `no solvable hand of ${options.count} cards for target ${options.target} in ${MAX_DEAL_DRAWS} draws; choose a target the cards can reach`,
  );
}
