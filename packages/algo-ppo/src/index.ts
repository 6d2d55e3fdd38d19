export * from './config.js';
export * from './loss.js';
export * from './ppo.js';
export { default as ppoPlugin } from './plugin.js';
