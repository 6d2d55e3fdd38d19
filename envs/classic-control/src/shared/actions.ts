/**
 * Continuous classic-control actions are Box(…, (1,), float32). Gymnasium receives them as
 * float32 numpy arrays, so the value used is the float32 one; plain numbers are rounded the
 * same way, so that any array with the same float32 value gives the same step.
 */
export function readFloat32Action(envId: string, action: unknown): number {
  const isArrayLike = Array.isArray(action) || (ArrayBuffer.isView(action) && !(action instanceof DataView));
  if (!isArrayLike || (action as ArrayLike<unknown>).length !== 1) {
    throw new TypeError(`${envId}: the action must be an array of 1 number (a Float32Array from the action space), got ${describe(action)}`);
  }
  const value = (action as ArrayLike<unknown>)[0];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${envId}: the action must hold a finite number, got ${String(value)}`);
  }
  return Math.fround(value);
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return `${value.constructor.name} of length ${(value as ArrayLike<unknown>).length}`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
