import { Env, type EnvMetadata, type RenderResult, type ResetOptions, type ResetResult, type StepResult } from './env.js';
import type { Rng } from './rng.js';
import type { Space } from './spaces/space.js';
import type { EnvSpec } from './spec.js';

/**
 * Base of all wrappers: forwards everything to the wrapped env. Subclasses override what they
 * change (Gymnasium's `Wrapper`). Observation/action types may differ from the inner env's.
 */
export class Wrapper<Obs = unknown, Act = unknown, InnerObs = Obs, InnerAct = Act> extends Env<Obs, Act> {
  readonly env: Env<InnerObs, InnerAct>;

  constructor(env: Env<InnerObs, InnerAct>) {
    super();
    this.env = env;
  }

  get observationSpace(): Space<Obs> {
    return this.env.observationSpace as unknown as Space<Obs>;
  }

  get actionSpace(): Space<Act> {
    return this.env.actionSpace as unknown as Space<Act>;
  }

  override get metadata(): EnvMetadata {
    return this.env.metadata;
  }
  override set metadata(value: EnvMetadata) {
    this.env.metadata = value;
  }

  override get renderMode(): string | undefined {
    return this.env.renderMode;
  }
  override set renderMode(value: string | undefined) {
    this.env.renderMode = value;
  }

  override get spec(): EnvSpec | undefined {
    return this.env.spec;
  }
  override set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }

  override get rng(): Rng {
    return this.env.rng;
  }
  override set rng(rng: Rng) {
    this.env.rng = rng;
  }

  reset(options?: ResetOptions): ResetResult<Obs> {
    return this.env.reset(options) as unknown as ResetResult<Obs>;
  }

  step(action: Act): StepResult<Obs> {
    return this.env.step(action as unknown as InnerAct) as unknown as StepResult<Obs>;
  }

  override render(): RenderResult | undefined {
    return this.env.render();
  }

  override close(): void {
    this.env.close();
  }

  override get unwrapped(): Env {
    return this.env.unwrapped;
  }

  /** The wrapped env's name, so that errors raised by wrappers name the environment, not the wrapper. */
  override get id(): string {
    return this.env.id;
  }

  override toString(): string {
    return `${this.constructor.name}<${this.env.toString()}>`;
  }
}
