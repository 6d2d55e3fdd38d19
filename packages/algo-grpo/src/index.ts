export * from './grpo.js';
export { default as grpoPlugin } from './plugin.js';
