/**
 * Host-side return and advantage estimators shared by every policy-gradient algorithm
 * (PPO, REINFORCE, GRPO, RLOO, DAPO, …). Rollouts are time-major: element t·N + i is step t
 * of environment i, for T steps × N envs. Sums run in float64; results are Float32Array.
 */

export interface GaeInput {
  /** r_t, [T·N]. */
  rewards: ArrayLike<number>;
  /** V(s_t), [T·N]. */
  values: ArrayLike<number>;
  /**
   * 1 where env i's episode ended with the transition at step t (terminated or truncated),
   * else 0, [T·N]. The value after an ended transition is not bootstrapped: to bootstrap a
   * truncation, add γ·V(final observation) to that step's reward before calling.
   */
  dones: ArrayLike<number>;
  /** V of the observation after the last step, [N]. */
  lastValues: ArrayLike<number>;
  gamma: number;
  lambda: number;
  numEnvs: number;
  /** Buffers to fill instead of allocating ([T·N] each). */
  out?: { advantages: Float32Array; returns: Float32Array };
}

export interface GaeResult {
  advantages: Float32Array;
  /** advantages + values: the critic's regression target. */
  returns: Float32Array;
}

function checkRollout(numEnvs: number, length: number, arrays: Record<string, ArrayLike<number>>, what: string): number {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`${what}: numEnvs must be an integer ≥ 1, got ${numEnvs}`);
  if (length % numEnvs !== 0) throw new RangeError(`${what}: rewards has length ${length}, not a multiple of numEnvs (${numEnvs}); the layout is [T·N] time-major`);
  for (const [name, array] of Object.entries(arrays)) {
    if (array.length !== length) throw new RangeError(`${what}: ${name} has length ${array.length}, expected ${length} like rewards`);
  }
  return length / numEnvs;
}

