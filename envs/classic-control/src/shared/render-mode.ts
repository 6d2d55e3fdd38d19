import { UnsupportedError } from '@rlft/core';

/** The error for render() on an env created without a render mode. */
export function noRenderModeError(envId: string, modes: readonly string[]): UnsupportedError {
  return new UnsupportedError(
    `${envId}: render() needs a render mode; create the env with one of ${modes.join(', ')} (make(id, kwargs, { renderMode }) or the constructor's renderMode option)`,
  );
}

/** The render mode asked for at construction, if it is one the env supports. */
export function checkRenderMode(envId: string, modes: readonly string[], requested: string | undefined): string | undefined {
  if (requested !== undefined && !modes.includes(requested)) {
    throw new UnsupportedError(`${envId} has no render mode '${requested}'; allowed: ${modes.join(', ')}`);
  }
  return requested;
}
