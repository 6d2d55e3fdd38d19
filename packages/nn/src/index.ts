export * from './engine.js';
export * from './tree.js';
export * from './optim.js';
export * from './train-step.js';
export * from './half.js';
export * from './safetensors.js';
export * from './safetensors-file.js';
export * from './checkpoint.js';
