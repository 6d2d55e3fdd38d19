import { grad, numpy as np } from '@jax-js/jax';

/**
 * Gradient checking for tests of losses and models: the engine's float32 gradient against
 * central differences of a float64 host reimplementation. Differencing in float64 leaves a
 * truncation error of O(h²) and a rounding error of O(ε₆₄/h), both far below float32's
 * resolution for h around 1e-5, so the comparison measures the engine alone.
 */

/** (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every coordinate i of x. */
export function numericalGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  if (!(h > 0)) throw new RangeError(`numericalGradient: the step h must be > 0, got ${h}`);
  const point = Float64Array.from(x);
  const gradient = new Float64Array(point.length);
  for (let i = 0; i < point.length; i++) {
    const original = point[i];
    point[i] = original + h;
    const above = f(point);
    point[i] = original - h;
    const below = f(point);
    point[i] = original;
    gradient[i] = (above - below) / (2 * h);
  }
  return gradient;
}

/**
 * The largest difference between two gradients relative to the size of the expected one:
 * maxᵢ |actualᵢ − expectedᵢ| / maxᵢ |expectedᵢ| (an all-zero expectation is compared absolutely).
 * Relative to the largest component rather than to each, so that components near zero do
 * not turn float32 rounding into huge ratios.
 */
export function gradientError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`gradientError: lengths differ (${actual.length} vs ${expected.length})`);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const difference = Math.abs(actual[i] - expected[i]);
    worst = Number.isNaN(difference) ? Infinity : Math.max(worst, difference);
  }
  return scale > 0 ? worst / scale : worst;
}

/** An array on the host: row-major data and its shape. */
export interface HostArray {
  data: ArrayLike<number>;
  shape: number[];
}

/**
 * The engine's gradient of a scalar function of arrays with respect to argument `argnum`,
 * read back to the host. `f` receives fresh float32 engine arrays (and consumes them).
 */
export function engineGradient(f: (...args: np.Array[]) => np.Array, inputs: readonly HostArray[], argnum = 0): Float32Array {
  if (!Number.isInteger(argnum) || argnum < 0 || argnum >= inputs.length) {
    throw new RangeError(`engineGradient: argnum ${argnum} is not an index of the ${inputs.length} inputs`);
  }
  const args = inputs.map(({ data, shape }) => np.array(Float32Array.from(data), { shape }));
  const gradient = grad(f, { argnums: argnum })(...args) as np.Array;
  return Float32Array.from(gradient.dataSync());
}
