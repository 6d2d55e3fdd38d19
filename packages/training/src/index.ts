export * from './episode-stats.js';
export * from './normalizers.js';
export * from './observations.js';
export * from './acting.js';
export * from './rollout.js';