function checkDiscount(name: string, value: number, what: string): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${what}: ${name} must be in [0, 1], got ${value}`);
}

/**
 * Generalised advantage estimation (Schulman et al. 2016), written as CleanRL does but with
 * `dones` marking the end of the transition at t:
 *   δ_t = r_t + γ·(1 − d_t)·V_{t+1} − V_t,   A_t = δ_t + γλ·(1 − d_t)·A_{t+1},
 * with V_T = lastValues; returns = A + V.
 */
export function computeGae(input: GaeInput): GaeResult {
  const { rewards, values, dones, lastValues, gamma, lambda, numEnvs } = input;
  const steps = checkRollout(numEnvs, rewards.length, { values, dones }, 'computeGae');
  checkDiscount('gamma', gamma, 'computeGae');
  checkDiscount('lambda', lambda, 'computeGae');
  if (lastValues.length !== numEnvs) throw new RangeError(`computeGae: lastValues has length ${lastValues.length}, expected numEnvs (${numEnvs})`);
  const advantages = input.out?.advantages ?? new Float32Array(rewards.length);
  const returns = input.out?.returns ?? new Float32Array(rewards.length);
  if (advantages.length !== rewards.length || returns.length !== rewards.length) {
    throw new RangeError(`computeGae: out buffers must have length ${rewards.length}`);
  }
  for (let env = 0; env < numEnvs; env++) {
    let nextAdvantage = 0;
    let nextValue = lastValues[env];
    for (let t = steps - 1; t >= 0; t--) {
      const k = t * numEnvs + env;
      const notDone = 1 - dones[k];
      const delta = rewards[k] + gamma * notDone * nextValue - values[k];
      nextAdvantage = delta + gamma * lambda * notDone * nextAdvantage;
      advantages[k] = nextAdvantage;
      returns[k] = nextAdvantage + values[k];
      nextValue = values[k];
    }
  }
  return { advantages, returns };
}

export interface DiscountedReturnsInput {
  rewards: ArrayLike<number>;
  /** As in {@link GaeInput.dones}: 1 where the episode ended with the transition at t. */
  dones: ArrayLike<number>;
  gamma: number;
  numEnvs: number;
  /** Value to bootstrap from after the last step, [N]; omitted: 0 (complete episodes). */
  lastValues?: ArrayLike<number>;
  out?: Float32Array;
}

/** Monte-Carlo returns G_t = r_t + γ·(1 − d_t)·G_{t+1} with G_T = lastValues (REINFORCE). */
export function discountedReturns(input: DiscountedReturnsInput): Float32Array {
  const { rewards, dones, gamma, numEnvs, lastValues } = input;
  const steps = checkRollout(numEnvs, rewards.length, { dones }, 'discountedReturns');
  checkDiscount('gamma', gamma, 'discountedReturns');
  if (lastValues && lastValues.length !== numEnvs) throw new RangeError(`discountedReturns: lastValues has length ${lastValues.length}, expected numEnvs (${numEnvs})`);
  const returns = input.out ?? new Float32Array(rewards.length);
  if (returns.length !== rewards.length) throw new RangeError(`discountedReturns: out must have length ${rewards.length}`);
  for (let env = 0; env < numEnvs; env++) {
    let next = lastValues ? lastValues[env] : 0;
    for (let t = steps - 1; t >= 0; t--) {
      const k = t * numEnvs + env;
      next = rewards[k] + gamma * (1 - dones[k]) * next;
      returns[k] = next;
    }
  }
  return returns;
}

/** Mean and torch's unbiased (n − 1) standard deviation of values[start … end); std is 0 below two values (as TRL). */
export function meanStd(values: ArrayLike<number>, start = 0, end = values.length): { mean: number; std: number } {
  const n = end - start;
  if (n < 1) return { mean: NaN, std: 0 };
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i];
  const mean = sum / n;
  if (n < 2) return { mean, std: 0 };
  let squares = 0;
  for (let i = start; i < end; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (n - 1)) };
}

/**
 * (x − mean)/(std + eps) with the unbiased std, as CleanRL's advantage normalisation
 * (`(a − a.mean()) / (a.std() + 1e-8)`). A single value normalises to 0.
 */
export function normalize(values: ArrayLike<number>, eps = 1e-8, out = new Float32Array(values.length)): Float32Array {
  if (out.length !== values.length) throw new RangeError(`normalize: out has length ${out.length}, expected ${values.length}`);
  const { mean, std } = meanStd(values);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - mean) / (std + eps);
  return out;
}

export type AdvantageScale = 'group' | 'batch' | 'none';
export const ADVANTAGE_SCALES: readonly AdvantageScale[] = ['group', 'batch', 'none'];

function checkGroups(length: number, groupSize: number, what: string, minimum: number): void {
  if (!Number.isInteger(groupSize) || groupSize < minimum) throw new RangeError(`${what}: groupSize must be an integer ≥ ${minimum}, got ${groupSize}`);
  if (length % groupSize !== 0) {
    throw new RangeError(`${what}: ${length} rewards do not split into groups of ${groupSize}; the G completions of a prompt must be contiguous`);
  }
}

/**
 * GRPO's advantages: each reward minus its group's mean (groups of `groupSize` contiguous
 * completions of one prompt), divided by std + eps where the std is the group's ('group',
 * GRPO), the whole batch's rewards' ('batch', as TRL's scale_rewards) or not at all ('none',
 * Dr. GRPO / rlft4rl). Unbiased std, 0 for a single value, as TRL.
 */
export function groupRelativeAdvantages(rewards: ArrayLike<number>, groupSize: number, scale: AdvantageScale = 'group', eps = 1e-4): Float32Array {
  checkGroups(rewards.length, groupSize, 'groupRelativeAdvantages', 1);
  if (!ADVANTAGE_SCALES.includes(scale)) throw new RangeError(`groupRelativeAdvantages: unknown scale '${String(scale)}'; allowed: ${ADVANTAGE_SCALES.join(', ')}`);
  const advantages = new Float32Array(rewards.length);
  const batchStd = scale === 'batch' ? meanStd(rewards).std : 0;
  for (let start = 0; start < rewards.length; start += groupSize) {
    const { mean, std } = meanStd(rewards, start, start + groupSize);
    const divisor = scale === 'none' ? 1 : (scale === 'group' ? std : batchStd) + eps;
    for (let i = start; i < start + groupSize; i++) advantages[i] = (rewards[i] - mean) / divisor;
  }
  return advantages;
}

/**
 * RLOO's advantages: r_i minus the leave-one-out baseline (Σ_j r_j − r_i)/(G − 1) of its group,
 * which equals G/(G − 1)·(r_i − group mean).
 */
export function rlooAdvantages(rewards: ArrayLike<number>, groupSize: number): Float32Array {
  checkGroups(rewards.length, groupSize, 'rlooAdvantages', 2);
  const advantages = new Float32Array(rewards.length);
  for (let start = 0; start < rewards.length; start += groupSize) {
    let sum = 0;
    for (let i = start; i < start + groupSize; i++) sum += rewards[i];
    for (let i = start; i < start + groupSize; i++) advantages[i] = rewards[i] - (sum - rewards[i]) / (groupSize - 1);
  }
  return advantages;
}
