import type { Env, Info } from '../env.js';
import { InvalidActionError } from '../errors.js';
import { describeValue, type Space } from '../spaces/space.js';
import type { EnvSpec } from '../spec.js';
import { createBatcher, type SpaceBatcher } from './batch.js';
import { VectorStateError } from './errors.js';
import { addInfo } from './infos.js';
import { checkResetMask, resolveSeeds, SubEnvGroup, type VectorBuffers } from './sub-env-group.js';
import {
  AUTORESET_MODES,
  type AutoresetMode,
  type VectorEnv,
  type VectorInfo,
  type VectorResetOptions,
  type VectorResetResult,
  type VectorStepResult,
} from './types.js';

export interface VectorEnvOptions {
  /** Default 'next-step' (Gymnasium 1.x). */
  autoresetMode?: AutoresetMode;
  /**
   * Return fresh arrays from every reset/step. By default the observation, reward,
   * termination and truncation arrays are buffers owned by the vector env and overwritten by
   * the next call (copy what you keep), which keeps stepping allocation-free.
   */
  copy?: boolean;
}

/** The `infos` returned when no env reported anything; frozen because it is shared. */
export const EMPTY_VECTOR_INFO: VectorInfo = Object.freeze({});

/**
 * N environments stepped one after the other in this thread (Gymnasium's SyncVectorEnv).
 *
 * Observations, rewards, terminations and truncations are written into buffers allocated
 * once; unless `copy` is set, every reset/step returns those same buffers and the same result
 * object, overwritten by the next call. Infos are a new object when any env reported
 * something, else the shared frozen {@link EMPTY_VECTOR_INFO}.
 */
export class SyncVectorEnv<BatchObs = unknown, BatchAct = unknown> implements VectorEnv<BatchObs, BatchAct> {
  readonly numEnvs: number;
  readonly envs: readonly Env[];
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly observationSpace: Space<BatchObs>;
  readonly actionSpace: Space<BatchAct>;
  readonly autoresetMode: AutoresetMode;
  /** Set by `makeVec`: the registration the sub-envs were made from. */
  spec: EnvSpec | undefined;
  private readonly copyResults: boolean;
  private readonly obsBatcher: SpaceBatcher;
  private readonly actionBatcher: SpaceBatcher;
  private readonly buffers: VectorBuffers;
  private readonly group: SubEnvGroup;
  private readonly stepResult: VectorStepResult<BatchObs>;
  private infos: VectorInfo = EMPTY_VECTOR_INFO;
  private readonly collectInfo = (index: number, info: Info): void => {
    if (this.infos === EMPTY_VECTOR_INFO) this.infos = {};
    addInfo(this.infos, info, index, this.numEnvs);
  };
  private state: 'needs-reset' | 'ready' | 'closed' = 'needs-reset';

  constructor(envs: readonly Env[], options: VectorEnvOptions = {}) {
    if (envs.length === 0) throw new RangeError('SyncVectorEnv needs at least one environment');
    this.autoresetMode = checkAutoresetMode(options.autoresetMode);
    this.copyResults = options.copy ?? false;
    this.envs = [...envs];
    this.numEnvs = envs.length;
    this.singleObservationSpace = envs[0].observationSpace;
    this.singleActionSpace = envs[0].actionSpace;
    checkSameSpaces(this.envs, this.singleObservationSpace, this.singleActionSpace);
    this.spec = envs[0].spec;
    this.obsBatcher = createBatcher(this.singleObservationSpace, this.numEnvs);
    this.actionBatcher = createBatcher(this.singleActionSpace, this.numEnvs);
    this.observationSpace = this.obsBatcher.batchedSpace as Space<BatchObs>;
    this.actionSpace = this.actionBatcher.batchedSpace as Space<BatchAct>;
    this.buffers = {
      obs: this.obsBatcher.allocate(),
      rewards: new Float64Array(this.numEnvs),
      terminations: new Uint8Array(this.numEnvs),
      truncations: new Uint8Array(this.numEnvs),
    };
    this.group = new SubEnvGroup(this.envs, 0, this.autoresetMode, this.obsBatcher, this.actionBatcher, this.buffers);
    this.stepResult = {
      obs: this.buffers.obs as BatchObs,
      rewards: this.buffers.rewards,
      terminations: this.buffers.terminations,
      truncations: this.buffers.truncations,
      infos: EMPTY_VECTOR_INFO,
    };
  }

