import { createRequire } from 'node:module';
import { definePlugin } from '@rlft/core';
import { ANT_ID, AntEnv, antKwargsSchema, type AntKwargs } from './envs/ant.js';
import { HALF_CHEETAH_ID, HalfCheetahEnv, halfCheetahKwargsSchema, type HalfCheetahKwargs } from './envs/half-cheetah.js';
import { HOPPER_ID, HopperEnv, hopperKwargsSchema, type HopperKwargs } from './envs/hopper.js';
import { INVERTED_PENDULUM_ID, InvertedPendulumEnv, invertedPendulumKwargsSchema, type InvertedPendulumKwargs } from './envs/inverted-pendulum.js';
import { WALKER2D_ID, Walker2dEnv, walker2dKwargsSchema, type Walker2dKwargs } from './envs/walker2d.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Every MuJoCo env runs 1000 steps per episode (Gymnasium's registration). */
const MAX_EPISODE_STEPS = 1000;

/** The five Gymnasium v5 MuJoCo environments, with Gymnasium's time limits and reward thresholds. */
// D4RL's reference returns (d4rl/infos.py), the same for every dataset of an env.
const D4RL = 'D4RL (d4rl/infos.py)';

export default definePlugin({
  name: '@rlft/envs-mujoco',
  version,
  description: 'MuJoCo locomotion on the official WebAssembly build: HalfCheetah, Hopper, Walker2d, InvertedPendulum, Ant (Gymnasium v5)',
  envs: [
    {
      id: HALF_CHEETAH_ID,
      referenceScores: { min: -280.178953, max: 12135.0, source: D4RL },
      aliases: ['cheetah'],
      entryPoint: (kwargs) => HalfCheetahEnv.create(kwargs as HalfCheetahKwargs),
      kwargsSchema: halfCheetahKwargsSchema,
      maxEpisodeSteps: MAX_EPISODE_STEPS,
      rewardThreshold: 4800.0,
      description: 'Make a planar cheetah run forwards with 6 joint torques; reward Δx/dt − 0.1·Σa², never terminates',
    },
    {
      id: HOPPER_ID,
      referenceScores: { min: -20.272305, max: 3234.3, source: D4RL },
      aliases: ['hopper'],
      entryPoint: (kwargs) => HopperEnv.create(kwargs as HopperKwargs),
      kwargsSchema: hopperKwargsSchema,
      maxEpisodeSteps: MAX_EPISODE_STEPS,
      rewardThreshold: 3800.0,
      description: 'Make a one-legged planar robot hop forwards with 3 joint torques; ends when it falls',
    },
    {
      id: WALKER2D_ID,
      referenceScores: { min: 1.629008, max: 4592.3, source: D4RL },
      aliases: ['walker'],
      entryPoint: (kwargs) => Walker2dEnv.create(kwargs as Walker2dKwargs),
      kwargsSchema: walker2dKwargsSchema,
      maxEpisodeSteps: MAX_EPISODE_STEPS,
      description: 'Make a planar biped walk forwards with 6 joint torques; ends when it falls',
    },
    {
      id: INVERTED_PENDULUM_ID,
      entryPoint: (kwargs) => InvertedPendulumEnv.create(kwargs as InvertedPendulumKwargs),
      kwargsSchema: invertedPendulumKwargsSchema,
      maxEpisodeSteps: MAX_EPISODE_STEPS,
      rewardThreshold: 950.0,
      description: 'Keep a pole upright by pushing its cart with a force in [-3, 3]; +1 per step, ends past 0.2 rad',
    },
    {
      id: ANT_ID,
      referenceScores: { min: -325.6, max: 3879.7, source: D4RL },
      entryPoint: (kwargs) => AntEnv.create(kwargs as AntKwargs),
      kwargsSchema: antKwargsSchema,
      maxEpisodeSteps: MAX_EPISODE_STEPS,
      rewardThreshold: 6000.0,
      description: 'Make a four-legged robot walk in +x with 8 joint torques; ends when the torso leaves 0.2–1 m height',
    },
  ],
});
