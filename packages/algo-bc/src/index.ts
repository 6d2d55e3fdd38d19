export * from './config.js';
export * from './bc.js';
export * from './demonstrations.js';
export * from './loss.js';
