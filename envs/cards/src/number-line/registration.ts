import type { EnvRegistration } from '@rlft/core';
import { NUMBER_LINE_ID, NumberLineEnv, numberLineKwargsSchema, type NumberLineKwargs } from './env.js';
import { NumberLineExpert } from './expert.js';

// The env truncates itself after 2·max_position steps, so the limit follows the kwarg.
export const numberLineRegistration: EnvRegistration = {
  id: NUMBER_LINE_ID,
  aliases: ['numberline'],
  entryPoint: (kwargs) => new NumberLineEnv(kwargs as NumberLineKwargs),
  kwargsSchema: numberLineKwargsSchema,
  expert: () => new NumberLineExpert(),
  description: 'Move left or right along 0..max_position (default 5) to a target; +1 at the target, −1 for a move that does not get closer; 2·max_position steps',
};
