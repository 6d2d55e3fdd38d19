/**
 * The state of a MuJoCo env as one vector, qpos followed by qvel (Gymnasium's
 * `state_vector()`), checked on its way in from `reset({ options: { state } })` or `setState`.
 */
export function toStateVector(envId: string, value: unknown, nq: number, nv: number, what: string): Float64Array {
  const expected = `${nq + nv} numbers (qpos: ${nq}, then qvel: ${nv})`;
  const isArrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isArrayLike) {
    throw new TypeError(`${envId}: ${what} must be an array of ${expected}, got ${value === null ? 'null' : typeof value}`);
  }
  const values = value as ArrayLike<unknown>;
  if (values.length !== nq + nv) {
    throw new RangeError(`${envId}: ${what} must hold ${expected}, got ${values.length} value${values.length === 1 ? '' : 's'}`);
  }
  const state = new Float64Array(nq + nv);
  for (let i = 0; i < state.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const where = i < nq ? `qpos[${i}]` : `qvel[${i - nq}]`;
      throw new TypeError(`${envId}: ${what}[${i}] (${where}) must be a finite number, got ${String(v)}`);
    }
    state[i] = v;
  }
  return state;
}

const RESET_OPTION_KEYS = ['state'];

/** `options.state` as a state vector, or undefined; other option keys are errors. */
export function readStartState(envId: string, options: Record<string, unknown> | undefined, nq: number, nv: number): Float64Array | undefined {
  if (!options) return undefined;
  const unknown = Object.keys(options).filter((key) => !RESET_OPTION_KEYS.includes(key) && options[key] !== undefined);
  if (unknown.length) {
    throw new TypeError(`${envId}: unknown reset option${unknown.length === 1 ? '' : 's'} '${unknown.join("', '")}'; allowed: state (qpos then qvel)`);
  }
  return options.state === undefined ? undefined : toStateVector(envId, options.state, nq, nv, 'reset option state');
}
