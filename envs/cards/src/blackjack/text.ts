/** Plain-language descriptions of a Blackjack position, for language-model policies. */

export function describePosition(playerSum: number, dealerCard: number, usableAce: boolean): string {
  const ace = usableAce ? 'with a usable ace' : 'with no usable ace';
  const dealer = dealerCard === 1 ? 'an ace' : String(dealerCard);
  return `Your sum is ${playerSum} ${ace}; the dealer shows ${dealer}. Choose 0 to stick or 1 to hit.`;
}

export function describeOutcome(playerSum: number, dealerSum: number | undefined, reward: number): string {
  const verdict = reward > 0 ? `You win (+${reward}).` : reward < 0 ? 'You lose (-1).' : 'It is a draw (0).';
  if (dealerSum === undefined) return `You bust with ${playerSum}. ${verdict}`;
  const dealer = dealerSum > 21 ? `the dealer busts with ${dealerSum}` : `the dealer ends on ${dealerSum}`;
  return `You stick on ${playerSum}; ${dealer}. ${verdict}`;
}
