import { Rng } from './rng.js';
import type { Space } from './spaces/space.js';
import type { EnvSpec } from './spec.js';
import { UnsupportedError } from './errors.js';

export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Seeds the environment's generator; without it the generator continues (or is seeded from entropy on first use). */
  seed?: number;
  /** Environment-specific options, e.g. `{ state: [...] }` to start from a given internal state. */
  options?: Record<string, unknown>;
}

export interface ResetResult<Obs> {
  obs: Obs;
  info: Info;
}

export interface StepResult<Obs> {
  obs: Obs;
  reward: number;
  /** The MDP reached a terminal state. */
  terminated: boolean;
  /** The episode was cut short (time limit or an outside condition). */
  truncated: boolean;
  info: Info;
}

/** An RGB image, row-major, 3 bytes per pixel. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export type RenderResult = RgbFrame | string;

export interface EnvMetadata {
  /** Render modes this environment supports: 'ansi' (text), 'rgb_array', … */
  renderModes: readonly string[];
  renderFps?: number;
  [key: string]: unknown;
}

/**
 * An environment with Gymnasium semantics. Creation may be asynchronous (an entry point can
 * return a Promise), stepping is synchronous.
 */
export abstract class Env<Obs = unknown, Act = unknown> {
  abstract readonly observationSpace: Space<Obs>;
  abstract readonly actionSpace: Space<Act>;
  private ownRng: Rng | undefined;
  private ownMetadata: EnvMetadata = { renderModes: [] };
  private ownRenderMode: string | undefined;
  private ownSpec: EnvSpec | undefined;

  /** Supported render modes and other static facts; set it in the constructor. */
  get metadata(): EnvMetadata {
    return this.ownMetadata;
  }
  set metadata(value: EnvMetadata) {
    this.ownMetadata = value;
  }

  /** The render mode chosen at creation (`make(id, { renderMode })`), if any. */
  get renderMode(): string | undefined {
    return this.ownRenderMode;
  }
  set renderMode(value: string | undefined) {
    this.ownRenderMode = value;
  }

  /** Set by `make()`: the registration this env was created from. */
  get spec(): EnvSpec | undefined {
    return this.ownSpec;
  }
  set spec(value: EnvSpec | undefined) {
    this.ownSpec = value;
  }

  abstract reset(options?: ResetOptions): ResetResult<Obs>;
  abstract step(action: Act): StepResult<Obs>;

  /** Render in `renderMode`; environments that support rendering override this. */
  render(): RenderResult | undefined {
    throw new UnsupportedError(`${this.toString()} does not support rendering`);
  }

  close(): void {}

  /** The innermost environment, below every wrapper. */
  get unwrapped(): Env {
    return this as Env;
  }

  /** The environment's generator (Gymnasium's `np_random`), seeded from entropy on first use. */
  get rng(): Rng {
    this.ownRng ??= Rng.fromSeed();
    return this.ownRng;
  }

  set rng(rng: Rng) {
    this.ownRng = rng;
  }

  /** Call at the top of `reset`: reseeds the generator when a seed is given (Gymnasium's `super().reset(seed=seed)`). */
  protected seedOnReset(seed: number | undefined): void {
    if (seed !== undefined) this.ownRng = Rng.fromSeed(seed);
  }

  /** Name used in messages: the registered id, else the class name. */
  get id(): string {
    return this.spec?.id ?? this.constructor.name;
  }

  toString(): string {
    return this.id;
  }
}

/**
 * Environments whose whole internal state is a vector of numbers (in the reference
 * implementation's order) expose it for replay, datasets and tests. They also accept
 * `reset({ options: { state } })`.
 */
export interface StatefulEnv {
  getState(): Float64Array;
  setState(state: ArrayLike<number>): void;
}

export function isStatefulEnv(env: unknown): env is StatefulEnv {
  return (
    typeof env === 'object' && env !== null &&
    typeof (env as StatefulEnv).getState === 'function' &&
    typeof (env as StatefulEnv).setState === 'function'
  );
}
