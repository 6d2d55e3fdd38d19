import type { Policy } from '@rlft/core';
import { HIT, STICK, type BlackjackObservation } from './env.js';

/**
 * The optimal policy of Sutton & Barto's Figure 5.2 (infinite deck, dealer stands on 17),
 * written as the basic-strategy table it shows:
 * - with a usable ace: hit on 17 or less; on 18 hit when the dealer shows 9, 10 or an ace,
 *   else stick; stick on 19 or more;
 * - without one: hit on 11 or less; on 12 stick when the dealer shows 4–6; on 13–16 stick
 *   when the dealer shows 2–6; stick on 17 or more.
 */
export function basicStrategy(playerSum: number, dealerCard: number, usableAce: boolean): number {
  const dealerWeak = dealerCard >= 2 && dealerCard <= 6;
  if (usableAce) {
    if (playerSum >= 19) return STICK;
    if (playerSum === 18) return dealerCard === 1 || dealerCard >= 9 ? HIT : STICK;
    return HIT;
  }
  if (playerSum >= 17) return STICK;
  if (playerSum >= 13) return dealerWeak ? STICK : HIT;
  if (playerSum === 12) return dealerCard >= 4 && dealerCard <= 6 ? STICK : HIT;
  return HIT;
}

/** Blackjack's expert (`--policy expert`): Sutton & Barto's basic strategy on the observation. */
export class BlackjackBasicStrategy implements Policy<BlackjackObservation, number> {
  readonly id = 'expert';

  act(obs: BlackjackObservation): number {
    return basicStrategy(obs[0], obs[1], obs[2] === 1);
  }
}
