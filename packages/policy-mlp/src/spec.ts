import { Box, Discrete, RlftError, flatDim, spaceFromJSON, type Space, type SpaceJSON } from '@rlft/core';

/** How an MLP policy's outputs become actions. */
export type MlpActionSpec =
  | { type: 'discrete'; n: number; start: number }
  /**
   * A diagonal Gaussian over the Box's flat elements. Unbounded sides hold ±FLOAT32_MAX so that
   * the spec stays plain JSON (JSON has no infinity) and clipping to them changes nothing.
   */
  | { type: 'continuous'; dim: number; low: number[]; high: number[] };

export type MlpActivation = 'tanh' | 'relu';
export const MLP_ACTIVATIONS: readonly MlpActivation[] = ['tanh', 'relu'];

/** Observation normalisation applied before the network: clip((obs − mean) / √(var + ε), ±clip). */
export interface ObsNormalizationSpec {
  clip: number;
  epsilon: number;
}

/**
 * Everything needed to rebuild an MLP policy around its tensors: the spaces it was trained on,
 * the layer sizes and the input transform. Plain JSON, stored in checkpoint metadata as `policy`.
 */
export interface MlpPolicySpec {
  kind: 'mlp';
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  /** Length of the flattened observation (core's `flatDim`). */
  obsDim: number;
  action: MlpActionSpec;
  actorHidden: number[];
  /** null: actor only (REINFORCE, GRPO). */
  criticHidden: number[] | null;
  activation: MlpActivation;
  obsNormalization: ObsNormalizationSpec | null;
}

export interface MlpSpecOptions {
  actorHidden?: number[];
  /** Hidden sizes of the value network; null for an actor-only policy. */
  criticHidden?: number[] | null;
  activation?: MlpActivation;
  /** true (CleanRL's clip 10, ε 1e-8), a partial override, or null/false/undefined for none. */
  obsNormalization?: boolean | Partial<ObsNormalizationSpec> | null;
}

export const DEFAULT_HIDDEN: readonly number[] = [64, 64];
export const DEFAULT_OBS_NORMALIZATION: Readonly<ObsNormalizationSpec> = { clip: 10, epsilon: 1e-8 };

/** The largest finite float32: the stand-in for an unbounded side of a Box action. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export class MlpSpecError extends RlftError {
  constructor(message: string) {
    super('MLP_SPEC', message);
  }
}

/** Build the spec of an MLP policy for an environment's spaces. */
export function mlpSpecFor(observationSpace: Space, actionSpace: Space, options: MlpSpecOptions = {}): MlpPolicySpec {
  const { actorHidden = [...DEFAULT_HIDDEN], criticHidden = [...DEFAULT_HIDDEN], activation = 'tanh' } = options;
  const spec: MlpPolicySpec = {
    kind: 'mlp',
    observationSpace: observationSpace.toJSON(),
    actionSpace: actionSpace.toJSON(),
    obsDim: observationDim(observationSpace),
    action: actionSpecFor(actionSpace),
    actorHidden: [...actorHidden],
    criticHidden: criticHidden === null ? null : [...criticHidden],
    activation,
    obsNormalization: normalizationFor(options.obsNormalization),
  };
  return validateMlpSpec(spec);
}

/** Number of network outputs: logits per discrete action, or Gaussian means per Box element. */
export function actionDim(spec: MlpPolicySpec): number {
  return spec.action.type === 'discrete' ? spec.action.n : spec.action.dim;
}

function observationDim(space: Space): number {
  try {
    return flatDim(space);
  } catch (error) {
    throw new MlpSpecError(
      `An MLP policy needs observations that flatten to a numeric vector; ${space.toString()} does not (${(error as Error).message}).`,
    );
  }
}

function actionSpecFor(space: Space): MlpActionSpec {
  if (space instanceof Discrete) return { type: 'discrete', n: space.n, start: space.start };
  if (space instanceof Box) {
    if (space.dtype !== 'float32' && space.dtype !== 'float64') {
      throw new MlpSpecError(`An MLP policy acts in Discrete or floating-point Box action spaces; ${space.toString()} has integer elements. Use a Discrete or MultiDiscrete policy instead.`);
    }
    const finite = (v: number): number => (v === Infinity ? FLOAT32_MAX : v === -Infinity ? -FLOAT32_MAX : v);
    return { type: 'continuous', dim: space.size, low: Array.from(space.low, finite), high: Array.from(space.high, finite) };
  }
  throw new MlpSpecError(`An MLP policy acts in Discrete or Box action spaces; got ${space.toString()}.`);
}

function normalizationFor(option: MlpSpecOptions['obsNormalization']): ObsNormalizationSpec | null {
  if (option === undefined || option === null || option === false) return null;
  if (option === true) return { ...DEFAULT_OBS_NORMALIZATION };
  return { ...DEFAULT_OBS_NORMALIZATION, ...option };
}

