import type { Env, RenderResult, ResetOptions, ResetResult, StepResult } from '../env.js';
import { ResetNeededError } from '../errors.js';
import { Wrapper } from '../wrapper.js';

/**
 * Makes calls happen in a legal order: `step` before the first `reset`, or after the episode
 * ended (terminated or truncated) without a new `reset`, is an error. `make` puts it outermost
 * so that it also sees the time limit's truncation.
 */
export class OrderEnforcing<Obs, Act> extends Wrapper<Obs, Act> {
  private hasReset = false;
  private episodeOver = false;
  private readonly disableRenderOrderEnforcing: boolean;

  constructor(env: Env<Obs, Act>, options: { disableRenderOrderEnforcing?: boolean } = {}) {
    super(env);
    this.disableRenderOrderEnforcing = options.disableRenderOrderEnforcing ?? false;
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    const result = this.env.reset(options);
    this.hasReset = true;
    this.episodeOver = false;
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    if (!this.hasReset) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (this.episodeOver) {
      throw new ResetNeededError(this.id, 'step() was called after the episode ended (terminated or truncated)');
    }
    const result = this.env.step(action);
    if (result.terminated || result.truncated) this.episodeOver = true;
    return result;
  }

  override render(): RenderResult | undefined {
    if (!this.disableRenderOrderEnforcing && !this.hasReset) {
      throw new ResetNeededError(this.id, 'render() was called before reset()');
    }
    return this.env.render();
  }

  /** Whether `reset` has been called at least once. */
  get hasBeenReset(): boolean {
    return this.hasReset;
  }
}
