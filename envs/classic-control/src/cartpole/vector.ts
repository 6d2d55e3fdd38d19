import {
  AUTORESET_MODES,
  Box,
  Discrete,
  MultiDiscrete,
  ResetNeededError,
  Rng,
  parseOptions,
  type AutoresetMode,
  type VectorEnv,
  type VectorInfo,
  type VectorResetOptions,
  type VectorResetResult,
  type VectorStepResult,
} from '@rlft/core';
import { readResetBounds } from '../shared/reset-options.js';
import { CARTPOLE_ID, cartPoleKwargsSchema, cartPoleObservationSpace, type CartPoleKwargs } from './env.js';
import { RESET_HIGH, RESET_LOW, STATE_SIZE, sampleCartPoleStart, stepCartPole, writeCartPoleObs } from './physics.js';

export interface CartPoleVectorOptions {
  /** What happens when an episode ends (default 'next-step', as in Gymnasium 1.x). */
  autoresetMode?: AutoresetMode;
  /** Time limit applied inside: `truncations[i]` is set at this many steps (default 500, CartPole-v1's). */
  maxEpisodeSteps?: number;
}

const EMPTY_INFOS: VectorInfo = Object.freeze({}) as VectorInfo;
const OBS_SIZE = STATE_SIZE;

/**
 * N CartPole-v1 environments stepped together in one tight loop (Gymnasium's
 * `CartPoleVectorEnv`, with the autoreset modes of its `SyncVectorEnv`). Env i is seeded with
 * seed + i and uses the same physics function and reset sampling as `CartPoleEnv`, so each
 * sub-env's trajectory is the single env's, bit for bit.
 *
 * For speed nothing is allocated per step: `reset` and `step` return the same result object
 * and the same arrays every time (observations Float32Array(N·4), rewards, terminations,
 * truncations), overwritten by the next call. Copy what you want to keep, as with
 * Gymnasium's vector envs created with `copy=False`.
 *
 * - 'next-step': the step after an episode ends resets that env (its action is ignored) and
 *   reports reward 0 with no termination or truncation.
 * - 'same-step': the ending env is reset within the step; `infos.final_obs[i]` holds its final
 *   observation (a view, also overwritten next step), `infos.final_info` its final info, with
 *   masks `_final_obs` / `_final_info`. `infos` is a shared empty object on steps where nothing ended.
 * - 'disabled': the caller resets ended envs with `reset({ mask })`; stepping one first is an error.
 */
export class CartPoleVectorEnv implements VectorEnv<Float32Array, ArrayLike<number>> {
  readonly numEnvs: number;
  readonly singleObservationSpace = cartPoleObservationSpace();
  readonly singleActionSpace = new Discrete(2);
  readonly observationSpace: Box<'float32'>;
  readonly actionSpace: MultiDiscrete;
  readonly autoresetMode: AutoresetMode;
  readonly maxEpisodeSteps: number;
  readonly suttonBartoReward: boolean;

  /** Interleaved [x, ẋ, θ, θ̇] per env, so env i's state starts at 4·i (the layout `stepCartPole` reads). */
  private readonly state: Float64Array;
  private readonly obs: Float32Array;
  private readonly rewards: Float64Array;
  private readonly terminations: Uint8Array;
  private readonly truncations: Uint8Array;
  private readonly elapsedSteps: Int32Array;
  /** 1 where the last step ended the episode: reset next step ('next-step') or required ('disabled'). */
  private readonly ended: Uint8Array;
  private readonly rngs: (Rng | undefined)[];
  private resetLow = RESET_LOW;
  private resetHigh = RESET_HIGH;
  private hasReset = false;

  // Same-step bookkeeping, allocated once.
  private readonly finalObsBuffer: Float32Array;
  private readonly finalObsViews: Float32Array[];
  private readonly finalObs: (Float32Array | null)[];
  private readonly finalObsMask: Uint8Array;
  private readonly finalInfoMask: Uint8Array;
  private readonly finalInfos: VectorInfo;
  private finalMarksSet = false;

  private readonly result: VectorStepResult<Float32Array>;

  constructor(numEnvs: number, kwargs: CartPoleKwargs = {}, options: CartPoleVectorOptions = {}) {
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) {
      throw new RangeError(`CartPoleVectorEnv needs a positive integer number of envs, got ${numEnvs}`);
    }
    const autoresetMode = options.autoresetMode ?? 'next-step';
    if (!AUTORESET_MODES.includes(autoresetMode)) {
      throw new RangeError(`CartPoleVectorEnv: unknown autoreset mode '${String(autoresetMode)}'; allowed: ${AUTORESET_MODES.join(', ')}`);
    }
    const maxEpisodeSteps = options.maxEpisodeSteps ?? 500;
    if (!(Number.isInteger(maxEpisodeSteps) && maxEpisodeSteps > 0) && maxEpisodeSteps !== Infinity) {
      throw new RangeError(`CartPoleVectorEnv: maxEpisodeSteps must be a positive integer (or Infinity for no limit), got ${maxEpisodeSteps}`);
    }
    this.numEnvs = numEnvs;
    this.autoresetMode = autoresetMode;
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.suttonBartoReward = parseOptions(cartPoleKwargsSchema, kwargs, CARTPOLE_ID).sutton_barto_reward;

