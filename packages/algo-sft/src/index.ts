export * from './config.js';
export * from './data.js';
export * from './sft.js';
