import { parseOptions, z } from '@rlft/core';
import { TokenPointsEnv } from './token-game.js';

export const POINTS24_ID = 'Points24-v0';
export const EZ_POINTS_ID = 'EZPoints-v0';

export const points24KwargsSchema = z
  .object({
    target: z.number().int().min(1).max(10_000).default(24).describe('the number the formula must equal'),
    face_cards_as_10: z
      .boolean()
      .default(true)
      .describe('J, Q and K count 10 and number tokens are 1–10; false: they count 11–13 and number tokens are 1–13'),
  })
  .strict();
export type Points24Kwargs = z.input<typeof points24KwargsSchema>;

export const ezPointsKwargsSchema = z
  .object({
    target: z.number().int().min(1).max(10_000).default(12).describe('the number the formula must equal'),
  })
  .strict();
export type EZPointsKwargs = z.input<typeof ezPointsKwargsSchema>;

/** Points24: four cards 1–13, tokens numbers, + − × ÷, parentheses and =; +10 for a correct formula, −1 otherwise, 20 tokens at most. */
export class Points24Env extends TokenPointsEnv {
  constructor(kwargs: Points24Kwargs = {}) {
    const parsed = parseOptions(points24KwargsSchema, kwargs, POINTS24_ID);
    super({
      id: POINTS24_ID,
      cardCount: 4,
      target: parsed.target,
      maxNumber: parsed.face_cards_as_10 ? 10 : 13,
      faceCardsAs10: parsed.face_cards_as_10,
      operators: ['+', '-', '*', '/'],
      parentheses: true,
      maxTokens: 20,
      correctReward: 10,
      invalidReward: -1,
    });
  }
}

/** EZPoints: two cards (J/Q/K count 10), tokens 1–10, + × and =; target 12; +10 for a correct formula, −1 otherwise, 5 tokens at most. */
export class EZPointsEnv extends TokenPointsEnv {
  constructor(kwargs: EZPointsKwargs = {}) {
    const parsed = parseOptions(ezPointsKwargsSchema, kwargs, EZ_POINTS_ID);
    super({
      id: EZ_POINTS_ID,
      cardCount: 2,
      target: parsed.target,
      maxNumber: 10,
      faceCardsAs10: true,
      operators: ['+', '*'],
      parentheses: false,
      maxTokens: 5,
      correctReward: 10,
      invalidReward: -1,
    });
  }
}
