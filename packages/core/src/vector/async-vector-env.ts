import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Env } from '../env.js';
import { InvalidActionError, RlftError } from '../errors.js';
import type { EnvRegistry, MakeOptions } from '../registry.js';
import { describeValue, type Space } from '../spaces/space.js';
import type { EnvSpec } from '../spec.js';
import { createBatcher, flatByteLength, type SpaceBatcher } from './batch.js';
import { SubEnvError, VectorStateError, VectorWorkerError, type SerializedError } from './errors.js';
import { addInfo } from './infos.js';
import { Command, CONTROL_STRIDE, Slot, type CommandCode, type ResetRequest, type SetupMessage, type StepRequest, type WorkerReply, type WorkerSetup } from './async-protocol.js';
import { checkResetMask, resolveSeeds } from './sub-env-group.js';
import { checkAutoresetMode, EMPTY_VECTOR_INFO, type VectorEnvOptions } from './sync-vector-env.js';
import type { AutoresetMode, VectorEnv, VectorInfo, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

export interface AsyncVectorEnvOptions extends VectorEnvOptions, MakeOptions {
  /** The registered id every worker makes its envs from. */
  id: string;
  numEnvs: number;
  kwargs?: Record<string, unknown>;
  /**
   * Modules the workers import to register the env: file URLs, absolute paths or package
   * names, each with a plugin as default export (what `PluginHost.load` accepts).
   */
  pluginModules: readonly string[];
  /** Worker threads, each hosting a contiguous share of the envs. Default min(numEnvs, available cores). */
  workers?: number;
  /**
   * The registry used to check the id and kwargs and to read the spaces from one throwaway
   * env in this thread. Default: a registry with `pluginModules` loaded.
   */
  registry?: EnvRegistry;
  /** How long one call waits for a worker before reporting it stuck, in ms (default 60 000; Infinity waits forever). */
  timeoutMs?: number;
  /**
   * Polls of shared memory before sleeping in Atomics.wait, on both sides. Polling cuts a
   * step's round trip from tens of microseconds (a futex wake-up) to about one, but only pays
   * when every thread has a core: the default is 2000 (a few microseconds) when the workers
   * plus this thread fit in the available cores, else 0.
   */
  spinIterations?: number;
}

interface WorkerHandle {
  readonly index: number;
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly first: number;
  readonly count: number;
  /** The request number the worker answers next. */
  request: number;
}

const WAIT_SLICE_MS = 50;
const DEFAULT_SPIN_ITERATIONS = 2000;
const CLOSE_GRACE_MS = 2000;

/**
 * N environments spread over worker threads (Gymnasium's AsyncVectorEnv). Workers import the
 * plugin modules and `make` their envs by id; `reset`/`step` stay synchronous: the main thread
 * hands out the command through shared memory and blocks (Atomics.wait) until every worker
 * has answered. Results match SyncVectorEnv's bit for bit for the same seeds and actions, as
 * both step their envs with the same code (SubEnvGroup).
 *
 * Buffers are reused like SyncVectorEnv's (observations of numeric spaces, rewards and flags
 * are views of shared memory overwritten by the next call) unless `copy` is set. A worker that
 * exits or stops answering is reported as a VectorWorkerError and the vector env closes.
 * Workers do not keep the process alive, but call `close()` to free them promptly.
 */
export class AsyncVectorEnv<BatchObs = unknown, BatchAct = unknown> implements VectorEnv<BatchObs, BatchAct> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly observationSpace: Space<BatchObs>;
  readonly actionSpace: Space<BatchAct>;
  readonly autoresetMode: AutoresetMode;
  readonly spec: EnvSpec | undefined;
  /** Resolves once every worker thread has exited (after `close()` or a crash). */
  readonly exited: Promise<void>;
  private readonly workers: WorkerHandle[];
  private readonly control: Int32Array;
  private readonly obsBatcher: SpaceBatcher;
  private readonly actionBatcher: SpaceBatcher;
  private readonly obs: unknown;
  private readonly sharedActions: ArrayLike<number> & { [index: number]: number } | undefined;
  private readonly stepResult: VectorStepResult<BatchObs>;
  private readonly copyResults: boolean;
  private readonly timeoutMs: number;
  private readonly spinIterations: number;
  private running: number;
  private state: 'needs-reset' | 'ready' | 'closed' = 'needs-reset';

  private constructor(parts: {
    numEnvs: number;
    observationSpace: Space;
    actionSpace: Space;
    autoresetMode: AutoresetMode;
    spec: EnvSpec | undefined;
    workers: WorkerHandle[];
    control: Int32Array;
    obsBatcher: SpaceBatcher;
    actionBatcher: SpaceBatcher;
    buffers: { obs: unknown; actions: unknown; rewards: Float64Array; terminations: Uint8Array; truncations: Uint8Array };
    options: AsyncVectorEnvOptions;
    spinIterations: number;
  }) {
    this.numEnvs = parts.numEnvs;
    this.singleObservationSpace = parts.observationSpace;
    this.singleActionSpace = parts.actionSpace;
    this.obsBatcher = parts.obsBatcher;
    this.actionBatcher = parts.actionBatcher;
    this.observationSpace = parts.obsBatcher.batchedSpace as Space<BatchObs>;
    this.actionSpace = parts.actionBatcher.batchedSpace as Space<BatchAct>;
    this.autoresetMode = parts.autoresetMode;
    this.spec = parts.spec;
    this.workers = parts.workers;
    this.control = parts.control;
    this.obs = parts.buffers.obs;
    this.sharedActions = parts.actionBatcher.flat ? (parts.buffers.actions as Float64Array) : undefined;
    this.copyResults = parts.options.copy ?? false;
    this.timeoutMs = parts.options.timeoutMs ?? 60_000;
    this.spinIterations = parts.spinIterations;
    this.stepResult = {
      obs: parts.buffers.obs as BatchObs,
      rewards: parts.buffers.rewards,
      terminations: parts.buffers.terminations,
      truncations: parts.buffers.truncations,
      infos: EMPTY_VECTOR_INFO,
    };
    this.running = this.workers.length;
    this.exited = Promise.all(
      this.workers.map((handle) => new Promise<void>((resolve) => {
        if (handle.worker.threadId === -1) resolve();
        else handle.worker.once('exit', () => resolve());
      })),
    ).then(() => undefined);
    for (const handle of this.workers) handle.worker.once('exit', () => this.running--);
  }

  /** Start the workers, make the envs in them and wait until every worker is ready. */
  static async create<BatchObs = unknown, BatchAct = unknown>(options: AsyncVectorEnvOptions): Promise<AsyncVectorEnv<BatchObs, BatchAct>> {
    const { id, numEnvs } = options;
    if (!Number.isInteger(numEnvs) || numEnvs <= 0) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    const autoresetMode = checkAutoresetMode(options.autoresetMode);
    const workerCount = options.workers ?? Math.min(numEnvs, availableParallelism());
    if (!Number.isInteger(workerCount) || workerCount <= 0 || workerCount > numEnvs) {
      throw new RangeError(`workers must be an integer in [1, ${numEnvs}] (one worker hosts at least one env), got ${workerCount}`);
    }
    if (!Array.isArray(options.pluginModules)) {
      throw new TypeError('AsyncVectorEnv needs pluginModules: the module specifiers workers import to register the env');
    }
    const spinIterations = options.spinIterations ?? (workerCount + 1 <= availableParallelism() ? DEFAULT_SPIN_ITERATIONS : 0);
    if (!Number.isInteger(spinIterations) || spinIterations < 0) throw new RangeError(`spinIterations must be a non-negative integer, got ${spinIterations}`);
    const timeout = options.timeoutMs ?? 60_000;
    if (!(timeout > 0)) throw new RangeError(`timeoutMs must be positive (Infinity to wait forever), got ${timeout}`);
    const registry = options.registry ?? (await registryOf(options.pluginModules));
    const makeOptions: MakeOptions = {
      ...(options.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: options.maxEpisodeSteps } : {}),
      ...(options.disableEnvChecker !== undefined ? { disableEnvChecker: options.disableEnvChecker } : {}),
      ...(options.renderMode !== undefined ? { renderMode: options.renderMode } : {}),
    };
    const kwargs = { ...(options.kwargs ?? {}) };
    // Like Gymnasium, one throwaway env in this thread gives the spaces (and checks id and kwargs here, with the registry's errors).
    const probe: Env = await registry.make(id, kwargs, makeOptions);
    const observationSpace = probe.observationSpace;
    const actionSpace = probe.actionSpace;
    const spec = probe.spec;
    probe.close();

    const obsBatcher = createBatcher(observationSpace, numEnvs);
    const actionBatcher = createBatcher(actionSpace, numEnvs);
    const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(bytes, 8));
    const obsMemory = obsBatcher.flat ? shared(flatByteLength(obsBatcher.flat, numEnvs)) : undefined;
    const actionMemory = actionBatcher.flat ? shared(flatByteLength(actionBatcher.flat, numEnvs)) : undefined;
    const rewardMemory = shared(8 * numEnvs);
    const terminationMemory = shared(numEnvs);
    const truncationMemory = shared(numEnvs);
    const controlMemory = shared(4 * CONTROL_STRIDE * workerCount);

    const workers: WorkerHandle[] = [];
    const ready: Promise<void>[] = [];
    let first = 0;
    for (let w = 0; w < workerCount; w++) {
      const count = Math.floor(numEnvs / workerCount) + (w < numEnvs % workerCount ? 1 : 0);
      const { port1, port2 } = new MessageChannel();
      const setup: WorkerSetup = {
        workerIndex: w,
        first,
        count,
        numEnvs,
        id,
        kwargs,
        makeOptions,
        pluginModules: [...options.pluginModules],
        autoresetMode,
        spinIterations,
        control: controlMemory,
        obs: obsMemory,
        actions: actionMemory,
        rewards: rewardMemory,
        terminations: terminationMemory,
        truncations: truncationMemory,
        port: port2,
      };
      const worker = new Worker(new URL('./async-worker.js', import.meta.url), { workerData: setup, transferList: [port2], execArgv: workerExecArgv() });
      port1.unref();
      // Without a listener an 'error' event would be rethrown in this thread; crashes are reported through the exit hook.
      worker.on('error', () => undefined);
      workers.push({ index: w, worker, port: port1, first, count, request: 0 });
      ready.push(awaitReady(worker, w, first, count, observationSpace, actionSpace));
      first += count;
    }
    const outcomes = await Promise.allSettled(ready);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((handle) => handle.worker.terminate()));
      throw failed.reason;
    }
    for (const handle of workers) handle.worker.unref();

    return new AsyncVectorEnv<BatchObs, BatchAct>({
      numEnvs,
      observationSpace,
      actionSpace,
      autoresetMode,
      spec,
      workers,
      control: new Int32Array(controlMemory),
      obsBatcher,
      actionBatcher,
      buffers: {
        obs: obsMemory ? obsBatcher.allocate(obsMemory) : obsBatcher.allocate(),
        actions: actionMemory ? actionBatcher.allocate(actionMemory) : undefined,
        rewards: new Float64Array(rewardMemory, 0, numEnvs),
        terminations: new Uint8Array(terminationMemory, 0, numEnvs),
        truncations: new Uint8Array(truncationMemory, 0, numEnvs),
      },
      options,
      spinIterations,
    });
  }

  /** Worker threads started for this vector env. */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Worker threads that have not exited yet. */
  get runningWorkers(): number {
    return this.running;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  reset(options: VectorResetOptions = {}): VectorResetResult<BatchObs> {
    this.assertOpen();
    const seeds = resolveSeeds(options.seed, this.numEnvs);
    checkResetMask(options.mask, this.numEnvs);
    if (options.mask !== undefined && this.state === 'needs-reset') {
      throw new VectorStateError(`${this.toString()}: reset({ mask }) resets only some envs; call reset() without a mask first`);
    }
    this.state = 'needs-reset';
    for (const handle of this.workers) {
      const end = handle.first + handle.count;
      const request: ResetRequest = {};
      if (seeds) request.seeds = seeds.slice(handle.first, end);
      if (options.options !== undefined) request.options = options.options;
      if (options.mask !== undefined) request.mask = Array.from(options.mask, Number).slice(handle.first, end);
      handle.port.postMessage(request);
    }
    const infos = this.run(Command.reset, 'reset');
    this.state = 'ready';
    return { obs: this.copyResults ? (this.obsBatcher.copy(this.obs) as BatchObs) : (this.obs as BatchObs), infos };
  }

  step(actions: BatchAct): VectorStepResult<BatchObs> {
    this.assertOpen();
    if (this.state === 'needs-reset') {
      throw new VectorStateError(`${this.toString()}: step() needs a reset() first (after creation or after a sub-environment failed)`);
    }
    const why = this.actionBatcher.explainBadBatch(actions);
    if (why !== undefined) throw new InvalidActionError(this.toString(), this.actionSpace.toString(), describeValue(actions), why);
    const shared = this.sharedActions;
    if (shared !== undefined) {
      const values = actions as unknown as ArrayLike<number>;
      for (let i = 0; i < values.length; i++) shared[i] = values[i];
    } else {
      for (const handle of this.workers) {
        const request: StepRequest = { actions: [] };
        for (let i = handle.first; i < handle.first + handle.count; i++) request.actions.push(this.actionBatcher.read(actions, i));
        handle.port.postMessage(request);
      }
    }
    let infos: VectorInfo;
    try {
      infos = this.run(Command.step, 'step');
    } catch (error) {
      if (this.state !== 'closed') this.state = 'needs-reset';
      throw error;
    }
    const result = this.stepResult;
    result.infos = infos;
    if (!this.copyResults) return result;
    return {
      obs: this.obsBatcher.copy(result.obs) as BatchObs,
      rewards: result.rewards.slice(),
      terminations: result.terminations.slice(),
      truncations: result.truncations.slice(),
      infos,
    };
  }

  /** Ask every worker to close its envs and exit, then terminate the threads (idempotent). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const deadline = performance.now() + CLOSE_GRACE_MS;
    for (const handle of this.workers) {
      if (!this.hasExited(handle)) this.dispatch(handle, Command.close);
    }
    for (const handle of this.workers) {
      // Best effort: a worker that does not answer in time is terminated anyway.
      while (!this.hasExited(handle) && Atomics.load(this.control, this.base(handle) + Slot.response) !== handle.request) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(this.control, this.base(handle) + Slot.response, Atomics.load(this.control, this.base(handle) + Slot.response), Math.min(left, WAIT_SLICE_MS));
      }
      if (Atomics.load(this.control, this.base(handle) + Slot.hasMessage)) receiveMessageOnPort(handle.port);
    }
    this.terminateAll();
  }

  toString(): string {
    return `AsyncVectorEnv(${this.spec?.id ?? '?'}, ${this.numEnvs})`;
  }

  /** Send a command to every worker, wait for all answers, apply their replies in env order. */
  private run(command: CommandCode, phase: 'reset' | 'step'): VectorInfo {
    for (const handle of this.workers) this.dispatch(handle, command);
    let infos: VectorInfo = EMPTY_VECTOR_INFO;
    let failure: Error | undefined;
    for (const handle of this.workers) {
      this.awaitAnswer(handle, phase);
      if (!Atomics.load(this.control, this.base(handle) + Slot.hasMessage)) continue;
      const reply = receiveMessageOnPort(handle.port)?.message as WorkerReply | undefined;
      if (reply === undefined) {
        failure ??= new VectorWorkerError(handle.index, `Worker ${handle.index} of ${this.toString()} announced a reply that never arrived`);
        continue;
      }
      if (reply.obs) for (let k = 0; k < reply.obs.length; k++) this.obsBatcher.write(this.obs, handle.first + k, reply.obs[k]);
      if (reply.infos) {
        if (infos === EMPTY_VECTOR_INFO) infos = {};
        for (const [index, info] of reply.infos) addInfo(infos, info, index, this.numEnvs);
      }
      if (reply.failure && !failure) {
        const f = reply.failure;
        failure = f.kind === 'sub-env'
          ? new SubEnvError(f.envIndex, f.envId, f.phase, revive(f.original))
          : revive(f.error);
      }
    }
    if (failure) throw failure;
    return infos;
  }

  private dispatch(handle: WorkerHandle, command: CommandCode): void {
    const base = this.base(handle);
    Atomics.store(this.control, base + Slot.command, command);
    handle.request = Atomics.add(this.control, base + Slot.request, 1) + 1;
    Atomics.notify(this.control, base + Slot.request);
  }

  /** Block until the worker answered its current request; report it if it exited or timed out. */
  private awaitAnswer(handle: WorkerHandle, phase: string): void {
    const control = this.control;
    const slot = this.base(handle) + Slot.response;
    const target = handle.request;
    for (let spin = 0; spin < this.spinIterations; spin++) if (Atomics.load(control, slot) === target) return;
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const seen = Atomics.load(control, slot);
      if (seen === target) return;
      const w = handle.index;
      const envs = handle.count === 1 ? `env ${handle.first}` : `envs ${handle.first}–${handle.first + handle.count - 1}`;
      if (this.hasExited(handle)) {
        const code = Atomics.load(control, this.base(handle) + Slot.exitCode);
        this.abandon();
        throw new VectorWorkerError(w, `Worker ${w} of ${this.toString()} (hosting ${envs}) exited with code ${code} during ${phase}(); the vector env is closed`);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.abandon();
        throw new VectorWorkerError(
          w,
          `Worker ${w} of ${this.toString()} (hosting ${envs}) did not answer ${phase}() within ${this.timeoutMs} ms; the vector env is closed (raise timeoutMs for slow environments)`,
        );
      }
      Atomics.wait(control, slot, seen, Math.min(left, WAIT_SLICE_MS));
    }
  }

  private hasExited(handle: WorkerHandle): boolean {
    return Atomics.load(this.control, this.base(handle) + Slot.exited) === 1;
  }

  private base(handle: WorkerHandle): number {
    return handle.index * CONTROL_STRIDE;
  }

  /** After a crash or a timeout the workers' state is unknown: stop them all. */
  private abandon(): void {
    this.state = 'closed';
    this.terminateAll();
  }

  private terminateAll(): void {
    for (const handle of this.workers) {
      handle.port.close();
      void handle.worker.terminate();
    }
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new VectorStateError(`${this.toString()} is closed`);
  }
}

