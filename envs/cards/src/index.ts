export { default as cardsPlugin } from './plugin.js';
export * from './blackjack/index.js';
export * from './number-line/index.js';
export * from './tic-tac-toe/index.js';
export * from './points/index.js';
