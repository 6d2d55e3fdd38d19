/**
 * What the rewards of this package score: one model completion for one prompt, with what the
 * prompt was made from (the dataset row, the env state) so that rewards can check the answer.
 */

/** How to put an environment back in the state a prompt was written from. */
export interface EnvRestore {
  /** Passed to `reset({ seed })`: with a seeded deal this reproduces the prompt's situation (card games). */
  seed?: number;
  /** Passed to `reset({ options })`, e.g. `{ cards: ['A', '2', '3', '4'] }` for the points games. */
  options?: Record<string, unknown>;
  /**
   * The env's internal state vector (`getState()` of classic-control and MuJoCo envs). Applied
   * after the reset with `setState` when the env has it, else passed as `reset` option `state`.
   */
  state?: readonly number[];
}

export interface CompletionSample {
  prompt: string;
  /** The model's answer; when the prompt prefilled `<action>` it continues from there (starts with the numbers). */
  completion: string;
  /** Text prefilled before the completion (e.g. `<action>`); the answer read is `prefix + completion`. */
  prefix?: string;
  /** The observation the prompt was written from (flat), for rewards that look at (observation, action). */
  observation?: number[];
  /** The dataset's action for this prompt: values (continuous) or the action index (discrete). */
  referenceAction?: number[] | number;
  /** How to restore the env to the prompt's situation (env and task rewards). */
  envState?: EnvRestore;
  /** Env id for env-based rewards; overrides the reward's default `envId`. */
  envId?: string;
  /** Env kwargs for env-based rewards; override the reward's default `envKwargs`. */
  envKwargs?: Record<string, unknown>;
  /** Anything else; the task reward reads `seed` and `cards` here when `envState` is absent. */
  meta?: Record<string, unknown>;
}

/** The answer as the model's full output: the prefilled prefix followed by the completion. */
export function answerText(sample: CompletionSample): string {
  return (sample.prefix ?? '') + sample.completion;
}
