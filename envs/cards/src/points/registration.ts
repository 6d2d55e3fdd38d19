import type { EnvRegistration } from '@rlft/core';
import { GeneralPointsExpert } from './expert.js';
import { GENERAL_POINTS_ID, GeneralPointsEnv, generalPointsKwargsSchema, type GeneralPointsKwargs } from './general-points.js';
import { EZ_POINTS_ID, EZPointsEnv, POINTS24_ID, Points24Env, ezPointsKwargsSchema, points24KwargsSchema, type EZPointsKwargs, type Points24Kwargs } from './token-envs.js';
import { TokenPointsExpert } from './token-expert.js';

// No time limits: the envs end their episodes themselves (attempt and token limits).
export const pointsRegistrations: EnvRegistration[] = [
  {
    id: GENERAL_POINTS_ID,
    aliases: ['generalpoints', 'gp'],
    entryPoint: (kwargs) => new GeneralPointsEnv(kwargs as GeneralPointsKwargs),
    kwargsSchema: generalPointsKwargsSchema,
    expert: () => new GeneralPointsExpert(),
    description: '24 points in language: four cards, answer a JSON formula reaching the target; 5 correct, 1 partial, −1/−2/−3 penalties; 5 attempts',
  },
  {
    id: POINTS24_ID,
    aliases: ['points24'],
    entryPoint: (kwargs) => new Points24Env(kwargs as Points24Kwargs),
    kwargsSchema: points24KwargsSchema,
    expert: () => new TokenPointsExpert(),
    description: '24 points token by token: four cards, tokens 1–10 + - * / ( ) =; +10 correct, −1 otherwise; 20 tokens',
  },
  {
    id: EZ_POINTS_ID,
    aliases: ['ezpoints'],
    entryPoint: (kwargs) => new EZPointsEnv(kwargs as EZPointsKwargs),
    kwargsSchema: ezPointsKwargsSchema,
    expert: () => new TokenPointsExpert(),
    description: 'Two cards to 12 token by token: tokens 1–10 + * =; +10 correct, −1 otherwise; 5 tokens',
  },
];
