import {
  Box,
  Env,
  InvalidActionError,
  ResetNeededError,
  UnsupportedError,
  type Info,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StatefulEnv,
  type StepResult,
} from '@rlft/core';
import { compileMjcf, readMjcf } from './mjcf.js';
import type { Mujoco } from './module.js';
import { renderSideView, type SideViewOptions } from './render/index.js';
import { MujocoSimulation, type DivergenceWarning } from './simulation.js';
import { readStartState, toStateVector } from './state-vector.js';

/** How the initial qvel is perturbed: Gymnasium's v5 envs use either, scaled by `reset_noise_scale`. */
export type VelocityNoise = 'uniform' | 'normal';

export interface MujocoEnvSettings {
  /** The registered id, for messages before `make` sets the spec. */
  envId: string;
  /** The `xml_file` kwarg: a bundled model name or a path. */
  xmlFile: string;
  frameSkip: number;
  resetNoiseScale: number;
  /** qpos always gets U(−scale, scale); qvel gets U(−scale, scale) or scale·N(0, 1). */
  velocityNoise: VelocityNoise;
  /** Observation length for the compiled model (it may be a user's model with other sizes). */
  observationSize(simulation: MujocoSimulation): number;
  /** The side view drawn in 'rgb_array' mode. */
  camera: SideViewOptions;
}

export interface MujocoEnvOptions {
  renderMode?: string;
}

/** What a subclass reports for one transition. */
export interface Transition {
  reward: number;
  terminated: boolean;
  info: Info;
}

const RENDER_MODES: readonly string[] = ['rgb_array'];

/**
 * A MuJoCo environment with Gymnasium's `MujocoEnv` semantics: the action is written to
 * `data.ctrl` (rounded to float32, not clipped: MuJoCo clamps it to ctrlrange), then
 * `frame_skip` calls of `mj_step` and one `mj_rnePostConstraint`; reset is `mj_resetData`,
 * reset noise on qpos and qvel from `this.rng`, then `mj_forward`. The state is qpos ++ qvel.
 *
 * A step whose simulation diverged (MuJoCo's bad qpos/qvel/qacc warnings, or a non-finite
 * observation) ends the episode with `truncated: true` and `info.unstable: true`, returns the
 * last finite observation and a reward of 0, and refuses further steps until `reset()`.
 */
export abstract class MujocoEnv extends Env<Float64Array, Float32Array> implements StatefulEnv {
  readonly observationSpace: Box<'float64'>;
  readonly actionSpace: Box<'float32'>;
  readonly frameSkip: number;
  /** Control period in seconds: timestep × frame_skip. */
  readonly dt: number;
  readonly resetNoiseScale: number;
  /** The MJCF file the model was compiled from. */
  readonly modelPath: string;
  /** The model and data behind this env (for reading MuJoCo quantities the observation leaves out). */
  readonly simulation: MujocoSimulation;
  /** The model's qpos0 and a zero qvel: where every reset starts before noise. */
  protected readonly initQpos: Float64Array;
  protected readonly initQvel: Float64Array;
  private readonly velocityNoise: VelocityNoise;
  private readonly camera: SideViewOptions;
  private phase: 'before-reset' | 'running' | 'diverged' = 'before-reset';
  /** The last observation handed out; returned again when a step diverges. Never mutated. */
  private lastObservation: Float64Array | undefined;

