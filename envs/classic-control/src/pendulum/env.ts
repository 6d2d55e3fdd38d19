import {
  Box,
  Env,
  ResetNeededError,
  UnsupportedError,
  parseOptions,
  z,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StatefulEnv,
  type StepResult,
} from '@rlft/core';
import { readFloat32Action } from '../shared/actions.js';
import { checkRenderMode, noRenderModeError } from '../shared/render-mode.js';
import { readNumberOption, readStateOption, toStateVector } from '../shared/reset-options.js';
import { angleNormalize } from './angle.js';
import { renderPendulumAnsi, renderPendulumRgb } from './render.js';

export const PENDULUM_ID = 'Pendulum-v1';

export const pendulumKwargsSchema = z
  .object({
    g: z.number().finite().default(10.0).describe('gravitational acceleration (m/s²)'),
  })
  .strict();

export type PendulumKwargs = z.input<typeof pendulumKwargsSchema>;

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const MASS = 1.0;
const LENGTH = 1.0;
/** Default half-widths of the reset noise for θ and θ̇ (Gymnasium's DEFAULT_X / DEFAULT_Y). */
const DEFAULT_X = Math.PI;
const DEFAULT_Y = 1.0;
const STATE_NAMES = ['theta', 'theta_dot'] as const;
const EMPTY_INFO: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

// The torque is a float32 scalar in Gymnasium, and NumPy 2 keeps float32 × Python float in
// float32 (NEP 50): the torque's cost term and its acceleration term are rounded to float32
// before they join the float64 sums. These are those float32 coefficients.
const TORQUE_COST_F32 = Math.fround(0.001);
const TORQUE_GAIN_F32 = Math.fround(3.0 / (MASS * LENGTH ** 2));

/**
 * The inverted pendulum swing-up (Gymnasium's Pendulum-v1): θ = 0 is upright, the action is a
 * torque in [−2, 2]. Reward −(θ² + 0.1·θ̇² + 0.001·u²) with θ normalised to [−π, π); it never
 * terminates (the time limit of 200 steps ends episodes). Reset: θ ~ U(−π, π), θ̇ ~ U(−1, 1),
 * or U(−x_init, x_init) / U(−y_init, y_init) with `options: { x_init, y_init }`, or exactly
 * `options: { state: [θ, θ̇] }`.
 */
export class PendulumEnv extends Env<Float32Array, Float32Array> implements StatefulEnv {
  readonly observationSpace = new Box({ low: [-1, -1, -MAX_SPEED], high: [1, 1, MAX_SPEED], dtype: 'float32' });
  readonly actionSpace = new Box({ low: -MAX_TORQUE, high: MAX_TORQUE, shape: [1], dtype: 'float32' });
  readonly g: number;
  private theta = 0;
  private thetaDot = 0;
  private hasState = false;
  /** The last applied (clipped) torque, for rendering; undefined right after a reset. */
  private lastTorque: number | undefined;

  constructor(kwargs: PendulumKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    this.g = parseOptions(pendulumKwargsSchema, kwargs, PENDULUM_ID).g;
    this.metadata = { renderModes: ['ansi', 'rgb_array'], renderFps: 30 };
    this.renderMode = checkRenderMode(this.id, this.metadata.renderModes, options.renderMode);
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    this.seedOnReset(options.seed);
    const start = readStateOption(this.id, options.options, STATE_NAMES, ['x_init', 'y_init']);
    if (start) {
      this.theta = start[0];
      this.thetaDot = start[1];
    } else {
      const given = options.options ?? {};
      const xHigh = readNumberOption(this.id, given, 'x_init', DEFAULT_X);
      const yHigh = readNumberOption(this.id, given, 'y_init', DEFAULT_Y);
      this.theta = this.rng.uniform(-xHigh, xHigh);
      this.thetaDot = this.rng.uniform(-yHigh, yHigh);
    }
    this.hasState = true;
    this.lastTorque = undefined;
    return { obs: this.observation(), info: {} };
  }

  step(action: Float32Array | readonly number[]): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    const th = this.theta;
    const thDot = this.thetaDot;
    const u = Math.min(Math.max(readFloat32Action(this.id, action), -MAX_TORQUE), MAX_TORQUE);
    this.lastTorque = u;
    const thNorm = angleNormalize(th);
    const torqueCost = Math.fround(TORQUE_COST_F32 * Math.fround(u * u));
    const costs = thNorm * thNorm + 0.1 * (thDot * thDot) + torqueCost;
    const torqueAcc = Math.fround(TORQUE_GAIN_F32 * u);
    let newThDot = thDot + (((3 * this.g) / (2 * LENGTH)) * Math.sin(th) + torqueAcc) * DT;
    newThDot = Math.min(Math.max(newThDot, -MAX_SPEED), MAX_SPEED);
    this.theta = th + newThDot * DT;
    this.thetaDot = newThDot;
    return { obs: this.observation(), reward: -costs, terminated: false, truncated: false, info: EMPTY_INFO };
  }

  /** A copy of [θ, θ̇] (θ not normalised, as Gymnasium keeps it). */
  getState(): Float64Array {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: there is no state before the first reset()`);
    return Float64Array.of(this.theta, this.thetaDot);
  }

  setState(state: ArrayLike<number>): void {
    const [theta, thetaDot] = toStateVector(this.id, state, STATE_NAMES, 'setState(state)');
    this.theta = theta;
    this.thetaDot = thetaDot;
    this.hasState = true;
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode === 'ansi') return renderPendulumAnsi(this.theta, this.thetaDot, this.lastTorque);
    if (this.renderMode === 'rgb_array') return renderPendulumRgb(this.theta, this.lastTorque);
    throw noRenderModeError(this.id, this.metadata.renderModes);
  }

  private observation(): Float32Array {
    return Float32Array.of(Math.cos(this.theta), Math.sin(this.theta), this.thetaDot);
  }
}
