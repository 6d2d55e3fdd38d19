import type { MessagePort } from 'node:worker_threads';
import type { Info } from '../env.js';
import type { MakeOptions } from '../registry.js';
import type { SpaceJSON } from '../spaces/json.js';
import type { SerializedError, SubEnvPhase } from './errors.js';
import type { AutoresetMode } from './types.js';

/**
 * The handshake between an AsyncVectorEnv and its workers. Each worker owns one cache line
 * (16 int32 slots) of the control array:
 * - the main thread writes `command`, increments `request` and notifies it;
 * - the worker runs the command, sets `hasMessage` when it posted a reply on its port, then
 *   stores the request number into `response` and notifies it;
 * - on exit (crash, `process.exit`, or after `close`) the worker's exit hook sets `exited`
 *   and `exitCode` and notifies `response`, so the main thread never waits on a dead worker.
 * Numeric batches (obs, actions, rewards, flags) live in shared memory; everything else
 * travels as structured-clone messages, read synchronously with `receiveMessageOnPort`.
 */
export const CONTROL_STRIDE = 16;
export const Slot = {
  request: 0,
  response: 1,
  command: 2,
  hasMessage: 3,
  exited: 4,
  exitCode: 5,
} as const;

export const Command = {
  reset: 1,
  step: 2,
  close: 3,
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

/** What a worker needs to create and serve its share of the sub-environments. */
export interface WorkerSetup {
  workerIndex: number;
  /** Global index of this worker's first env, and how many it hosts. */
  first: number;
  count: number;
  numEnvs: number;
  id: string;
  kwargs: Record<string, unknown>;
  makeOptions: MakeOptions;
  /** Module specifiers (file URLs or package names) whose default export is a plugin. */
  pluginModules: readonly string[];
  autoresetMode: AutoresetMode;
  /** Iterations to poll shared memory before sleeping in Atomics.wait (latency vs. CPU). */
  spinIterations: number;
  control: SharedArrayBuffer;
  /** Shared batches; `obs`/`actions` only when the space is batched as one typed array. */
  obs: SharedArrayBuffer | undefined;
  actions: SharedArrayBuffer | undefined;
  rewards: SharedArrayBuffer;
  terminations: SharedArrayBuffer;
  truncations: SharedArrayBuffer;
  port: MessagePort;
}

/** Setup outcome, posted on the worker's parentPort (read asynchronously while creating). */
export type SetupMessage =
  | { type: 'ready'; observationSpace: SpaceJSON; actionSpace: SpaceJSON }
  | { type: 'setup-failed'; error: SerializedError };

export interface ResetRequest {
  /** Indexed from the worker's first env. */
  seeds?: (number | undefined)[];
  options?: Record<string, unknown>;
  mask?: number[];
}

/** Actions for spaces that are not batched as one typed array, in the worker's env order. */
export interface StepRequest {
  actions: unknown[];
}

export type WorkerFailure =
  | { kind: 'sub-env'; envIndex: number; envId: string; phase: SubEnvPhase; original: SerializedError }
  | { kind: 'other'; error: SerializedError };

export interface WorkerReply {
  /** Observations of spaces not batched as one typed array, in the worker's env order. */
  obs?: unknown[];
  /** Infos in the order the sub-environments reported them: [global env index, info]. */
  infos?: [number, Info][];
  failure?: WorkerFailure;
}