  protected constructor(mj: Mujoco, settings: MujocoEnvSettings, options: MujocoEnvOptions = {}) {
    super();
    const { path, xml } = readMjcf(settings.envId, settings.xmlFile);
    this.simulation = new MujocoSimulation(mj, compileMjcf(mj, settings.envId, xml, path), `${settings.envId} (${path})`);
    this.modelPath = path;
    this.frameSkip = settings.frameSkip;
    this.resetNoiseScale = settings.resetNoiseScale;
    this.velocityNoise = settings.velocityNoise;
    this.camera = settings.camera;
    this.dt = this.simulation.timestep * settings.frameSkip;
    this.initQpos = Float64Array.from(this.simulation.qpos);
    this.initQvel = new Float64Array(this.simulation.nv);
    this.actionSpace = actionSpaceOf(this.simulation);
    this.observationSpace = new Box({ low: -Infinity, high: Infinity, shape: [settings.observationSize(this.simulation)], dtype: 'float64' });
    this.metadata = { renderModes: RENDER_MODES, renderFps: Math.round(1 / this.dt) };
    if (options.renderMode !== undefined && !RENDER_MODES.includes(options.renderMode)) {
      this.simulation.close();
      throw new UnsupportedError(`${settings.envId} has no render mode '${options.renderMode}'; allowed: ${RENDER_MODES.join(', ')}`);
    }
    this.renderMode = options.renderMode;
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array> {
    this.seedOnReset(options.seed);
    const sim = this.simulation;
    const start = readStartState(this.id, options.options, sim.nq, sim.nv);
    sim.resetData();
    if (start) {
      this.writeState(start);
    } else {
      this.writePerturbedStart();
    }
    sim.forward();
    this.phase = 'running';
    const obs = this.observation();
    this.lastObservation = obs;
    return { obs, info: this.resetInfo() };
  }

  step(action: Float32Array): StepResult<Float64Array> {
    if (this.phase !== 'running') {
      throw new ResetNeededError(
        this.id,
        this.phase === 'diverged' ? 'the simulation diverged in the last step and the episode was truncated' : 'step() was called before reset()',
      );
    }
    const squaredAction = this.writeControl(action);
    this.beforeSimulation();
    this.simulation.step(this.frameSkip);
    const obs = this.observation();
    const warnings = this.simulation.divergence();
    if (warnings.length > 0 || !allFinite(obs)) return this.divergedStep(warnings);
    const { reward, terminated, info } = this.transition(squaredAction);
    this.lastObservation = obs;
    return { obs, reward, terminated, truncated: false, info };
  }

  /** A copy of qpos ++ qvel. */
  getState(): Float64Array {
    if (this.phase === 'before-reset') throw new UnsupportedError(`${this.id}: there is no state before the first reset()`);
    const sim = this.simulation;
    const state = new Float64Array(sim.nq + sim.nv);
    state.set(sim.qpos, 0);
    state.set(sim.qvel, sim.nq);
    return state;
  }

  /** Continue from qpos ++ qvel (as Gymnasium's `set_state`: the arrays are set, then `mj_forward`). */
  setState(state: ArrayLike<number>): void {
    const sim = this.simulation;
    this.writeState(toStateVector(this.id, state, sim.nq, sim.nv, 'setState(state)'));
    sim.forward();
    this.phase = 'running';
    this.lastObservation = this.observation();
  }

  override render(): RenderResult {
    if (this.renderMode !== 'rgb_array') {
      throw new UnsupportedError(
        `${this.id}: render() needs a render mode; create the env with renderMode 'rgb_array' (make(id, kwargs, { renderMode: 'rgb_array' }))`,
      );
    }
    if (this.phase === 'before-reset') throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    const { mj, model, data } = this.simulation;
    return renderSideView(mj, model, data, this.camera);
  }

  /** Frees the MuJoCo model and data; calling it again does nothing. */
  override close(): void {
    this.simulation.close();
  }

  /** Bytes of WebAssembly memory held by the MuJoCo module that this env lives in. */
  wasmMemoryBytes(): number {
    return this.simulation.memoryBytes();
  }

  /** A new observation array for the current state. */
  protected abstract observation(): Float64Array;

  /** Reward, termination and info of the step just simulated; `squaredAction` is Σ aᵢ². */
  protected abstract transition(squaredAction: number): Transition;

  /** Info returned by `reset()`. */
  protected resetInfo(): Info {
    return {};
  }

  /** Called after the action is written and before simulating: record what the reward compares against. */
  protected beforeSimulation(): void {}

  /** Writes the float32 value of each action entry into ctrl; returns Σ aᵢ² (the control cost's sum). */
  private writeControl(action: ArrayLike<number>): number {
    const nu = this.simulation.nu;
    if (!isNumberArray(action) || action.length !== nu) {
      throw new InvalidActionError(this.id, this.actionSpace.toString(), describeAction(action), `the action must be an array of ${nu} numbers`);
    }
    const ctrl = this.simulation.ctrl;
    let squares = 0;
    for (let i = 0; i < nu; i++) {
      const a = Math.fround(action[i]);
      if (!Number.isFinite(a)) {
        throw new InvalidActionError(this.id, this.actionSpace.toString(), describeAction(action), `element ${i} is ${action[i]}, not a finite number`);
      }
      ctrl[i] = a;
      squares += a * a;
    }
    return squares;
  }

  private writePerturbedStart(): void {
    const sim = this.simulation;
    const rng = this.rng;
    const scale = this.resetNoiseScale;
    const qpos = sim.qpos;
    const qvel = sim.qvel;
    for (let i = 0; i < sim.nq; i++) qpos[i] = this.initQpos[i] + rng.uniform(-scale, scale);
    if (this.velocityNoise === 'uniform') {
      for (let i = 0; i < sim.nv; i++) qvel[i] = this.initQvel[i] + rng.uniform(-scale, scale);
    } else {
      for (let i = 0; i < sim.nv; i++) qvel[i] = this.initQvel[i] + scale * rng.normal();
    }
  }

  private writeState(state: Float64Array): void {
    const sim = this.simulation;
    sim.qpos.set(state.subarray(0, sim.nq));
    sim.qvel.set(state.subarray(sim.nq));
  }

  private divergedStep(warnings: readonly DivergenceWarning[]): StepResult<Float64Array> {
    this.phase = 'diverged';
    return {
      obs: this.lastObservation!.slice(),
      reward: 0,
      terminated: false,
      truncated: true,
      info: { unstable: true, mujoco_warnings: [...warnings] },
    };
  }
}

/** Box(ctrlrange) in float32; an actuator without a ctrlrange (low = high = 0) is unbounded. */
function actionSpaceOf(simulation: MujocoSimulation): Box<'float32'> {
  const nu = simulation.nu;
  const range = simulation.model.actuator_ctrlrange as Float64Array;
  const low = new Array<number>(nu);
  const high = new Array<number>(nu);
  for (let i = 0; i < nu; i++) {
    const unbounded = range[2 * i] >= range[2 * i + 1];
    low[i] = unbounded ? -Infinity : range[2 * i];
    high[i] = unbounded ? Infinity : range[2 * i + 1];
  }
  return new Box({ low, high, dtype: 'float32' });
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function isNumberArray(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function describeAction(value: unknown): string {
  if (isNumberArray(value)) return `${(value as object).constructor.name} of length ${value.length}`;
  return value === null ? 'null' : typeof value;
}
