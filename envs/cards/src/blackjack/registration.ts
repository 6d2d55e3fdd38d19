import type { EnvRegistration } from '@rlft/core';
import { BLACKJACK_ID, BlackjackEnv, blackjackKwargsSchema, type BlackjackKwargs } from './env.js';
import { BlackjackBasicStrategy } from './expert.js';

export const blackjackRegistration: EnvRegistration = {
  id: BLACKJACK_ID,
  aliases: ['blackjack'],
  entryPoint: (kwargs) => new BlackjackEnv(kwargs as BlackjackKwargs),
  kwargsSchema: blackjackKwargsSchema,
  expert: () => new BlackjackBasicStrategy(),
  description: "Blackjack against a dealer who draws to 17, infinite deck (Gymnasium's rules); stick or hit; +1 / 0 / −1, natural and sab payouts as kwargs",
};
