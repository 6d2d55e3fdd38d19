export * from './model/config.js';
export * from './model/init.js';
export * from './model/forward.js';
export * from './http/index.js';
export * from './model/lora.js';
export * from './model/lora-peft.js';
export * from './generation/index.js';
