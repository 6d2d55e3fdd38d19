export { default as expertsPlugin, expertCheckpoint } from './plugin.js';
export * from './datasets.js';
