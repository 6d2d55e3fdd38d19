import { definePlugin, type EnvRegistration } from '@rlft/core';
import { blackjackRegistration } from './blackjack/registration.js';
import { numberLineRegistration } from './number-line/registration.js';
import { pointsRegistrations } from './points/registration.js';
import { ticTacToeRegistration } from './tic-tac-toe/registration.js';

// Each game module exports its registrations; this list is the package's single plugin.
const envs: EnvRegistration[] = [
  blackjackRegistration,
  numberLineRegistration,
  ticTacToeRegistration,
  ...pointsRegistrations,
];

export default definePlugin({
  name: '@rlft/envs-cards',
  version: '0.1.0',
  description: 'Card and puzzle games with language and numeric interfaces',
  envs,
});
