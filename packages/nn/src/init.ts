import type { Rng } from '@rlft/core';

/**
 * Host-side parameter initialisers. Weights are row-major `Float32Array`s of shape
 * [fanIn, fanOut], because layers compute `x @ W`; PyTorch stores a Linear weight as
 * [fanOut, fanIn], so each initialiser here gives the transpose of its torch namesake.
 * Every random draw comes from the given seeded `Rng`.
 */
export type WeightShape = readonly [fanIn: number, fanOut: number];

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be an integer ≥ 0, got ${n}`);
}

function checkShape(shape: WeightShape, initialiser: string): void {
  const [fanIn, fanOut] = shape;
  if (!Number.isInteger(fanIn) || !Number.isInteger(fanOut) || fanIn < 1 || fanOut < 1) {
    throw new RangeError(`${initialiser}: the weight shape must be two integers ≥ 1 [fanIn, fanOut], got [${shape.join(', ')}]`);
  }
}

export function zeros(n: number): Float32Array {
  checkCount(n, 'zeros: the length');
  return new Float32Array(n);
}

export function constant(n: number, value: number): Float32Array {
  checkCount(n, 'constant: the length');
  return new Float32Array(n).fill(value);
}

/** Uniform on [low, high). */
export function uniform(rng: Rng, n: number, low: number, high: number): Float32Array {
  checkCount(n, 'uniform: the length');
  if (!(low <= high)) throw new RangeError(`uniform: low must be ≤ high, got [${low}, ${high})`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(low, high);
  return out;
}

export function normal(rng: Rng, n: number, std = 1, mean = 0): Float32Array {
  checkCount(n, 'normal: the length');
  if (!(std >= 0)) throw new RangeError(`normal: std must be ≥ 0, got ${std}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal(mean, std);
  return out;
}

/** Glorot/Xavier uniform: bound gain·√(6 / (fanIn + fanOut)) (torch's `xavier_uniform_`). */
export function xavierUniform(rng: Rng, shape: WeightShape, gain = 1): Float32Array {
  checkShape(shape, 'xavierUniform');
  const bound = gain * Math.sqrt(6 / (shape[0] + shape[1]));
  return uniform(rng, shape[0] * shape[1], -bound, bound);
}

/**
 * PyTorch's default `nn.Linear` weight: `kaiming_uniform_(a=√5)`, whose bound
 * gain·√(3/fanIn) with gain √(2/(1+5)) reduces to 1/√fanIn.
 */
export function kaimingUniformLinear(rng: Rng, shape: WeightShape): Float32Array {
  checkShape(shape, 'kaimingUniformLinear');
  const bound = 1 / Math.sqrt(shape[0]);
  return uniform(rng, shape[0] * shape[1], -bound, bound);
}

/** PyTorch's default `nn.Linear` bias: uniform on ±1/√fanIn, one value per output. */
export function linearBiasDefault(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  checkShape([fanIn, fanOut], 'linearBiasDefault');
  const bound = 1 / Math.sqrt(fanIn);
  return uniform(rng, fanOut, -bound, bound);
}

/**
 * Orthogonal initialisation (Saxe et al.; torch's `orthogonal_`, used by CleanRL's PPO with
 * gain √2 for hidden layers, 0.01 for the actor head and 1 for the critic head). A Gaussian
 * matrix is factored as QR and Q, scaled by `gain`, is the weight: along the smaller side
 * the rows or columns are orthonormal, so WᵀW = gain²·I when fanIn ≥ fanOut and
 * WWᵀ = gain²·I when fanIn ≤ fanOut — the transpose of torch's result for a [fanOut, fanIn]
 * weight. torch fixes QR's sign ambiguity by multiplying Q by sign(diag R) so that Q is
 * Haar-distributed; Gram–Schmidt produces R with a positive diagonal, which is that same
 * convention, so no correction is needed here.
 */
export function orthogonal(rng: Rng, shape: WeightShape, gain = 1): Float32Array {
  checkShape(shape, 'orthogonal');
  const [fanIn, fanOut] = shape;
  const rows = Math.max(fanIn, fanOut);
  const cols = Math.min(fanIn, fanOut);
  // Column-major `rows × cols` in float64: column j is q[j·rows … (j+1)·rows).
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < cols; j++) {
    const column = q.subarray(j * rows, (j + 1) * rows);
    // Two passes of modified Gram–Schmidt ("twice is enough") keep Q orthogonal to float64 precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const previous = q.subarray(k * rows, (k + 1) * rows);
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += previous[i] * column[i];
        for (let i = 0; i < rows; i++) column[i] -= dot * previous[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += column[i] * column[i];
    norm = Math.sqrt(norm);
    // A Gaussian column in the span of the previous ones has probability zero.
    if (!(norm > 0)) throw new Error('orthogonal: degenerate Gaussian draw; try another seed');
    for (let i = 0; i < rows; i++) column[i] /= norm;
  }
  const out = new Float32Array(fanIn * fanOut);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      const value = gain * q[j * rows + i];
      // fanIn ≥ fanOut: W = Q (orthonormal columns); otherwise W = Qᵀ (orthonormal rows).
      if (fanIn >= fanOut) out[i * fanOut + j] = value;
      else out[j * fanOut + i] = value;
    }
  }
  return out;
}
