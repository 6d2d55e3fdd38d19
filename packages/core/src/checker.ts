import type { Env, Info, RgbFrame } from './env.js';
import { RlftError } from './errors.js';
import { Rng } from './rng.js';
import { Box } from './spaces/box.js';
import { Dict } from './spaces/dict.js';
import { Discrete } from './spaces/discrete.js';
import { typedArrayConstructor } from './spaces/dtype.js';
import { spaceFromJSON } from './spaces/from-json.js';
import { MultiBinary } from './spaces/multi-binary.js';
import { MultiDiscrete } from './spaces/multi-discrete.js';
import { Space, describeValue } from './spaces/space.js';
import { Tuple } from './spaces/tuple.js';

export interface CheckEnvOptions {
  /** Seed for resets and for the sampled actions (default 0). */
  seed?: number;
  /** Steps taken in the step and determinism checks (default 100). */
  steps?: number;
  /** Skip rendering in each declared render mode. */
  skipRenderCheck?: boolean;
}

/** A failed env check: names the environment and the check. */
export class EnvCheckError extends RlftError {
  readonly envId: string;
  readonly check: string;
  constructor(envId: string, check: string, detail: string, options?: ErrorOptions) {
    super('ENV_CHECK', `checkEnv(${envId}) failed the ${check} check: ${detail}`, options);
    this.envId = envId;
    this.check = check;
  }
}

/**
 * Checks that an environment keeps the Env contract (Gymnasium's `check_env`): its spaces are
 * Space instances that survive a JSON round trip; `reset` and `step` return the documented
 * fields with the right types and observations inside the observation space; observations
 * are not changed after they are handed out; two fresh envs reset with the same seed and
 * given the same actions produce bit-identical observations and rewards (unless the spec says
 * `nondeterministic`), and so does resetting one env twice with the same seed; rendering in
 * each declared 'ansi' or 'rgb_array' mode returns text or an RGB frame.
 *
 * `makeEnv` is called several times and must return a fresh environment each time.
 */
export async function checkEnv(makeEnv: () => Env | Promise<Env>, options: CheckEnvOptions = {}): Promise<void> {
  const seed = options.seed ?? 0;
  const steps = options.steps ?? 100;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`checkEnv seed must be a safe integer, got ${seed}`);
  if (!Number.isInteger(steps) || steps <= 0) throw new RangeError(`checkEnv steps must be a positive integer, got ${steps}`);

  const env = await create(makeEnv);
  let recorded: Trajectory;
  let nondeterministic: boolean;
  try {
    const name = env.id;
    checkSpaces(env, name);
    checkMetadata(env, name);
    checkResetDeterminism(env, name, seed);
    recorded = rollout(env, name, seed, steps);
    nondeterministic = env.spec?.nondeterministic === true;
  } finally {
    env.close();
  }

  if (!nondeterministic) {
    const twin = await create(makeEnv);
    try {
      compareRollouts(twin, recorded, seed);
    } finally {
      twin.close();
    }
  }

  if (!options.skipRenderCheck) {
    for (const mode of env.metadata.renderModes) {
      if (mode === 'ansi' || mode === 'rgb_array') await checkRender(makeEnv, mode, seed);
    }
  }
}

interface Transition {
  /** 'reset' entries start an episode; 'step' entries follow an action. */
  kind: 'reset' | 'step';
  action?: unknown;
  obs: unknown;
  reward?: number;
  terminated?: boolean;
  truncated?: boolean;
}

interface Trajectory {
  envId: string;
  transitions: Transition[];
}

async function create(makeEnv: () => Env | Promise<Env>): Promise<Env> {
  let env: unknown;
  try {
    env = await makeEnv();
  } catch (error) {
    throw new EnvCheckError('makeEnv', 'creation', `makeEnv() threw: ${messageOf(error)}`, { cause: error });
  }
  if (typeof env !== 'object' || env === null || typeof (env as Env).reset !== 'function' || typeof (env as Env).step !== 'function') {
    throw new EnvCheckError('makeEnv', 'creation', `makeEnv() must return an environment with reset() and step(), got ${describeValue(env)}`);
  }
  return env as Env;
}

