export { NumberLineEnv, NUMBER_LINE_ID, numberLineKwargsSchema, MOVE_LEFT, MOVE_RIGHT, type NumberLineKwargs } from './env.js';
export { NumberLineExpert } from './expert.js';
export { numberLineRegistration } from './registration.js';
