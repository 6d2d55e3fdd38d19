/**
 * The acrobot's equations of motion and their integration, as in Gymnasium's `acrobot.py`
 * ("book" dynamics of Sutton & Barto by default, or the NeurIPS 1995 paper's), written with
 * the same operation order so that the float64 results agree.
 */

export const LINK_LENGTH_1 = 1.0;
export const LINK_LENGTH_2 = 1.0;
export const LINK_MASS_1 = 1.0;
export const LINK_MASS_2 = 1.0;
/** Positions of the links' centres of mass. */
export const LINK_COM_POS_1 = 0.5;
export const LINK_COM_POS_2 = 0.5;
/** Moment of inertia of both links. */
export const LINK_MOI = 1.0;
export const MAX_VEL_1 = 4 * Math.PI;
export const MAX_VEL_2 = 9 * Math.PI;
export const DT = 0.2;
const G = 9.8;

export type AcrobotDynamics = 'book' | 'nips';

/**
 * Time derivative of y = [θ1, θ2, θ̇1, θ̇2, torque] into `out` (the torque's derivative is 0).
 */
export function acrobotDerivatives(y: Float64Array, out: Float64Array, dynamics: AcrobotDynamics): void {
  const m1 = LINK_MASS_1;
  const m2 = LINK_MASS_2;
  const l1 = LINK_LENGTH_1;
  const lc1 = LINK_COM_POS_1;
  const lc2 = LINK_COM_POS_2;
  const I1 = LINK_MOI;
  const I2 = LINK_MOI;
  const theta1 = y[0];
  const theta2 = y[1];
  const dtheta1 = y[2];
  const dtheta2 = y[3];
  const a = y[4];
  const cosTheta2 = Math.cos(theta2);
  const sinTheta2 = Math.sin(theta2);
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * cosTheta2) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * cosTheta2) + I2;
  const phi2 = m2 * lc2 * G * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sinTheta2 -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sinTheta2 +
    (m1 * lc1 + m2 * l1) * G * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  let ddtheta2: number;
  if (dynamics === 'nips') {
    ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * lc2 ** 2 + I2 - (d2 * d2) / d1);
  } else {
    ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sinTheta2 - phi2) / (m2 * lc2 ** 2 + I2 - (d2 * d2) / d1);
  }
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  out[0] = dtheta1;
  out[1] = dtheta2;
  out[2] = ddtheta1;
  out[3] = ddtheta2;
  out[4] = 0.0;
}

/** Scratch vectors for one RK4 step (five components: the state plus the torque). */
export interface Rk4Workspace {
  k1: Float64Array;
  k2: Float64Array;
  k3: Float64Array;
  k4: Float64Array;
  probe: Float64Array;
}

export function createRk4Workspace(): Rk4Workspace {
  return {
    k1: new Float64Array(5),
    k2: new Float64Array(5),
    k3: new Float64Array(5),
    k4: new Float64Array(5),
    probe: new Float64Array(5),
  };
}

/**
 * One classical Runge–Kutta step of length `dt` over y = [θ1, θ2, θ̇1, θ̇2, torque], in place
 * (Gymnasium's `rk4` over the time points [0, dt]).
 */
export function rk4Step(y: Float64Array, dt: number, dynamics: AcrobotDynamics, work: Rk4Workspace): void {
  const { k1, k2, k3, k4, probe } = work;
  const halfDt = dt / 2.0;
  acrobotDerivatives(y, k1, dynamics);
  for (let j = 0; j < 5; j++) probe[j] = y[j] + halfDt * k1[j];
  acrobotDerivatives(probe, k2, dynamics);
  for (let j = 0; j < 5; j++) probe[j] = y[j] + halfDt * k2[j];
  acrobotDerivatives(probe, k3, dynamics);
  for (let j = 0; j < 5; j++) probe[j] = y[j] + dt * k3[j];
  acrobotDerivatives(probe, k4, dynamics);
  const sixth = dt / 6.0;
  for (let j = 0; j < 5; j++) y[j] = y[j] + sixth * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
}

/** Gymnasium's `wrap`: shifts x by whole periods until m ≤ x ≤ M. */
export function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

/** Gymnasium's `bound`: x clamped to [m, M]. */
export function bound(x: number, m: number, M: number): number {
  return Math.min(Math.max(x, m), M);
}

/** The goal: the free end is more than one link length above the pivot. */
export function acrobotGoalReached(theta1: number, theta2: number): boolean {
  return -Math.cos(theta1) - Math.cos(theta2 + theta1) > 1.0;
}
