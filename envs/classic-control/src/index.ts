export { CartPoleEnv, CARTPOLE_ID, cartPoleKwargsSchema, cartPoleObservationSpace, type CartPoleKwargs } from './cartpole/env.js';
export { CartPoleVectorEnv, type CartPoleVectorOptions } from './cartpole/vector.js';
export { stepCartPole, sampleCartPoleStart, isCartPoleTerminal } from './cartpole/physics.js';
export { PendulumEnv, PENDULUM_ID, pendulumKwargsSchema, type PendulumKwargs } from './pendulum/env.js';
export { angleNormalize } from './pendulum/angle.js';
export { MountainCarEnv, MOUNTAIN_CAR_ID, mountainCarKwargsSchema, type MountainCarKwargs } from './mountain-car/discrete-env.js';
export {
  MountainCarContinuousEnv,
  MOUNTAIN_CAR_CONTINUOUS_ID,
  mountainCarContinuousKwargsSchema,
  type MountainCarContinuousKwargs,
} from './mountain-car/continuous-env.js';
export { AcrobotEnv, ACROBOT_ID, acrobotKwargsSchema, type AcrobotKwargs } from './acrobot/env.js';
export { default as classicControlPlugin } from './plugin.js';
export { default } from './plugin.js';