    const single = this.singleObservationSpace;
    const low = new Float64Array(numEnvs * OBS_SIZE);
    const high = new Float64Array(numEnvs * OBS_SIZE);
    for (let i = 0; i < numEnvs; i++) {
      low.set(single.low, i * OBS_SIZE);
      high.set(single.high, i * OBS_SIZE);
    }
    this.observationSpace = new Box({ low, high, shape: [numEnvs, OBS_SIZE], dtype: 'float32' });
    this.actionSpace = new MultiDiscrete(new Int32Array(numEnvs).fill(2));

    this.state = new Float64Array(numEnvs * STATE_SIZE);
    this.obs = new Float32Array(numEnvs * OBS_SIZE);
    this.rewards = new Float64Array(numEnvs);
    this.terminations = new Uint8Array(numEnvs);
    this.truncations = new Uint8Array(numEnvs);
    this.elapsedSteps = new Int32Array(numEnvs);
    this.ended = new Uint8Array(numEnvs);
    this.rngs = new Array<Rng | undefined>(numEnvs).fill(undefined);

    this.finalObsBuffer = new Float32Array(numEnvs * OBS_SIZE);
    this.finalObsViews = Array.from({ length: numEnvs }, (_, i) => this.finalObsBuffer.subarray(i * OBS_SIZE, (i + 1) * OBS_SIZE));
    this.finalObs = new Array<Float32Array | null>(numEnvs).fill(null);
    this.finalObsMask = new Uint8Array(numEnvs);
    this.finalInfoMask = new Uint8Array(numEnvs);
    // CartPole's own info is empty, so the batched final info has no keys, only its mask.
    this.finalInfos = { final_obs: this.finalObs, _final_obs: this.finalObsMask, final_info: {}, _final_info: this.finalInfoMask };

