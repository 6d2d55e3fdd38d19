import { RlftError } from '../errors.js';

/** What a sub-environment was doing when it failed. */
export type SubEnvPhase = 'reset' | 'step';

/** The parts of an error that survive a trip between threads. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * A sub-environment of a vector env threw. The message names the env index and repeats the
 * original message; `code` is the original error's code (so an invalid action is still
 * INVALID_ACTION), `cause` the original error (or its serialized form from a worker).
 */
export class SubEnvError extends RlftError {
  readonly envIndex: number;
  readonly phase: SubEnvPhase;
  readonly originalName: string;

  constructor(envIndex: number, envId: string, phase: SubEnvPhase, original: unknown) {
    const serialized = original instanceof SubEnvError ? serializeError(original.cause) : serializeError(original);
    super(
      serialized.code ?? 'SUB_ENV_FAILED',
      `Sub-environment ${envIndex} (${envId}) failed in ${phase}(): ${serialized.message}`,
      { cause: original },
    );
    this.envIndex = envIndex;
    this.phase = phase;
    this.originalName = serialized.name;
  }
}

/** A worker of an AsyncVectorEnv exited, or stopped answering, while it still hosted environments. */
export class VectorWorkerError extends RlftError {
  readonly workerIndex: number;
  constructor(workerIndex: number, message: string) {
    super('VECTOR_WORKER', message);
    this.workerIndex = workerIndex;
  }
}

/** A call the vector env's state does not allow (step before reset, use after close, …). */
export class VectorStateError extends RlftError {
  constructor(message: string) {
    super('VECTOR_STATE', message);
  }
}