function checkSpaces(env: Env, name: string): void {
  for (const [label, space] of [
    ['observation space', env.observationSpace],
    ['action space', env.actionSpace],
  ] as const) {
    if (!(space instanceof Space)) {
      throw new EnvCheckError(name, label, `expected a Space instance (Box, Discrete, …) from @rlft/core, got ${describeValue(space)}`);
    }
    let text: string;
    let back: Space;
    try {
      text = JSON.stringify(space.toJSON());
      back = spaceFromJSON(JSON.parse(text));
    } catch (error) {
      throw new EnvCheckError(name, `${label} JSON round trip`, `${space.toString()} could not be written and read back: ${messageOf(error)}`, { cause: error });
    }
    if (JSON.stringify(back.toJSON()) !== text || back.type !== space.type) {
      throw new EnvCheckError(name, `${label} JSON round trip`, `${space.toString()} came back as ${back.toString()} (${text})`);
    }
  }
}

function checkMetadata(env: Env, name: string): void {
  const modes = env.metadata?.renderModes;
  if (!Array.isArray(modes) || !modes.every((m) => typeof m === 'string')) {
    throw new EnvCheckError(name, 'metadata', `metadata.renderModes must be an array of strings, got ${describeValue(modes)}`);
  }
  if (env.renderMode !== undefined && !modes.includes(env.renderMode)) {
    throw new EnvCheckError(name, 'metadata', `renderMode '${env.renderMode}' is not among metadata.renderModes (${modes.join(', ') || 'none'})`);
  }
}

function checkResetDeterminism(env: Env, name: string, seed: number): void {
  const first = snapshot(callReset(env, name, seed, 'reset').obs);
  const second = callReset(env, name, seed, 'reset').obs;
  const difference = describeDifference(first, second);
  if (difference) {
    throw new EnvCheckError(name, 'reset determinism', `two resets with seed ${seed} gave different first observations: ${difference}`);
  }
}

/** Reset with `seed`, then take `steps` sampled actions (resetting without a seed when an episode ends). */
function rollout(env: Env, name: string, seed: number, steps: number): Trajectory {
  const actionRng = Rng.fromSeed(seed);
  const transitions: Transition[] = [];
  // Observations as handed out, to verify later that the env did not reuse their memory.
  const handedOut: unknown[] = [];
  let { obs, info } = callReset(env, name, seed, 'reset');
  transitions.push({ kind: 'reset', obs: snapshot(obs) });
  handedOut.push(obs);
  for (let t = 0; t < steps; t++) {
    const action = sampleAction(env, info, actionRng, name);
    const result = callStep(env, name, action, t, 'step');
    transitions.push({ kind: 'step', action: snapshot(action), obs: snapshot(result.obs), reward: result.reward, terminated: result.terminated, truncated: result.truncated });
    handedOut.push(result.obs);
    ({ obs, info } = result);
    if (result.terminated || result.truncated) {
      ({ obs, info } = callReset(env, name, undefined, 'reset'));
      transitions.push({ kind: 'reset', obs: snapshot(obs) });
      handedOut.push(obs);
    }
  }
  for (let i = 0; i < handedOut.length; i++) {
    const difference = describeDifference(transitions[i].obs, handedOut[i]);
    if (difference) {
      throw new EnvCheckError(
        name,
        'observation ownership',
        `the observation returned by ${transitions[i].kind} #${i} was changed by later calls (${difference}); return a new array each time, callers keep observations`,
      );
    }
  }
  return { envId: name, transitions };
}

/** Replays the recorded actions in a fresh env and requires the same transitions, bit for bit. */
function compareRollouts(env: Env, recorded: Trajectory, seed: number): void {
  const name = recorded.envId;
  let stepIndex = 0;
  for (let i = 0; i < recorded.transitions.length; i++) {
    const expected = recorded.transitions[i];
    let actual: Transition;
    if (expected.kind === 'reset') {
      const isFirst = i === 0;
      actual = { kind: 'reset', obs: callReset(env, name, isFirst ? seed : undefined, 'step determinism').obs };
    } else {
      const result = callStep(env, name, snapshot(expected.action), stepIndex, 'step determinism');
      actual = { kind: 'step', obs: result.obs, reward: result.reward, terminated: result.terminated, truncated: result.truncated };
      stepIndex++;
    }
    const where = expected.kind === 'reset' ? (i === 0 ? `the reset with seed ${seed}` : `the reset after step ${stepIndex - 1}`) : `step ${stepIndex - 1}`;
    const fields = ['obs', 'reward', 'terminated', 'truncated'] as const;
    for (const field of fields) {
      const difference = describeDifference(expected[field], actual[field]);
      if (difference) {
        throw new EnvCheckError(
          name,
          'step determinism',
          `two fresh envs reset with seed ${seed} and given the same actions differ in ${field} at ${where}: ${difference}. Draw all randomness from env.rng (seeded in reset), or mark the spec nondeterministic`,
        );
      }
    }
  }
}