    this.result = {
      obs: this.obs,
      rewards: this.rewards,
      terminations: this.terminations,
      truncations: this.truncations,
      infos: EMPTY_INFOS,
    };
  }

  /**
   * Resets every env, or only those where `mask[i]` is 1. `seed` seeds env i with seed + i (or
   * takes one seed per env); unseeded envs continue their generators. `options.low` /
   * `options.high` set the reset noise bounds, kept for the automatic resets that follow.
   */
  reset(options: VectorResetOptions = {}): VectorResetResult<Float32Array> {
    const n = this.numEnvs;
    const mask = options.mask;
    if (mask !== undefined && mask.length !== n) {
      throw new RangeError(`CartPoleVectorEnv: reset mask has ${mask.length} entries, expected one per env (${n})`);
    }
    if (!this.hasReset && mask !== undefined && !allSet(mask)) {
      throw new ResetNeededError('CartPoleVectorEnv', 'the first reset() must reset every env (no mask, or a mask of all 1s)');
    }
    if (options.options && options.options.state !== undefined) {
      throw new RangeError("CartPoleVectorEnv: reset option 'state' is not supported; use CartPoleEnv for a given start state, or 'low'/'high' for the noise bounds");
    }
    const seeds = seedsPerEnv(options.seed, n);
    const { low, high } = readResetBounds('CartPoleVectorEnv', options.options, RESET_LOW, RESET_HIGH);
    this.resetLow = low;
    this.resetHigh = high;
    for (let i = 0; i < n; i++) {
      if (mask !== undefined && !mask[i]) continue;
      const seed = seeds?.[i];
      if (seed !== undefined) this.rngs[i] = Rng.fromSeed(seed);
      this.resetEnv(i);
      this.rewards[i] = 0;
      this.terminations[i] = 0;
      this.truncations[i] = 0;
    }
    this.hasReset = true;
    return { obs: this.obs, infos: EMPTY_INFOS };
  }

  /** Steps every env with `actions[i]` ∈ {0, 1}; returns the shared result object (see the class comment). */
  step(actions: ArrayLike<number>): VectorStepResult<Float32Array> {
    if (!this.hasReset) throw new ResetNeededError('CartPoleVectorEnv', 'step() was called before reset()');
    this.checkActions(actions);
    if (this.autoresetMode === 'next-step') this.stepNextStep(actions);
    else if (this.autoresetMode === 'same-step') this.stepSameStep(actions);
    else this.stepDisabled(actions);
    return this.result;
  }

  close(): void {}

  /** A copy of env i's [x, ẋ, θ, θ̇]. */
  getState(index: number): Float64Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.numEnvs) {
      throw new RangeError(`CartPoleVectorEnv: env index must be an integer in [0, ${this.numEnvs - 1}], got ${index}`);
    }
    return this.state.slice(index * STATE_SIZE, (index + 1) * STATE_SIZE);
  }

  private stepNextStep(actions: ArrayLike<number>): void {
    const { obs, rewards, terminations, truncations, ended } = this;
    for (let i = 0, o = 0; i < this.numEnvs; i++, o += STATE_SIZE) {
      if (ended[i] === 1) {
        this.resetEnv(i);
        rewards[i] = 0;
        terminations[i] = 0;
        truncations[i] = 0;
        continue;
      }
      ended[i] = this.stepEnv(i, o, actions[i]) ? 1 : 0;
      writeCartPoleObs(this.state, o, obs, o);
    }
    this.result.infos = EMPTY_INFOS;
  }

  private stepSameStep(actions: ArrayLike<number>): void {
    if (this.finalMarksSet) this.clearFinalMarks();
    for (let i = 0, o = 0; i < this.numEnvs; i++, o += STATE_SIZE) {
      if (this.stepEnv(i, o, actions[i])) {
        writeCartPoleObs(this.state, o, this.finalObsBuffer, o);
        this.finalObs[i] = this.finalObsViews[i];
        this.finalObsMask[i] = 1;
        this.finalInfoMask[i] = 1;
        this.finalMarksSet = true;
        this.resetEnv(i);
      } else {
        writeCartPoleObs(this.state, o, this.obs, o);
      }
    }
    this.result.infos = this.finalMarksSet ? this.finalInfos : EMPTY_INFOS;
  }

  private stepDisabled(actions: ArrayLike<number>): void {
    const { obs, ended } = this;
    for (let i = 0, o = 0; i < this.numEnvs; i++, o += STATE_SIZE) {
      ended[i] = this.stepEnv(i, o, actions[i]) ? 1 : 0;
      writeCartPoleObs(this.state, o, obs, o);
    }
    this.result.infos = EMPTY_INFOS;
  }

  /**
   * One physics step of env i (state at offset o) with the time limit; writes its reward and
   * flags and returns whether its episode ended. Shared by the three autoreset loops (small
   * enough for V8 to inline).
   */
  private stepEnv(i: number, o: number, action: number): boolean {
    const terminated = stepCartPole(this.state, o, action);
    const truncated = ++this.elapsedSteps[i] >= this.maxEpisodeSteps;
    this.rewards[i] = terminated ? (this.suttonBartoReward ? -1 : 1) : this.suttonBartoReward ? 0 : 1;
    this.terminations[i] = terminated ? 1 : 0;
    this.truncations[i] = truncated ? 1 : 0;
    return terminated || truncated;
  }

  /** Draws env i's start state from its generator and writes its observation. */
  private resetEnv(i: number): void {
    let rng = this.rngs[i];
    if (rng === undefined) {
      rng = Rng.fromSeed();
      this.rngs[i] = rng;
    }
    const o = i * STATE_SIZE;
    sampleCartPoleStart(rng, this.state, o, this.resetLow, this.resetHigh);
    writeCartPoleObs(this.state, o, this.obs, o);
    this.elapsedSteps[i] = 0;
    this.ended[i] = 0;
  }

  private clearFinalMarks(): void {
    this.finalObs.fill(null);
    this.finalObsMask.fill(0);
    this.finalInfoMask.fill(0);
    this.finalMarksSet = false;
  }

  /** One pass before any env moves, so a bad action leaves every env untouched. */
  private checkActions(actions: ArrayLike<number>): void {
    if (actions === null || typeof actions !== 'object' || actions.length !== this.numEnvs) {
      const got = actions !== null && typeof actions === 'object' && typeof actions.length === 'number' ? `${actions.length} actions` : String(actions);
      throw new RangeError(`CartPoleVectorEnv: step() needs one action per env (${this.numEnvs}), got ${got}`);
    }
    const checkEnded = this.autoresetMode === 'disabled';
    for (let i = 0; i < this.numEnvs; i++) {
      const a = actions[i];
      if (a !== 0 && a !== 1) {
        throw new RangeError(`CartPoleVectorEnv: action for env ${i} must be 0 (push left) or 1 (push right), got ${String(a)}`);
      }
      if (checkEnded && this.ended[i] === 1) {
        throw new ResetNeededError('CartPoleVectorEnv', `env ${i}'s episode ended and autoreset is disabled; reset it with reset({ mask }) before stepping`);
      }
    }
  }
}

function allSet(mask: ArrayLike<number>): boolean {
  for (let i = 0; i < mask.length; i++) if (!mask[i]) return false;
  return true;
}

/** Gymnasium's vector seeding: one seed → seed + i; a list → one per env (undefined keeps the generator). */
function seedsPerEnv(seed: VectorResetOptions['seed'], numEnvs: number): readonly (number | undefined)[] | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed === 'number') return Array.from({ length: numEnvs }, (_, i) => seed + i);
  if (seed.length !== numEnvs) {
    throw new RangeError(`CartPoleVectorEnv: reset got ${seed.length} seeds for ${numEnvs} envs; pass one seed (env i gets seed + i) or one per env`);
  }
  return seed;
}