/**
 * Workers inherit this process's Node options, except `--input-type`, which describes the
 * main script given with `-e`/stdin and makes a worker fail to start.
 */
function workerExecArgv(): string[] {
  const args: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) args.push(arg);
  }
  return args;
}

/** An Error carrying a serialized error's name, message, code and stack. */
function revive(serialized: SerializedError): Error {
  const error = serialized.code !== undefined ? new RlftError(serialized.code, serialized.message) : new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

async function registryOf(pluginModules: readonly string[]): Promise<EnvRegistry> {
  const { PluginHost } = await import('../plugin/host.js');
  const host = new PluginHost();
  for (const specifier of pluginModules) {
    if (!(await host.load(specifier))) throw host.failures[host.failures.length - 1].error;
  }
  return host.registry;
}

function awaitReady(worker: Worker, w: number, first: number, count: number, observationSpace: Space, actionSpace: Space): Promise<void> {
  const envs = count === 1 ? `env ${first}` : `envs ${first}–${first + count - 1}`;
  return new Promise<void>((resolve, reject) => {
    const onMessage = (message: SetupMessage): void => {
      cleanup();
      if (message.type === 'ready') {
        const same = JSON.stringify(message.observationSpace) === JSON.stringify(observationSpace.toJSON()) &&
          JSON.stringify(message.actionSpace) === JSON.stringify(actionSpace.toJSON());
        if (same) resolve();
        else reject(new VectorWorkerError(w, `Worker ${w} made envs whose spaces differ from this thread's (${JSON.stringify(message.observationSpace)} / ${JSON.stringify(message.actionSpace)}); the plugin modules must register the same env`));
      } else {
        const original = revive(message.error);
        reject(new VectorWorkerError(w, `Worker ${w} could not create ${envs}: ${original.message}`));
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new VectorWorkerError(w, `Worker ${w} failed while creating ${envs}: ${error.message}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new VectorWorkerError(w, `Worker ${w} exited with code ${code} while creating ${envs}`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
