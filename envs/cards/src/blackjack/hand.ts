/**
 * Blackjack hand arithmetic with Gymnasium's rules: an ace counts 1, or 11 when that does
 * not bust the hand (a "usable" ace); face cards count 10.
 */

/** The infinite deck: one draw is uniform over these 13 values (J, Q, K are the last three tens). */
export const DECK: readonly number[] = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]);

function rawSum(hand: readonly number[]): number {
  let sum = 0;
  for (const card of hand) sum += card;
  return sum;
}

/** An ace that can count 11 without going over 21. */
export function hasUsableAce(hand: readonly number[]): boolean {
  return hand.includes(1) && rawSum(hand) + 10 <= 21;
}

/** The hand's value, counting a usable ace as 11. */
export function handSum(hand: readonly number[]): number {
  const sum = rawSum(hand);
  return hasUsableAce(hand) ? sum + 10 : sum;
}

export function isBust(hand: readonly number[]): boolean {
  return handSum(hand) > 21;
}

/** The value compared at the showdown: 0 for a bust hand. */
export function showdownScore(hand: readonly number[]): number {
  return isBust(hand) ? 0 : handSum(hand);
}

/** An ace and a ten-valued card as the first two cards. */
export function isNatural(hand: readonly number[]): boolean {
  return hand.length === 2 && hand.includes(1) && hand.includes(10);
}
