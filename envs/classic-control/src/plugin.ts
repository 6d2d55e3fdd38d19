import { createRequire } from 'node:module';
import { definePlugin } from '@rlft/core';
import { ACROBOT_ID, AcrobotEnv, acrobotKwargsSchema, type AcrobotKwargs } from './acrobot/env.js';
import { CARTPOLE_ID, CartPoleEnv, cartPoleKwargsSchema, type CartPoleKwargs } from './cartpole/env.js';
import { CartPoleVectorEnv } from './cartpole/vector.js';
import { MOUNTAIN_CAR_CONTINUOUS_ID, MountainCarContinuousEnv, mountainCarContinuousKwargsSchema, type MountainCarContinuousKwargs } from './mountain-car/continuous-env.js';
import { MOUNTAIN_CAR_ID, MountainCarEnv, mountainCarKwargsSchema, type MountainCarKwargs } from './mountain-car/discrete-env.js';
import { PENDULUM_ID, PendulumEnv, pendulumKwargsSchema, type PendulumKwargs } from './pendulum/env.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The five Gymnasium classic-control environments, with Gymnasium's time limits and reward thresholds. */
export default definePlugin({
  name: '@rlft/envs-classic',
  version,
  description: 'Classic control: CartPole, Pendulum, MountainCar, MountainCarContinuous, Acrobot (Gymnasium 1.x dynamics)',
  envs: [
    {
      id: CARTPOLE_ID,
      aliases: ['cartpole'],
      entryPoint: (kwargs) => new CartPoleEnv(kwargs as CartPoleKwargs),
      vectorEntryPoint: (numEnvs, kwargs, options) => new CartPoleVectorEnv(numEnvs, kwargs as CartPoleKwargs, options),
      kwargsSchema: cartPoleKwargsSchema,
      maxEpisodeSteps: 500,
      rewardThreshold: 475.0,
      description: 'Balance a pole on a cart by pushing it left or right; +1 per step, ends when the pole tips past 12° or the cart leaves ±2.4',
    },
    {
      id: PENDULUM_ID,
      aliases: ['pendulum'],
      entryPoint: (kwargs) => new PendulumEnv(kwargs as PendulumKwargs),
      kwargsSchema: pendulumKwargsSchema,
      maxEpisodeSteps: 200,
      description: 'Swing a pendulum up and hold it upright with a torque in [-2, 2]; reward -(θ² + 0.1·θ̇² + 0.001·u²)',
    },
    {
      id: MOUNTAIN_CAR_ID,
      aliases: ['mountaincar'],
      entryPoint: (kwargs) => new MountainCarEnv(kwargs as MountainCarKwargs),
      kwargsSchema: mountainCarKwargsSchema,
      maxEpisodeSteps: 200,
      rewardThreshold: -110.0,
      description: 'Drive an underpowered car up the right hill by rocking it (push left / none / right); -1 per step',
    },
    {
      id: MOUNTAIN_CAR_CONTINUOUS_ID,
      aliases: ['mountaincar-continuous'],
      entryPoint: (kwargs) => new MountainCarContinuousEnv(kwargs as MountainCarContinuousKwargs),
      kwargsSchema: mountainCarContinuousKwargsSchema,
      maxEpisodeSteps: 999,
      rewardThreshold: 90.0,
      description: 'MountainCar with a continuous force in [-1, 1]; -0.1·a² per step, +100 at the goal',
    },
    {
      id: ACROBOT_ID,
      aliases: ['acrobot'],
      entryPoint: (kwargs) => new AcrobotEnv(kwargs as AcrobotKwargs),
      kwargsSchema: acrobotKwargsSchema,
      maxEpisodeSteps: 500,
      rewardThreshold: -100.0,
      description: 'Swing the end of a two-link pendulum above a line by torquing the middle joint (-1 / 0 / +1); -1 per step',
    },
  ],
});
