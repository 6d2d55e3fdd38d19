import {
  Discrete,
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
import { checkRenderMode, noRenderModeError } from '../shared/render-mode.js';
import { readResetBounds, readStateOption, toStateVector } from '../shared/reset-options.js';
import { renderMountainCarAnsi, renderMountainCarRgb } from './render.js';
import { GRAVITY, MAX_POSITION, MAX_SPEED, MIN_POSITION, RESET_HIGH, RESET_LOW, STATE_NAMES, mountainCarObservationSpace } from './track.js';

export const MOUNTAIN_CAR_ID = 'MountainCar-v0';

export const mountainCarKwargsSchema = z
  .object({
    goal_velocity: z.number().finite().default(0).describe('the episode ends at position ≥ 0.5 with a velocity at least this'),
  })
  .strict();

export type MountainCarKwargs = z.input<typeof mountainCarKwargsSchema>;

const FORCE = 0.001;
const GOAL_POSITION = 0.5;
const EMPTY_INFO: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * A car in a valley, too weak to drive straight up the right hill (Gymnasium's
 * MountainCar-v0). Actions: 0 push left, 1 no push, 2 push right. Reward −1 per step; the
 * episode terminates at position ≥ 0.5 with velocity ≥ goal_velocity. Reset: position ~
 * U(−0.6, −0.4) (or U(low, high) with `options: { low, high }`), velocity 0; or exactly
 * `options: { state: [position, velocity] }`.
 */
export class MountainCarEnv extends Env<Float32Array, number> implements StatefulEnv {
  readonly observationSpace = mountainCarObservationSpace();
  readonly actionSpace = new Discrete(3);
  readonly goalVelocity: number;
  private position = 0;
  private velocity = 0;
  private hasState = false;

  constructor(kwargs: MountainCarKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    this.goalVelocity = parseOptions(mountainCarKwargsSchema, kwargs, MOUNTAIN_CAR_ID).goal_velocity;
    this.metadata = { renderModes: ['ansi', 'rgb_array'], renderFps: 30 };
    this.renderMode = checkRenderMode(this.id, this.metadata.renderModes, options.renderMode);
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    this.seedOnReset(options.seed);
    const start = readStateOption(this.id, options.options, STATE_NAMES);
    if (start) {
      this.position = start[0];
      this.velocity = start[1];
    } else {
      const { low, high } = readResetBounds(this.id, options.options, RESET_LOW, RESET_HIGH);
      this.position = this.rng.uniform(low, high);
      this.velocity = 0;
    }
    this.hasState = true;
    return { obs: this.observation(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (action !== 0 && action !== 1 && action !== 2) {
      throw new RangeError(`${this.id}: action must be 0 (push left), 1 (no push) or 2 (push right), got ${String(action)}`);
    }
    let position = this.position;
    let velocity = this.velocity + ((action - 1) * FORCE + Math.cos(3 * position) * -GRAVITY);
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    position = Math.min(Math.max(position + velocity, MIN_POSITION), MAX_POSITION);
    // The left wall is inelastic: a car that hits it stops.
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    this.position = position;
    this.velocity = velocity;
    return { obs: this.observation(), reward: -1.0, terminated, truncated: false, info: EMPTY_INFO };
  }

  /** A copy of [position, velocity]. */
  getState(): Float64Array {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: there is no state before the first reset()`);
    return Float64Array.of(this.position, this.velocity);
  }

  setState(state: ArrayLike<number>): void {
    [this.position, this.velocity] = toStateVector(this.id, state, STATE_NAMES, 'setState(state)');
    this.hasState = true;
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode === 'ansi') return renderMountainCarAnsi(this.position, this.velocity, GOAL_POSITION);
    if (this.renderMode === 'rgb_array') return renderMountainCarRgb(this.position, GOAL_POSITION);
    throw noRenderModeError(this.id, this.metadata.renderModes);
  }

  private observation(): Float32Array {
    return Float32Array.of(this.position, this.velocity);
  }
}
