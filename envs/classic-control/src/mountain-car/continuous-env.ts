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
import { readResetBounds, readStateOption, toStateVector } from '../shared/reset-options.js';
import { renderMountainCarAnsi, renderMountainCarRgb } from './render.js';
import { GRAVITY, MAX_POSITION, MAX_SPEED, MIN_POSITION, RESET_HIGH, RESET_LOW, STATE_NAMES, mountainCarObservationSpace } from './track.js';

export const MOUNTAIN_CAR_CONTINUOUS_ID = 'MountainCarContinuous-v0';

export const mountainCarContinuousKwargsSchema = z
  .object({
    goal_velocity: z.number().finite().default(0).describe('the episode ends at position ≥ 0.45 with a velocity at least this'),
  })
  .strict();

export type MountainCarContinuousKwargs = z.input<typeof mountainCarContinuousKwargsSchema>;

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const POWER = 0.0015;
const GOAL_POSITION = 0.45;
const GOAL_REWARD = 100.0;
const EMPTY_INFO: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

// Gymnasium keeps this env's state in a float32 array after every step, and NumPy 2 (NEP 50)
// computes float32 ⊕ Python float in float32, Python float cast to float32 first, comparisons
// included. The step below follows those rules; these are the constants as float32 sees them.
const f32 = Math.fround;
const POWER_F32 = f32(POWER);
const MAX_SPEED_F32 = f32(MAX_SPEED);
const MIN_POSITION_F32 = f32(MIN_POSITION);
const MAX_POSITION_F32 = f32(MAX_POSITION);
const GOAL_POSITION_F32 = f32(GOAL_POSITION);

/**
 * MountainCar with a continuous force (Gymnasium's MountainCarContinuous-v0): action in
 * [−1, 1] (clipped), reward −0.1·a² per step (a unclipped) plus 100 on reaching the goal
 * (position ≥ 0.45 with velocity ≥ goal_velocity), which ends the episode. Reset as in
 * MountainCar-v0: position ~ U(−0.6, −0.4) or U(low, high), velocity 0; or exactly
 * `options: { state: [position, velocity] }`.
 *
 * Like Gymnasium, the state is float64 right after a reset and float32 after every step, and
 * the arithmetic differs slightly between the two. A state given to `setState` or
 * `options.state` counts as float32 when both numbers are float32 values (e.g. one read from
 * `getState()` after a step), otherwise as float64 (e.g. one read right after a reset).
 */
export class MountainCarContinuousEnv extends Env<Float32Array, Float32Array> implements StatefulEnv {
  readonly observationSpace = mountainCarObservationSpace();
  readonly actionSpace = new Box({ low: MIN_ACTION, high: MAX_ACTION, shape: [1], dtype: 'float32' });
  readonly goalVelocity: number;
  private position = 0;
  private velocity = 0;
  /** Whether the state holds float32 values (after a step) rather than float64 (after a reset). */
  private stateIsFloat32 = false;
  private hasState = false;

  constructor(kwargs: MountainCarContinuousKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    this.goalVelocity = parseOptions(mountainCarContinuousKwargsSchema, kwargs, MOUNTAIN_CAR_CONTINUOUS_ID).goal_velocity;
    this.metadata = { renderModes: ['ansi', 'rgb_array'], renderFps: 30 };
    this.renderMode = checkRenderMode(this.id, this.metadata.renderModes, options.renderMode);
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    this.seedOnReset(options.seed);
    const start = readStateOption(this.id, options.options, STATE_NAMES);
    if (start) {
      this.adoptState(start);
    } else {
      const { low, high } = readResetBounds(this.id, options.options, RESET_LOW, RESET_HIGH);
      this.position = this.rng.uniform(low, high);
      this.velocity = 0;
      this.stateIsFloat32 = false;
    }
    this.hasState = true;
    return { obs: this.observation(), info: {} };
  }

  step(action: Float32Array | readonly number[]): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    const a = readFloat32Action(this.id, action);
    const single = this.stateIsFloat32;
    const p0 = this.position;
    const v0 = this.velocity;

    const slope = GRAVITY * Math.cos(single ? f32(3 * p0) : 3 * p0);
    let increment: number;
    if (a > MAX_ACTION || a < MIN_ACTION) {
      // Outside [−1, 1], min/max return the Python float bound, so the increment is a Python float.
      increment = (a > MAX_ACTION ? MAX_ACTION : MIN_ACTION) * POWER - slope;
    } else {
      increment = f32(f32(a * POWER_F32) - f32(slope));
    }
    let velocity = single ? f32(v0 + f32(increment)) : v0 + increment;
    // A value clipped to a bound (or stopped at the wall) is a Python float again, compared in float64.
    let velocityIsFloat32 = single;
    if (velocity > (velocityIsFloat32 ? MAX_SPEED_F32 : MAX_SPEED)) {
      velocity = MAX_SPEED;
      velocityIsFloat32 = false;
    }
    if (velocity < (velocityIsFloat32 ? -MAX_SPEED_F32 : -MAX_SPEED)) {
      velocity = -MAX_SPEED;
      velocityIsFloat32 = false;
    }

    let position = single ? f32(p0 + f32(velocity)) : p0 + velocity;
    let positionIsFloat32 = single;
    if (position > (positionIsFloat32 ? MAX_POSITION_F32 : MAX_POSITION)) {
      position = MAX_POSITION;
      positionIsFloat32 = false;
    }
    if (position < (positionIsFloat32 ? MIN_POSITION_F32 : MIN_POSITION)) {
      position = MIN_POSITION;
      positionIsFloat32 = false;
    }
    // The left wall is inelastic: a car that hits it stops.
    if (position === (positionIsFloat32 ? MIN_POSITION_F32 : MIN_POSITION) && velocity < 0) {
      velocity = 0;
      velocityIsFloat32 = false;
    }

    const terminated =
      position >= (positionIsFloat32 ? GOAL_POSITION_F32 : GOAL_POSITION) &&
      velocity >= (velocityIsFloat32 ? f32(this.goalVelocity) : this.goalVelocity);
    const reward = (terminated ? GOAL_REWARD : 0) - a * a * 0.1;

    this.position = f32(position);
    this.velocity = f32(velocity);
    this.stateIsFloat32 = true;
    return { obs: this.observation(), reward, terminated, truncated: false, info: EMPTY_INFO };
  }

  /** A copy of [position, velocity]. */
  getState(): Float64Array {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: there is no state before the first reset()`);
    return Float64Array.of(this.position, this.velocity);
  }

  setState(state: ArrayLike<number>): void {
    this.adoptState(toStateVector(this.id, state, STATE_NAMES, 'setState(state)'));
    this.hasState = true;
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode === 'ansi') return renderMountainCarAnsi(this.position, this.velocity, GOAL_POSITION);
    if (this.renderMode === 'rgb_array') return renderMountainCarRgb(this.position, GOAL_POSITION);
    throw noRenderModeError(this.id, this.metadata.renderModes);
  }

  private adoptState(state: Float64Array): void {
    this.position = state[0];
    this.velocity = state[1];
    this.stateIsFloat32 = f32(state[0]) === state[0] && f32(state[1]) === state[1];
  }

  private observation(): Float32Array {
    return Float32Array.of(this.position, this.velocity);
  }
}
