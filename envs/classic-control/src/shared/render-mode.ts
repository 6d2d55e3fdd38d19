import { UnsupportedError } from '@rlft/core';

/** The error for render() on an env created without a render mode. */
export function noRenderModeError(envId: string, modes: readonly string[]): UnsupportedError {
  return new UnsupportedError(
    `${envId}: render() needs a render mode; create the env with one of ${modes.join(', ')} (make(id, kwargs, { renderMode }) or the constructor's renderMode option)`,
  );
}
