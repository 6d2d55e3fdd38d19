export { TicTacToeEnv, TIC_TAC_TOE_ID, ticTacToeKwargsSchema, type TicTacToeKwargs, type TicTacToeOpponent, type TicTacToeOptions } from './env.js';
export { TicTacToeMinimaxPolicy } from './expert.js';
export { minimaxMove, moveValues, positionValue } from './minimax.js';
export { LINES, hasLine, swapSides } from './board.js';
export { ticTacToeRegistration } from './registration.js';
