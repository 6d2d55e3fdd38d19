export { BlackjackEnv, BLACKJACK_ID, blackjackKwargsSchema, blackjackObservationSpace, HIT, STICK, type BlackjackKwargs, type BlackjackObservation } from './env.js';
export { BlackjackBasicStrategy, basicStrategy } from './expert.js';
export { DECK, handSum, hasUsableAce, isBust, isNatural, showdownScore } from './hand.js';
export { blackjackRegistration } from './registration.js';