  /** Create the N envs with `factory(i)` (which may be async) and vectorise them. */
  static async fromFactory<BatchObs = unknown, BatchAct = unknown>(
    numEnvs: number,
    factory: (index: number) => Env | Promise<Env>,
    options: VectorEnvOptions = {},
  ): Promise<SyncVectorEnv<BatchObs, BatchAct>> {
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    const envs: Env[] = [];
    try {
      for (let i = 0; i < numEnvs; i++) envs.push(await factory(i));
      return new SyncVectorEnv<BatchObs, BatchAct>(envs, options);
    } catch (error) {
      for (const env of envs) env.close();
      throw error;
    }
  }

  reset(options: VectorResetOptions = {}): VectorResetResult<BatchObs> {
    this.assertOpen();
    const seeds = resolveSeeds(options.seed, this.numEnvs);
    checkResetMask(options.mask, this.numEnvs);
    if (options.mask !== undefined && this.state === 'needs-reset') {
      throw new VectorStateError(`${this.toString()}: reset({ mask }) resets only some envs; call reset() without a mask first`);
    }
    this.infos = EMPTY_VECTOR_INFO;
    this.state = 'needs-reset';
    this.group.reset(seeds, options.options, options.mask, this.collectInfo);
    this.state = 'ready';
    const obs = this.buffers.obs as BatchObs;
    return { obs: this.copyResults ? (this.obsBatcher.copy(obs) as BatchObs) : obs, infos: this.infos };
  }

  step(actions: BatchAct): VectorStepResult<BatchObs> {
    this.assertReady();
    const why = this.actionBatcher.explainBadBatch(actions);
    if (why !== undefined) throw new InvalidActionError(`SyncVectorEnv(${this.spec?.id ?? this.envs[0].id} × ${this.numEnvs})`, this.actionSpace.toString(), describeValue(actions), why);
    this.infos = EMPTY_VECTOR_INFO;
    try {
      this.group.step(actions, this.collectInfo);
    } catch (error) {
      this.state = 'needs-reset';
      throw error;
    }
    const result = this.stepResult;
    result.infos = this.infos;
    if (!this.copyResults) return result;
    return {
      obs: this.obsBatcher.copy(result.obs) as BatchObs,
      rewards: result.rewards.slice(),
      terminations: result.terminations.slice(),
      truncations: result.truncations.slice(),
      infos: result.infos,
    };
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.group.close();
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  toString(): string {
    return `SyncVectorEnv(${this.spec?.id ?? this.envs[0].id}, ${this.numEnvs})`;
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new VectorStateError(`${this.toString()} is closed`);
  }

  private assertReady(): void {
    this.assertOpen();
    if (this.state === 'needs-reset') {
      throw new VectorStateError(`${this.toString()}: step() needs a reset() first (after creation or after a sub-environment failed)`);
    }
  }
}

export function checkAutoresetMode(mode: AutoresetMode | undefined): AutoresetMode {
  if (mode === undefined) return 'next-step';
  if (!AUTORESET_MODES.includes(mode)) {
    throw new RangeError(`Unknown autoresetMode '${String(mode)}'; allowed: ${AUTORESET_MODES.join(', ')}`);
  }
  return mode;
}

function checkSameSpaces(envs: readonly Env[], observationSpace: Space, actionSpace: Space): void {
  for (let i = 1; i < envs.length; i++) {
    if (!envs[i].observationSpace.equals(observationSpace)) {
      throw new TypeError(`Sub-environment ${i} has observation space ${envs[i].observationSpace.toString()}, env 0 has ${observationSpace.toString()}; all must match`);
    }
    if (!envs[i].actionSpace.equals(actionSpace)) {
      throw new TypeError(`Sub-environment ${i} has action space ${envs[i].actionSpace.toString()}, env 0 has ${actionSpace.toString()}; all must match`);
    }
  }
}