async function checkRender(makeEnv: () => Env | Promise<Env>, mode: string, seed: number): Promise<void> {
  const env = await create(makeEnv);
  const name = env.id;
  try {
    env.renderMode = mode;
    const { info } = callReset(env, name, seed, `render '${mode}'`);
    checkFrame(name, mode, callRender(env, name, mode), 'after reset');
    callStep(env, name, sampleAction(env, info, Rng.fromSeed(seed), name), 0, `render '${mode}'`);
    checkFrame(name, mode, callRender(env, name, mode), 'after a step');
  } finally {
    env.close();
  }
}

function checkFrame(name: string, mode: string, frame: unknown, when: string): void {
  const check = `render '${mode}'`;
  if (mode === 'ansi') {
    if (typeof frame !== 'string') throw new EnvCheckError(name, check, `render() ${when} must return a string, got ${describeValue(frame)}`);
    return;
  }
  const rgb = frame as Partial<RgbFrame> | undefined;
  const width = rgb?.width;
  const height = rgb?.height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! <= 0 || height! <= 0 || !(rgb?.data instanceof Uint8Array)) {
    throw new EnvCheckError(name, check, `render() ${when} must return { width, height, data: Uint8Array } with positive integer sizes, got ${describeValue(frame)}`);
  }
  if (rgb.data.length !== width! * height! * 3) {
    throw new EnvCheckError(name, check, `render() ${when} returned ${rgb.data.length} bytes for a ${width}×${height} frame; expected ${width! * height! * 3} (3 per pixel)`);
  }
}

function callReset(env: Env, name: string, seed: number | undefined, check: string): { obs: unknown; info: Info } {
  let result: unknown;
  try {
    result = env.reset(seed === undefined ? {} : { seed });
  } catch (error) {
    throw new EnvCheckError(name, check, `reset(${seed === undefined ? '' : `{ seed: ${seed} }`}) threw: ${messageOf(error)}`, { cause: error });
  }
  if (result instanceof Promise) throw new EnvCheckError(name, check, 'reset() returned a Promise; reset and step must be synchronous');
  if (typeof result !== 'object' || result === null || !('obs' in result) || !('info' in result)) {
    throw new EnvCheckError(name, check, `reset() must return { obs, info }, got ${describeValue(result)}`);
  }
  const { obs, info } = result as { obs: unknown; info: unknown };
  checkObservation(env, name, obs, 'reset()', check);
  checkInfo(name, info, 'reset()', check);
  return { obs, info: info as Info };
}

function callStep(
  env: Env,
  name: string,
  action: unknown,
  index: number,
  check: string,
): { obs: unknown; reward: number; terminated: boolean; truncated: boolean; info: Info } {
  let result: unknown;
  try {
    result = env.step(action);
  } catch (error) {
    throw new EnvCheckError(name, check, `step ${index} with action ${describeValue(action)} threw: ${messageOf(error)}`, { cause: error });
  }
  const where = `step ${index}`;
  if (result instanceof Promise) throw new EnvCheckError(name, check, `${where}: step() returned a Promise; reset and step must be synchronous`);
  if (typeof result !== 'object' || result === null) throw new EnvCheckError(name, check, `${where}: step() must return an object, got ${describeValue(result)}`);
  const { obs, reward, terminated, truncated, info } = result as Record<string, unknown>;
  for (const field of ['obs', 'reward', 'terminated', 'truncated', 'info']) {
    if (!(field in result)) throw new EnvCheckError(name, check, `${where}: step() result has no '${field}' (expected obs, reward, terminated, truncated, info)`);
  }
  if (typeof reward !== 'number' || !Number.isFinite(reward)) {
    throw new EnvCheckError(name, check, `${where}: reward must be a finite number, got ${describeValue(reward)}`);
  }
  if (typeof terminated !== 'boolean') throw new EnvCheckError(name, check, `${where}: terminated must be a boolean, got ${describeValue(terminated)}`);
  if (typeof truncated !== 'boolean') throw new EnvCheckError(name, check, `${where}: truncated must be a boolean, got ${describeValue(truncated)}`);
  checkObservation(env, name, obs, `step ${index}`, check);
  checkInfo(name, info, `step ${index}`, check);
  return { obs, reward, terminated, truncated, info: info as Info };
}

