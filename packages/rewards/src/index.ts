export { default as rewardsPlugin } from './plugin.js';
export * from './sample.js';
export * from './action-text.js';
export * from './format.js';
export * from './bc.js';
export * from './env-pool.js';
export * from './env-reward.js';
export * from './length.js';
export * from './task-reward.js';
export * from './compose.js';
export * from './learned/model.js';
export * from './learned/train.js';
export * from './learned/reward.js';
export {
  rewardContributions,
  formatRewardOptionsSchema,
  bcRewardOptionsSchema,
  envRewardOptionsSchema,
  lengthRewardOptionsSchema,
  taskRewardOptionsSchema,
  learnedRewardOptionsSchema,
} from './plugin.js';
