/**
 * Reading `reset({ options })` the way Gymnasium's classic-control envs do: optional `low` /
 * `high` bounds for the uniform reset noise (`utils.maybe_parse_reset_bounds`), and rlft's
 * `state` option, which starts the episode from a given internal state instead of noise.
 */

/** A number option (`low`, `high`, `x_init`, …): any finite number; anything else is an error. */
export function readNumberOption(envId: string, options: Record<string, unknown>, key: string, fallback: number): number {
  if (!(key in options) || options[key] === undefined) return fallback;
  const value = options[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${envId}: reset option '${key}' must be a finite number, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

export interface ResetBounds {
  low: number;
  high: number;
}

/** `options.low` / `options.high` with the env's defaults; low above high is an error (as in Gymnasium). */
export function readResetBounds(envId: string, options: Record<string, unknown> | undefined, low: number, high: number): ResetBounds {
  if (!options) return { low, high };
  const bounds = { low: readNumberOption(envId, options, 'low', low), high: readNumberOption(envId, options, 'high', high) };
  if (bounds.low > bounds.high) {
    throw new RangeError(`${envId}: reset option low (${bounds.low}) must not be above high (${bounds.high})`);
  }
  return bounds;
}

/**
 * `options.state` as a Float64Array of exactly `names.length` finite numbers, or undefined
 * when not given. `names` are the state components in Gymnasium's order (used in errors);
 * `noiseKeys` are the env's options for the random start, which make no sense with a state.
 */
export function readStateOption(
  envId: string,
  options: Record<string, unknown> | undefined,
  names: readonly string[],
  noiseKeys: readonly string[] = ['low', 'high'],
): Float64Array | undefined {
  if (!options || options.state === undefined) return undefined;
  const conflicting = noiseKeys.filter((key) => options[key] !== undefined);
  if (conflicting.length) {
    throw new TypeError(`${envId}: reset options 'state' and '${conflicting.join("', '")}' exclude each other; 'state' sets the start exactly, the others shape the random start`);
  }
  return toStateVector(envId, options.state, names, 'reset option state');
}

/** Validates a state vector (for `options.state` and `setState`) and copies it into a Float64Array. */
export function toStateVector(envId: string, value: unknown, names: readonly string[], what: string): Float64Array {
  const expected = `${names.length} numbers [${names.join(', ')}]`;
  const isArrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isArrayLike) {
    throw new TypeError(`${envId}: ${what} must be an array of ${expected}, got ${typeof value}`);
  }
  const values = value as ArrayLike<unknown>;
  if (values.length !== names.length) {
    throw new RangeError(`${envId}: ${what} must hold ${expected}, got ${values.length} value${values.length === 1 ? '' : 's'}`);
  }
  const state = new Float64Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`${envId}: ${what}[${i}] (${names[i]}) must be a finite number, got ${String(v)}`);
    }
    state[i] = v;
  }
  return state;
}