function callRender(env: Env, name: string, mode: string): unknown {
  try {
    return env.render();
  } catch (error) {
    throw new EnvCheckError(name, `render '${mode}'`, `render() threw: ${messageOf(error)}`, { cause: error });
  }
}

function checkObservation(env: Env, name: string, obs: unknown, where: string, check: string): void {
  const why = env.observationSpace.explainNotContained(obs);
  if (why) throw new EnvCheckError(name, check, `the observation from ${where} is not in ${env.observationSpace.toString()}: ${why}`);
  const carrier = carrierMismatch(env.observationSpace, obs, 'the observation');
  if (carrier) throw new EnvCheckError(name, check, `${where}: ${carrier}`);
}

/** Spaces promise typed arrays of a given kind (Box of float32 → Float32Array, …); `contains` alone also accepts plain arrays. */
function carrierMismatch(space: Space, value: unknown, path: string): string | undefined {
  const expect = (ctor: { name: string }): string | undefined =>
    (value as object).constructor === ctor ? undefined : `${path} must be a ${ctor.name} for ${space.toString()}, got ${describeValue(value)}`;
  if (space instanceof Box) return expect(typedArrayConstructor(space.dtype));
  if (space instanceof MultiDiscrete) return expect(Int32Array);
  if (space instanceof MultiBinary) return expect(Uint8Array);
  if (space instanceof Dict) {
    for (const key of space.keys) {
      const why = carrierMismatch(space.spaces[key], (value as Record<string, unknown>)[key], `${path}.${key}`);
      if (why) return why;
    }
  }
  if (space instanceof Tuple) {
    for (let i = 0; i < space.spaces.length; i++) {
      const why = carrierMismatch(space.spaces[i], (value as unknown[])[i], `${path}[${i}]`);
      if (why) return why;
    }
  }
  return undefined;
}

function checkInfo(name: string, info: unknown, where: string, check: string): void {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new EnvCheckError(name, check, `the info from ${where} must be a plain object, got ${describeValue(info)}`);
  }
}

/** A seeded sample of the action space; for Discrete spaces, within `info.action_mask` when the env provides one. */
function sampleAction(env: Env, info: Info, rng: Rng, name: string): unknown {
  const space = env.actionSpace;
  const mask = info.action_mask;
  const action = space instanceof Discrete && isMask(mask, space.n) ? space.sample(rng, mask) : space.sample(rng);
  if (!space.contains(action)) {
    throw new EnvCheckError(name, 'action space', `${space.toString()}.sample() returned ${describeValue(action)}, which the space does not contain`);
  }
  return action;
}

function isMask(mask: unknown, n: number): mask is ArrayLike<number> {
  return (ArrayBuffer.isView(mask) || Array.isArray(mask)) && (mask as ArrayLike<unknown>).length === n;
}

/** A deep copy of an observation or action (typed arrays, arrays, plain objects). */
function snapshot<T>(value: T): T {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return (value as unknown as Uint8Array).slice() as T;
  if (Array.isArray(value)) return value.map(snapshot) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)])) as T;
  }
  return value;
}

/** Where two values differ bit for bit (NaN equals NaN, 0 differs from −0), or undefined when they are identical. */
function describeDifference(a: unknown, b: unknown, path = ''): string | undefined {
  const at = path ? ` at ${path}` : '';
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) {
      return `${describeValue(a)} vs ${describeValue(b)}${at}`;
    }
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return `length ${x.length} vs ${y.length}${at}`;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return `element ${i}${at} is ${x[i]} vs ${y[i]}`;
    }
    return undefined;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return `${describeValue(a)} vs ${describeValue(b)}${at}`;
    for (let i = 0; i < a.length; i++) {
      const why = describeDifference(a[i], b[i], `${path}[${i}]`);
      if (why) return why;
    }
    return undefined;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length || !keys.every((k) => k in b)) return `keys ${Object.keys(a).join(',')} vs ${Object.keys(b).join(',')}${at}`;
    for (const key of keys) {
      const why = describeDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (why) return why;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${describeValue(a)} vs ${describeValue(b)}${at}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
