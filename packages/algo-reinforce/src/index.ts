export * from './reinforce.js';
export { default as reinforcePlugin } from './plugin.js';
