import { Discrete, RlftError, Text, type Env, type RewardFunction } from '@rlft/core';
import { EnvBackedReward, envIdFor, restoreEnv, type EnvMaker } from './env-pool.js';
import { answerText, type CompletionSample, type EnvRestore } from './sample.js';

export interface TaskRewardOptions {
  /** Makes the game envs: pass the host's registry (`PluginHost.registry`). */
  registry: EnvMaker;
  /** Default `GeneralPoints-v0`; samples may name their own `envId`. */
  envId?: string;
  /** Kwargs for samples without `envKwargs` (target, face-card rule, …); they must match the prompt's deal. */
  envKwargs?: Record<string, unknown>;
  /** Token games: score of an answer holding text that is no token of the game. Default −1. */
  malformedPenalty?: number;
  /** Token games: submit (`=`) when the answer ends before the episode does. Default true. */
  submitAtEnd?: boolean;
}

/** The token games (Points24, EZPoints) name their Discrete actions in `vocabulary`. */
type TokenEnv = Env & { vocabulary?: readonly string[] };

const SUBMIT = '=';

/**
 * Scores an answer with the game's own verifier: the env is made with the sample's id and
 * kwargs, reset to the prompt's deal, and stepped with the answer, so the reward is exactly the
 * env's (GeneralPoints: 5 correct, 1 partial, −1/−2/−3 penalties). Text-action games take the
 * whole answer as one attempt; token games (Discrete actions with a `vocabulary`) take it token
 * by token and the reward is the sum over the episode. The deal comes from `envState`, else
 * from `meta.cards` (reset option `cards`) and `meta.seed`.
 */
export class TaskReward extends EnvBackedReward {
  readonly name = 'task';
  private readonly envId: string;
  private readonly malformedPenalty: number;
  private readonly submitAtEnd: boolean;

  constructor(private readonly options: TaskRewardOptions) {
    super(options?.registry, 'task', 'the game envs');
    this.envId = options.envId ?? 'GeneralPoints-v0';
    this.malformedPenalty = options.malformedPenalty ?? -1;
    this.submitAtEnd = options.submitAtEnd ?? true;
  }

  protected async scoreOne(sample: CompletionSample): Promise<number> {
    const envId = envIdFor(sample.envId, this.envId, this.name);
    const env = await this.pool.get(envId, sample.envKwargs ?? this.options.envKwargs);
    restoreEnv(env, dealOf(sample, envId));
    const text = answerText(sample);
    if (env.actionSpace instanceof Text) return env.step(text).reward;
    const vocabulary = (env.unwrapped as TokenEnv).vocabulary;
    if (env.actionSpace instanceof Discrete && vocabulary) return this.playTokens(env, vocabulary, text);
    throw new RlftError('REWARD_OPTIONS', `reward 'task' plays games with text actions or token vocabularies; ${envId} has ${env.actionSpace.toString()}`);
  }

  private playTokens(env: Env, vocabulary: readonly string[], text: string): number {
    const tokens = splitTokens(text, vocabulary);
    if (tokens === undefined) return this.malformedPenalty;
    const start = (env.actionSpace as Discrete).start;
    const submit = vocabulary.indexOf(SUBMIT);
    if (this.submitAtEnd && submit >= 0 && tokens.at(-1) !== submit) tokens.push(submit);
    let total = 0;
    for (const token of tokens) {
      const step = env.step(start + token);
      total += step.reward;
      if (step.terminated || step.truncated) break;
    }
    return total;
  }
}

/** The reset that reproduces the prompt's deal. */
function dealOf(sample: CompletionSample, envId: string): EnvRestore {
  if (sample.envState) return sample.envState;
  const meta = sample.meta ?? {};
  const seed = typeof meta.seed === 'number' ? meta.seed : undefined;
  if (meta.cards === undefined && seed === undefined) {
    throw new RlftError('REWARD_INPUT', `reward 'task' needs the prompt's deal for ${envId}: give samples envState, meta.cards or meta.seed`);
  }
  return { ...(seed !== undefined ? { seed } : {}), ...(meta.cards !== undefined ? { options: { cards: meta.cards } } : {}) };
}

/**
 * Splits an answer into vocabulary indices by longest match, skipping whitespace; × and ÷
 * are read as * and /. Undefined when some text is no token.
 */
export function splitTokens(text: string, vocabulary: readonly string[]): number[] | undefined {
  const normalised = text.replace(/×/g, '*').replace(/÷/g, '/');
  const byLength = vocabulary.map((token, index) => ({ token, index })).sort((a, b) => b.token.length - a.token.length);
  const tokens: number[] = [];
  let i = 0;
  while (i < normalised.length) {
    if (/\s/.test(normalised[i])) {
      i++;
      continue;
    }
    const match = byLength.find(({ token }) => normalised.startsWith(token, i));
    if (!match) return undefined;
    tokens.push(match.index);
    i += match.token.length;
  }
  return tokens;
}
