import {
  Discrete,
  Env,
  MultiDiscrete,
  ResetNeededError,
  UnsupportedError,
  parseOptions,
  z,
  type Info,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '@rlft/core';

export const NUMBER_LINE_ID = 'NumberLine-v0';

export const numberLineKwargsSchema = z
  .object({
    max_position: z.number().int().min(1).max(1000).default(5).describe('positions run 0..max_position; episodes are cut after 2·max_position steps'),
  })
  .strict();

export type NumberLineKwargs = z.input<typeof numberLineKwargsSchema>;

export const MOVE_LEFT = 0;
export const MOVE_RIGHT = 1;

/**
 * Walk along the integers 0..max_position to a target. Observation: (current, target).
 * Actions: 0 move left, 1 move right (a move past either end stays put). Reward +1 on
 * reaching the target (terminated), −1 for a move that does not bring the position closer,
 * else 0; truncated after 2·max_position steps. Reset draws two different positions
 * uniformly, or takes `options: { current, target }`. `info.text` states the position in words.
 */
export class NumberLineEnv extends Env<Int32Array, number> {
  readonly observationSpace: MultiDiscrete;
  readonly actionSpace = new Discrete(2);
  readonly maxPosition: number;
  readonly maxSteps: number;
  private current = 0;
  private target = 0;
  private steps = 0;
  private hasState = false;

  constructor(kwargs: NumberLineKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    this.maxPosition = parseOptions(numberLineKwargsSchema, kwargs, NUMBER_LINE_ID).max_position;
    this.maxSteps = 2 * this.maxPosition;
    this.observationSpace = new MultiDiscrete([this.maxPosition + 1, this.maxPosition + 1]);
    this.metadata = { renderModes: ['ansi'], renderFps: 4 };
    if (options.renderMode !== undefined && options.renderMode !== 'ansi') {
      throw new UnsupportedError(`${NUMBER_LINE_ID} has no render mode '${options.renderMode}'; allowed: ansi`);
    }
    this.renderMode = options.renderMode;
  }

  reset(options: ResetOptions = {}): ResetResult<Int32Array> {
    this.seedOnReset(options.seed);
    const given = options.options;
    if (given?.current !== undefined || given?.target !== undefined) {
      this.current = this.readPosition(given, 'current');
      this.target = this.readPosition(given, 'target');
    } else {
      this.target = this.rng.integer(0, this.maxPosition);
      // A start on the target would be an empty episode: draw among the other positions.
      const offset = this.rng.integer(1, this.maxPosition);
      this.current = (this.target + offset) % (this.maxPosition + 1);
    }
    this.steps = 0;
    this.hasState = true;
    return { obs: this.observation(), info: { text: this.describe() } };
  }

  step(action: number): StepResult<Int32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (action !== MOVE_LEFT && action !== MOVE_RIGHT) {
      throw new RangeError(`${this.id}: action must be 0 (move left) or 1 (move right), got ${String(action)}`);
    }
    const before = Math.abs(this.current - this.target);
    const moved = this.current + (action === MOVE_RIGHT ? 1 : -1);
    this.current = Math.min(Math.max(moved, 0), this.maxPosition);
    const after = Math.abs(this.current - this.target);
    this.steps++;
    const terminated = after === 0;
    const reward = terminated ? 1 : after < before ? 0 : -1;
    const truncated = !terminated && this.steps >= this.maxSteps;
    const info: Info = { text: terminated ? `You reached the target ${this.target}.` : this.describe() };
    return { obs: this.observation(), reward, terminated, truncated, info };
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode !== 'ansi') {
      throw new UnsupportedError(`${this.id}: render() needs renderMode 'ansi' (make(id, kwargs, { renderMode: 'ansi' }))`);
    }
    let line = '';
    for (let p = 0; p <= this.maxPosition; p++) line += p === this.current ? '@' : p === this.target ? 'T' : '.';
    return `${line}  (at ${this.current}, target ${this.target}, step ${this.steps}/${this.maxSteps})\n`;
  }

  private observation(): Int32Array {
    return Int32Array.of(this.current, this.target);
  }

  private describe(): string {
    return `You are at ${this.current} on a number line from 0 to ${this.maxPosition}; the target is ${this.target}. Choose 0 to move left (-1) or 1 to move right (+1).`;
  }

  private readPosition(given: Record<string, unknown>, name: 'current' | 'target'): number {
    const value = given[name];
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > this.maxPosition) {
      throw new RangeError(`${this.id}: reset options need both 'current' and 'target' as integers in [0, ${this.maxPosition}], got ${name} = ${JSON.stringify(value)}`);
    }
    return value as number;
  }
}
