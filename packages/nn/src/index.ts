export * from './engine.js';
export * from './tree.js';
export * from './optim.js';
export * from './train-step.js';
