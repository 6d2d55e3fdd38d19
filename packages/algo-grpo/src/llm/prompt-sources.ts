import { isStatefulEnv, type Env, type EnvRegistry, type Rng } from '@rlft/core';
import type { GenerationRequest, Prompting, PromptSample } from '@rlft/policy-llm';
import type { EnvRestore } from '@rlft/rewards';

/** One prompt of a GRPO step and what its rewards need to know about it. */
export interface GrpoPrompt {
  request: GenerationRequest;
  observation: number[];
  /** The dataset's action (dataset prompts only): the bc reward's reference. */
  referenceAction?: number[] | number;
  /** How to put an env back in this prompt's state (env prompts of stateful envs). */
  envState?: EnvRestore;
}

/** Where a step's prompts come from. */
export interface PromptSource {
  next(count: number, rng: Rng): Promise<GrpoPrompt[]>;
  /** After the step: the G answers of each prompt, in order (env sources move their envs with them). */
  observe?(answers: readonly string[][], rng: Rng): Promise<void>;
  close(): void;
}

/** Dataset states drawn uniformly with replacement (the reference setting of rlft4rl). */
export class DatasetPromptSource implements PromptSource {
  constructor(private readonly samples: readonly PromptSample[]) {
    if (samples.length === 0) throw new RangeError('DatasetPromptSource: the dataset split holds no samples');
  }

  async next(count: number, rng: Rng): Promise<GrpoPrompt[]> {
    return Array.from({ length: count }, () => {
      const sample = this.samples[rng.integer(0, this.samples.length - 1)]!;
      return { request: sample.request, observation: sample.observation, referenceAction: sample.action };
    });
  }

  close(): void {}
}

export interface EnvPromptSourceOptions {
  registry: EnvRegistry;
  envId: string;
  envKwargs: Record<string, unknown>;
  prompting: Prompting;
  /** Who moves the envs after a step: the first answer of each group, or a random action. */
  policy: 'current' | 'random';
  /** Reads an answer into an action, or undefined when it does not parse (then a random action is taken). */
  readAction(answer: string): unknown;
}

/**
 * States visited in live envs: one env per prompt slot, each moved one step after every GRPO
 * step by its group's first answer (or at random), reset when its episode ends. The env state
 * (`getState()`) goes with each prompt so that the env reward can replay the answer from it.
 */
export class EnvPromptSource implements PromptSource {
  private envs: Env[] = [];
  private observations: unknown[] = [];

  private constructor(private readonly options: EnvPromptSourceOptions) {}

  static async open(options: EnvPromptSourceOptions): Promise<EnvPromptSource> {
    return new EnvPromptSource(options);
  }

  async next(count: number, rng: Rng): Promise<GrpoPrompt[]> {
    while (this.envs.length < count) {
      const env = await this.options.registry.make(this.options.envId, this.options.envKwargs);
      this.envs.push(env);
      this.observations.push((await env.reset({ seed: rng.nextSeed() })).obs);
    }
    return this.envs.slice(0, count).map((env, i) => {
      const observation = this.observations[i];
      const inner = env.unwrapped; // wrappers do not forward getState
      return {
        request: this.options.prompting.buildRequest(observation),
        observation: flat(observation),
        ...(isStatefulEnv(inner) ? { envState: { state: Array.from(inner.getState()) } } : {}),
      };
    });
  }

  async observe(answers: readonly string[][], rng: Rng): Promise<void> {
    for (let i = 0; i < answers.length; i++) {
      const env = this.envs[i]!;
      const read = this.options.policy === 'current' ? this.options.readAction(answers[i]![0]!) : undefined;
      const action = read ?? env.actionSpace.sample(rng);
      const step = await env.step(action);
      this.observations[i] = step.terminated || step.truncated ? (await env.reset({ seed: rng.nextSeed() })).obs : step.obs;
    }
  }

  close(): void {
    for (const env of this.envs) env.close();
    this.envs = [];
  }
}

function flat(observation: unknown): number[] {
  if (typeof observation === 'number') return [observation];
  if (ArrayBuffer.isView(observation) || Array.isArray(observation)) return Array.from(observation as ArrayLike<number>);
  return [];
}