/**
 * Check a spec (e.g. read back from checkpoint metadata) and return it typed. Every problem is
 * listed with the field's name and what is allowed.
 */
export function validateMlpSpec(input: unknown): MlpPolicySpec {
  if (typeof input !== 'object' || input === null) throw new MlpSpecError(`An MLP policy spec must be an object, got ${JSON.stringify(input)}`);
  const spec = input as Partial<MlpPolicySpec>;
  const problems: string[] = [];
  const sizes = (value: unknown): value is number[] => Array.isArray(value) && value.every((n) => Number.isInteger(n) && n > 0);
  if (spec.kind !== 'mlp') problems.push(`kind must be 'mlp', got ${JSON.stringify(spec.kind)}`);
  if (!Number.isInteger(spec.obsDim) || spec.obsDim! <= 0) problems.push(`obsDim must be a positive integer, got ${JSON.stringify(spec.obsDim)}`);
  if (!sizes(spec.actorHidden)) problems.push(`actorHidden must be a list of positive integers, got ${JSON.stringify(spec.actorHidden)}`);
  if (spec.criticHidden !== null && !sizes(spec.criticHidden)) {
    problems.push(`criticHidden must be a list of positive integers or null, got ${JSON.stringify(spec.criticHidden)}`);
  }
  if (!MLP_ACTIVATIONS.includes(spec.activation as MlpActivation)) {
    problems.push(`activation must be one of ${MLP_ACTIVATIONS.join(', ')}, got ${JSON.stringify(spec.activation)}`);
  }
  const norm = spec.obsNormalization;
  if (norm !== null && (typeof norm !== 'object' || !(norm.clip > 0) || !(norm.epsilon >= 0))) {
    problems.push(`obsNormalization must be null or { clip > 0, epsilon ≥ 0 }, got ${JSON.stringify(norm)}`);
  }
  problems.push(...actionProblems(spec.action));
  for (const key of ['observationSpace', 'actionSpace'] as const) {
    let space: Space;
    try {
      space = spaceFromJSON(spec[key] as SpaceJSON);
    } catch (error) {
      problems.push(`${key} is not a space description (${(error as Error).message})`);
      continue;
    }
    if (key === 'observationSpace' && Number.isInteger(spec.obsDim)) {
      let dim: number | undefined;
      try {
        dim = flatDim(space);
      } catch {
        problems.push(`observationSpace ${space.toString()} does not flatten to a vector`);
      }
      if (dim !== undefined && dim !== spec.obsDim) problems.push(`obsDim is ${spec.obsDim} but ${space.toString()} flattens to ${dim}`);
    }
  }
  if (problems.length) throw new MlpSpecError(`Invalid MLP policy spec: ${problems.join('; ')}.`);
  return spec as MlpPolicySpec;
}

function actionProblems(action: unknown): string[] {
  const a = action as Partial<Record<string, unknown>> | undefined;
  if (a?.type === 'discrete') {
    return Number.isInteger(a.n) && (a.n as number) > 0 && Number.isInteger(a.start) ? [] : [`action: a discrete action needs integer n > 0 and start, got ${JSON.stringify(a)}`];
  }
  if (a?.type === 'continuous') {
    const dim = a.dim as number;
    const bounds = (v: unknown): boolean => Array.isArray(v) && v.length === dim && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    return Number.isInteger(dim) && dim > 0 && bounds(a.low) && bounds(a.high) ? [] : [`action: a continuous action needs dim > 0 and finite low/high lists of that length, got ${JSON.stringify(a)}`];
  }
  return [`action.type must be 'discrete' or 'continuous', got ${JSON.stringify(a?.type)}`];
}

/**
 * Throw unless the environment's spaces are the ones the policy was trained on. The message names
 * both sides so that a wrong checkpoint/env pairing is obvious.
 */
export function assertSpecMatchesSpaces(spec: MlpPolicySpec, observationSpace: Space, actionSpace: Space, where = 'this environment'): void {
  const trainedObs = spaceFromJSON(spec.observationSpace);
  const trainedAct = spaceFromJSON(spec.actionSpace);
  const mismatches: string[] = [];
  if (!trainedObs.equals(observationSpace)) {
    mismatches.push(`observation space: policy ${trainedObs.toString()}, env ${observationSpace.toString()}`);
  }
  if (!trainedAct.equals(actionSpace)) {
    mismatches.push(`action space: policy ${trainedAct.toString()}, env ${actionSpace.toString()}`);
  }
  if (mismatches.length) {
    throw new MlpSpecError(`The MLP policy was trained on other spaces than ${where} has (${mismatches.join('; ')}).`);
  }
}
