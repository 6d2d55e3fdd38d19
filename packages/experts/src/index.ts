export { default as expertsPlugin, expertCheckpoint } from './plugin.js';
