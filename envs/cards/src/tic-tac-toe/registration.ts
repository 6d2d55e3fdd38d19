import type { EnvRegistration } from '@rlft/core';
import { TIC_TAC_TOE_ID, TicTacToeEnv, ticTacToeKwargsSchema, type TicTacToeKwargs } from './env.js';
import { TicTacToeMinimaxPolicy } from './expert.js';

export const ticTacToeRegistration: EnvRegistration = {
  id: TIC_TAC_TOE_ID,
  aliases: ['tictactoe'],
  entryPoint: (kwargs) => new TicTacToeEnv(kwargs as TicTacToeKwargs),
  kwargsSchema: ticTacToeKwargsSchema,
  expert: (context) => new TicTacToeMinimaxPolicy(context.seed),
  description: 'Tic-tac-toe as X or O against a random or perfect minimax opponent; +1 win, −1 loss, 0 draw; occupied cell ends with a penalty; action_mask in info',
};
