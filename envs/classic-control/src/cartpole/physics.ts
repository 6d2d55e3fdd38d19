import type { Rng } from '@rlft/core';

/**
 * CartPole's physics (Barto, Sutton & Anderson 1983, as in Gymnasium's `cartpole.py`), written
 * once over a Float64Array state [x, x_dot, theta, theta_dot] at an offset, so that the single
 * env and the batched `CartPoleVectorEnv` run the same arithmetic and agree bit for bit.
 */

export const GRAVITY = 9.8;
export const MASS_CART = 1.0;
export const MASS_POLE = 0.1;
export const TOTAL_MASS = MASS_POLE + MASS_CART;
/** Half the pole's length (Gymnasium's `length`). */
export const HALF_POLE_LENGTH = 0.5;
export const POLE_MASS_LENGTH = MASS_POLE * HALF_POLE_LENGTH;
export const FORCE_MAG = 10.0;
/** Seconds per step. */
export const TAU = 0.02;
/** 12 degrees, written as Gymnasium computes it (12 · 2π / 360). */
export const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
export const X_THRESHOLD = 2.4;
export const RESET_LOW = -0.05;
export const RESET_HIGH = 0.05;
export const STATE_SIZE = 4;
export const STATE_NAMES = ['x', 'x_dot', 'theta', 'theta_dot'] as const;

const FOUR_THIRDS = 4.0 / 3.0;

/**
 * One explicit-Euler step of the state at `offset` with action 0 (push left) or 1 (push
 * right); returns whether the new state is terminal. The operation order is Gymnasium's, so
 * the float64 results are the same: positions move with the old velocities, then the
 * velocities with the accelerations.
 */
export function stepCartPole(state: Float64Array, offset: number, action: number): boolean {
  const x = state[offset];
  const xDot = state[offset + 1];
  const theta = state[offset + 2];
  const thetaDot = state[offset + 3];
  const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
  const cosTheta = Math.cos(theta);
  const sinTheta = Math.sin(theta);
  const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
  const thetaAcc =
    (GRAVITY * sinTheta - cosTheta * temp) / (HALF_POLE_LENGTH * (FOUR_THIRDS - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
  const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
  const newX = x + TAU * xDot;
  const newTheta = theta + TAU * thetaDot;
  state[offset] = newX;
  state[offset + 1] = xDot + TAU * xAcc;
  state[offset + 2] = newTheta;
  state[offset + 3] = thetaDot + TAU * thetaAcc;
  return newX < -X_THRESHOLD || newX > X_THRESHOLD || newTheta < -THETA_THRESHOLD_RADIANS || newTheta > THETA_THRESHOLD_RADIANS;
}

/** Whether a state is outside the allowed cart position or pole angle. */
export function isCartPoleTerminal(state: ArrayLike<number>, offset = 0): boolean {
  const x = state[offset];
  const theta = state[offset + 2];
  return x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
}

/** Reset noise: the four components drawn in order from U(low, high), like `np_random.uniform(size=(4,))`. */
export function sampleCartPoleStart(rng: Rng, state: Float64Array, offset: number, low: number, high: number): void {
  state[offset] = rng.uniform(low, high);
  state[offset + 1] = rng.uniform(low, high);
  state[offset + 2] = rng.uniform(low, high);
  state[offset + 3] = rng.uniform(low, high);
}

/** The observation is the state cast to float32 (the typed-array store rounds to nearest, like numpy's astype). */
export function writeCartPoleObs(state: Float64Array, stateOffset: number, obs: Float32Array, obsOffset: number): void {
  obs[obsOffset] = state[stateOffset];
  obs[obsOffset + 1] = state[stateOffset + 1];
  obs[obsOffset + 2] = state[stateOffset + 2];
  obs[obsOffset + 3] = state[stateOffset + 3];
}
