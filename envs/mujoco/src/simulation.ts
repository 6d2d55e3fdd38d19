import { RlftError } from '@rlft/core';
import type { MjData, MjModel, MjWarningStatVec } from '@mujoco/mujoco';
import { wasmMemoryBytes, type Mujoco } from './module.js';

/** The MjData arrays an environment reads on every step. */
interface StateViews {
  qpos: Float64Array;
  qvel: Float64Array;
  ctrl: Float64Array;
  xpos: Float64Array;
  cfrcExt: Float64Array;
}

/** MuJoCo's warnings that mean the state has diverged (mjWARN_BADQPOS, _BADQVEL, _BADQACC). */
const DIVERGENCE_WARNINGS = ['BADQPOS', 'BADQVEL', 'BADQACC'] as const;
export type DivergenceWarning = (typeof DIVERGENCE_WARNINGS)[number];

/** MuJoCo failed inside a call (for example the arena in `<size memory>` ran out). */
export class MujocoRuntimeError extends RlftError {
  constructor(message: string, options?: ErrorOptions) {
    super('MUJOCO_RUNTIME', message, options);
  }
}

/**
 * One MjModel with its MjData in the shared module, and safe access to the arrays that
 * environments read and write.
 *
 * `data.qpos` and friends are views into the module's WebAssembly memory. When any allocation
 * grows that memory (another env created, a warning read), every existing view is detached:
 * it reads as empty and writes to it are silently lost. The views are therefore kept only
 * while their buffer is alive and taken afresh from MjData as soon as it is not; callers
 * must not hold on to them across anything that may allocate.
 */
export class MujocoSimulation {
  readonly mj: Mujoco;
  readonly model: MjModel;
  readonly data: MjData;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly nbody: number;
  /** `model.opt.timestep`, read once (each `opt` access makes a new wrapper). */
  readonly timestep: number;
  private views: StateViews;
  private readonly warnings: MjWarningStatVec;
  private readonly divergenceCodes: readonly number[];
  private closed = false;

  /** Takes ownership of `model`: it is deleted with the simulation (and at once if MjData cannot be made). */
  constructor(mj: Mujoco, model: MjModel, description: string) {
    this.mj = mj;
    this.model = model;
    try {
      this.data = new mj.MjData(model);
    } catch (error) {
      model.delete();
      throw new MujocoRuntimeError(`${description}: MuJoCo could not allocate MjData (${errorText(error)})`, { cause: error });
    }
    this.nq = model.nq;
    this.nv = model.nv;
    this.nu = model.nu;
    this.nbody = model.nbody;
    const option = model.opt;
    this.timestep = option.timestep;
    option.delete();
    this.warnings = this.data.warning;
    const codes = mj.mjtWarning;
    this.divergenceCodes = [codes.mjWARN_BADQPOS.value, codes.mjWARN_BADQVEL.value, codes.mjWARN_BADQACC.value];
    this.views = this.readViews();
  }

  /** Generalised positions (nq). Valid until the next allocation in the module. */
  get qpos(): Float64Array {
    return this.live().qpos;
  }

  /** Generalised velocities (nv). */
  get qvel(): Float64Array {
    return this.live().qvel;
  }

  /** Actuator controls (nu); MuJoCo clamps them to ctrlrange while stepping. */
  get ctrl(): Float64Array {
    return this.live().ctrl;
  }

  /** Body positions in the world frame (3 per body), from the last forward pass. */
  get xpos(): Float64Array {
    return this.live().xpos;
  }

  /** External (contact) forces on each body, 6 per body: torque then force, from `mj_rnePostConstraint`. */
  get cfrcExt(): Float64Array {
    return this.live().cfrcExt;
  }

  /** `mj_resetData`: qpos = qpos0, qvel = 0, time = 0, warnings cleared. */
  resetData(): void {
    this.checkOpen();
    this.mj.mj_resetData(this.model, this.data);
  }

  /** `mj_forward`: positions, velocities and forces consistent with the current qpos/qvel. */
  forward(): void {
    this.checkOpen();
    this.mj.mj_forward(this.model, this.data);
  }

  /**
   * `substeps` calls of `mj_step`, then `mj_rnePostConstraint` so that `cfrc_ext` holds the
   * contact forces of the final state (as Gymnasium's `do_simulation`).
   */
  step(substeps: number): void {
    this.checkOpen();
    const { mj, model, data } = this;
    try {
      for (let i = 0; i < substeps; i++) mj.mj_step(model, data);
      mj.mj_rnePostConstraint(model, data);
    } catch (error) {
      throw new MujocoRuntimeError(
        `MuJoCo failed while stepping (${errorText(error)}); if it ran out of memory, give the model a larger <size memory="…"/>`,
        { cause: error },
      );
    }
  }

  /**
   * The divergence warnings MuJoCo raised since the last reset. On a bad qpos, qvel or qacc
   * MuJoCo resets the data itself and carries on, so without this check a blown-up episode
   * would silently restart from the initial pose.
   */
  divergence(): readonly DivergenceWarning[] {
    this.checkOpen();
    let found: DivergenceWarning[] | undefined;
    for (let k = 0; k < this.divergenceCodes.length; k++) {
      // Each get() returns a new C++ copy; it must be deleted or it leaks WebAssembly memory.
      const stat = this.warnings.get(this.divergenceCodes[k]);
      if (!stat) continue;
      const count = stat.number;
      stat.delete();
      if (count > 0) (found ??= []).push(DIVERGENCE_WARNINGS[k]);
    }
    return found ?? NO_WARNINGS;
  }

  /** Bytes of WebAssembly memory the shared module holds now. */
  memoryBytes(): number {
    this.checkOpen();
    return wasmMemoryBytes(this.model);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Frees the MjData and MjModel; calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.data.delete();
    this.model.delete();
  }

  private live(): StateViews {
    this.checkOpen();
    // A detached buffer has byteLength 0; the module's memory never has.
    if (this.views.qpos.buffer.byteLength === 0) this.views = this.readViews();
    return this.views;
  }

  private readViews(): StateViews {
    const data = this.data;
    return {
      qpos: data.qpos as Float64Array,
      qvel: data.qvel as Float64Array,
      ctrl: data.ctrl as Float64Array,
      xpos: data.xpos as Float64Array,
      cfrcExt: data.cfrc_ext as Float64Array,
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new MujocoRuntimeError('this MuJoCo simulation was closed; create a new environment');
  }
}

const NO_WARNINGS: readonly DivergenceWarning[] = Object.freeze([]);

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}
