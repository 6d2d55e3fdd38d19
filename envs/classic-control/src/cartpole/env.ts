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
import {
  RESET_HIGH,
  RESET_LOW,
  STATE_NAMES,
  STATE_SIZE,
  THETA_THRESHOLD_RADIANS,
  X_THRESHOLD,
  isCartPoleTerminal,
  sampleCartPoleStart,
  stepCartPole,
  writeCartPoleObs,
} from './physics.js';
import { renderCartPoleAnsi, renderCartPoleRgb } from './render.js';

export const CARTPOLE_ID = 'CartPole-v1';

export const cartPoleKwargsSchema = z
  .object({
    sutton_barto_reward: z
      .boolean()
      .default(false)
      .describe('Sutton & Barto reward: 0 per step and -1 on termination, instead of +1 per step including the terminal one'),
  })
  .strict();

export type CartPoleKwargs = z.input<typeof cartPoleKwargsSchema>;

/** [x, ẋ, θ, θ̇] bounds: twice the termination thresholds, unbounded velocities (Gymnasium's). */
export function cartPoleObservationSpace(): Box<'float32'> {
  const high = [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD_RADIANS * 2, Infinity];
  return new Box({ low: high.map((v) => -v), high, dtype: 'float32' });
}

/** Frozen so that one object can be handed out on every step without callers sharing state. */
const EMPTY_INFO: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * A pole balanced on a cart moving along a frictionless track (Gymnasium's CartPole-v1).
 * Action 0 pushes the cart left, 1 right, with a force of 10 N. Reward +1 for every step,
 * including the one that ends the episode; the episode terminates when |x| > 2.4 or
 * |θ| > 12°. Reset: all four state components ~ U(−0.05, 0.05), or U(low, high) with
 * `options: { low, high }`, or exactly `options: { state: [x, ẋ, θ, θ̇] }`.
 */
export class CartPoleEnv extends Env<Float32Array, number> implements StatefulEnv {
  readonly observationSpace = cartPoleObservationSpace();
  readonly actionSpace = new Discrete(2);
  readonly suttonBartoReward: boolean;
  private readonly state = new Float64Array(STATE_SIZE);
  private hasState = false;
  /** Gymnasium's `steps_beyond_terminated`: -1 until the first terminal step (then it counts the extra steps). */
  private stepsBeyondTerminated = -1;

  constructor(kwargs: CartPoleKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    const parsed = parseOptions(cartPoleKwargsSchema, kwargs, CARTPOLE_ID);
    this.suttonBartoReward = parsed.sutton_barto_reward;
    this.metadata = { renderModes: ['ansi', 'rgb_array'], renderFps: 50 };
    this.renderMode = checkRenderMode(this.id, this.metadata.renderModes, options.renderMode);
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    this.seedOnReset(options.seed);
    const start = readStateOption(this.id, options.options, STATE_NAMES);
    if (start) {
      this.state.set(start);
    } else {
      const { low, high } = readResetBounds(this.id, options.options, RESET_LOW, RESET_HIGH);
      sampleCartPoleStart(this.rng, this.state, 0, low, high);
    }
    this.hasState = true;
    this.stepsBeyondTerminated = -1;
    return { obs: this.observation(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (action !== 0 && action !== 1) {
      throw new RangeError(`${this.id}: action must be 0 (push left) or 1 (push right), got ${String(action)}`);
    }
    const terminated = stepCartPole(this.state, 0, action);
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0 : 1;
    } else if (this.stepsBeyondTerminated < 0) {
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1 : 1;
    } else {
      // Stepping on after termination is undefined behaviour in Gymnasium; it pays 0 (or -1).
      this.stepsBeyondTerminated++;
      reward = this.suttonBartoReward ? -1 : 0;
    }
    return { obs: this.observation(), reward, terminated, truncated: false, info: EMPTY_INFO };
  }

  /** A copy of [x, ẋ, θ, θ̇] in float64. */
  getState(): Float64Array {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: there is no state before the first reset()`);
    return this.state.slice();
  }

  /**
   * Continue from [x, ẋ, θ, θ̇]. A terminal state counts as already terminated (the next
   * terminal step pays as a step beyond termination), so that a state saved after the end of
   * an episode replays the same way.
   */
  setState(state: ArrayLike<number>): void {
    this.state.set(toStateVector(this.id, state, STATE_NAMES, 'setState(state)'));
    this.hasState = true;
    this.stepsBeyondTerminated = isCartPoleTerminal(this.state) ? 0 : -1;
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode === 'ansi') return renderCartPoleAnsi(this.state);
    if (this.renderMode === 'rgb_array') return renderCartPoleRgb(this.state);
    throw noRenderModeError(this.id, this.metadata.renderModes);
  }

  private observation(): Float32Array {
    const obs = new Float32Array(STATE_SIZE);
    writeCartPoleObs(this.state, 0, obs, 0);
    return obs;
  }
}
