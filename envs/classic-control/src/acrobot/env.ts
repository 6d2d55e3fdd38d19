import {
  Box,
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
import { DT, MAX_VEL_1, MAX_VEL_2, acrobotGoalReached, bound, createRk4Workspace, rk4Step, wrap } from './dynamics.js';
import { renderAcrobotAnsi, renderAcrobotRgb } from './render.js';

export const ACROBOT_ID = 'Acrobot-v1';

export const acrobotKwargsSchema = z
  .object({
    book_or_nips: z
      .enum(['book', 'nips'])
      .default('book')
      .describe("equations of motion: Sutton & Barto's book (Gymnasium's default) or the NeurIPS 1995 paper"),
    torque_noise_max: z
      .number()
      .finite()
      .nonnegative()
      .default(0)
      .describe('uniform noise in [-max, max] added to the torque each step (0: none)'),
  })
  .strict();

export type AcrobotKwargs = z.input<typeof acrobotKwargsSchema>;

const AVAILABLE_TORQUES = [-1.0, 0.0, 1.0] as const;
const RESET_LOW = -0.1;
const RESET_HIGH = 0.1;
const STATE_NAMES = ['theta1', 'theta2', 'theta1_dot', 'theta2_dot'] as const;
const EMPTY_INFO: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * Two links hanging from a pivot, actuated only at the joint between them (Gymnasium's
 * Acrobot-v1). Actions 0, 1, 2 apply torque −1, 0, +1. Reward −1 per step and 0 on the step
 * that reaches the goal (the free end more than one link length above the pivot:
 * −cos θ1 − cos(θ1 + θ2) > 1), which ends the episode. Reset: all four state components ~
 * U(−0.1, 0.1) rounded to float32 (as Gymnasium stores them), or U(low, high) with
 * `options: { low, high }`, or exactly `options: { state: [θ1, θ2, θ̇1, θ̇2] }`.
 */
export class AcrobotEnv extends Env<Float32Array, number> implements StatefulEnv {
  readonly observationSpace = new Box({ low: [-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2], high: [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2], dtype: 'float32' });
  readonly actionSpace = new Discrete(3);
  readonly dynamics: 'book' | 'nips';
  readonly torqueNoiseMax: number;
  /** [θ1, θ2, θ̇1, θ̇2, torque]: the state augmented with the torque, as the integrator takes it. */
  private readonly augmented = new Float64Array(5);
  private readonly workspace = createRk4Workspace();
  private hasState = false;
  private lastAction: number | undefined;

  constructor(kwargs: AcrobotKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    const parsed = parseOptions(acrobotKwargsSchema, kwargs, ACROBOT_ID);
    this.dynamics = parsed.book_or_nips;
    this.torqueNoiseMax = parsed.torque_noise_max;
    this.metadata = { renderModes: ['ansi', 'rgb_array'], renderFps: 15 };
    this.renderMode = checkRenderMode(this.id, this.metadata.renderModes, options.renderMode);
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    this.seedOnReset(options.seed);
    const start = readStateOption(this.id, options.options, STATE_NAMES);
    if (start) {
      this.augmented.set(start);
    } else {
      const { low, high } = readResetBounds(this.id, options.options, RESET_LOW, RESET_HIGH);
      for (let i = 0; i < 4; i++) this.augmented[i] = Math.fround(this.rng.uniform(low, high));
    }
    this.hasState = true;
    this.lastAction = undefined;
    return { obs: this.observation(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (action !== 0 && action !== 1 && action !== 2) {
      throw new RangeError(`${this.id}: action must be 0 (torque -1), 1 (no torque) or 2 (torque +1), got ${String(action)}`);
    }
    let torque: number = AVAILABLE_TORQUES[action];
    if (this.torqueNoiseMax > 0) torque += this.rng.uniform(-this.torqueNoiseMax, this.torqueNoiseMax);
    const s = this.augmented;
    s[4] = torque;
    rk4Step(s, DT, this.dynamics, this.workspace);
    s[0] = wrap(s[0], -Math.PI, Math.PI);
    s[1] = wrap(s[1], -Math.PI, Math.PI);
    s[2] = bound(s[2], -MAX_VEL_1, MAX_VEL_1);
    s[3] = bound(s[3], -MAX_VEL_2, MAX_VEL_2);
    this.lastAction = action;
    const terminated = acrobotGoalReached(s[0], s[1]);
    return { obs: this.observation(), reward: terminated ? 0.0 : -1.0, terminated, truncated: false, info: EMPTY_INFO };
  }

  /** A copy of [θ1, θ2, θ̇1, θ̇2]. */
  getState(): Float64Array {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: there is no state before the first reset()`);
    return this.augmented.slice(0, 4);
  }

  setState(state: ArrayLike<number>): void {
    this.augmented.set(toStateVector(this.id, state, STATE_NAMES, 'setState(state)'));
    this.hasState = true;
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    const s = this.augmented;
    if (this.renderMode === 'ansi') return renderAcrobotAnsi(s, this.lastAction === undefined ? undefined : AVAILABLE_TORQUES[this.lastAction]);
    if (this.renderMode === 'rgb_array') return renderAcrobotRgb(s);
    throw noRenderModeError(this.id, this.metadata.renderModes);
  }

  private observation(): Float32Array {
    const s = this.augmented;
    return Float32Array.of(Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]);
  }
}
