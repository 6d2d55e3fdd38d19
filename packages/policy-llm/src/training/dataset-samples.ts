import { Rng } from '@rlft/core';
import { openDataset, rowAt, type EpisodeData } from '@rlft/data';
import type { GenerationRequest } from '../backend.js';
import { InProcessBackend } from '../in-process-backend.js';
import type { LanguageModel } from '../language-model.js';
import type { Prompting } from '../prompting.js';

/**
 * One dataset step as a language-model example: the request the policy would be asked at this
 * observation, and the completion it should generate (the dataset's action in the prompt
 * format, without the prefilled assistant prefix, ending with `</action>` for numeric formats).
 */
export interface PromptSample {
  request: GenerationRequest;
  completion: string;
  observation: number[];
  action: number[] | number;
  /** Episode id in the dataset. */
  episode: number;
  /** Step within the episode. */
  step: number;
}

export interface DatasetSampleOptions {
  /** Fraction of the episodes held out for evaluation (default 0.1; at least one episode when > 0 and there are two or more). */
  evalFraction?: number;
  /** Seed of the episode split and of the subsampling (default 0). */
  seed?: number;
  /** Keep at most this many samples in all, drawn at random from both splits in proportion. */
  maxSamples?: number;
}

export interface DatasetSamples {
  train: PromptSample[];
  eval: PromptSample[];
}

/**
 * Reads a Minari dataset into prompt/completion samples, split by episode (steps of one
 * episode are strongly correlated, so a split by step would leak the evaluation set).
 */
export async function datasetSamples(datasetPath: string, prompting: Prompting, options: DatasetSampleOptions = {}): Promise<DatasetSamples> {
  const evalFraction = options.evalFraction ?? 0.1;
  if (!(evalFraction >= 0 && evalFraction < 1)) throw new RangeError(`evalFraction must be in [0, 1), got ${evalFraction}`);
  if (options.maxSamples !== undefined && !(Number.isInteger(options.maxSamples) && options.maxSamples > 0)) {
    throw new RangeError(`maxSamples must be a positive integer, got ${options.maxSamples}`);
  }
  const rng = Rng.fromSeed(options.seed ?? 0);
  const dataset = await openDataset(datasetPath);
  try {
    const ids = shuffled(dataset.episodeIds, rng);
    const evalCount = evalFraction === 0 || ids.length < 2 ? 0 : Math.min(ids.length - 1, Math.max(1, Math.round(evalFraction * ids.length)));
    const evalIds = new Set(ids.slice(0, evalCount));
    const split: DatasetSamples = { train: [], eval: [] };
    for (const episode of dataset.iterateEpisodes()) {
      const into = evalIds.has(episode.id) ? split.eval : split.train;
      into.push(...episodeSamples(episode, dataset.observationSpace, dataset.actionSpace, prompting));
    }
    const total = split.train.length + split.eval.length;
    if (options.maxSamples === undefined || total <= options.maxSamples) return split;
    const keepEval = Math.round((options.maxSamples * split.eval.length) / total);
    return { train: subsample(split.train, options.maxSamples - keepEval, rng), eval: subsample(split.eval, keepEval, rng) };
  } finally {
    dataset.close();
  }
}

function episodeSamples(episode: EpisodeData, observationSpace: Parameters<typeof rowAt>[0], actionSpace: Parameters<typeof rowAt>[0], prompting: Prompting): PromptSample[] {
  const prefix = prompting.assistantPrefix ?? '';
  const samples: PromptSample[] = [];
  for (let step = 0; step < episode.totalSteps; step++) {
    const observation = rowAt(observationSpace, episode.observations, step);
    const action = rowAt(actionSpace, episode.actions, step);
    const answer = prompting.action.encode(action);
    if (!answer.startsWith(prefix)) throw new Error(`the encoded action '${answer}' does not start with the assistant prefix '${prefix}'`);
    samples.push({
      request: prompting.buildRequest(observation),
      completion: answer.slice(prefix.length),
      observation: typeof observation === 'number' ? [observation] : Array.from(observation as ArrayLike<number>),
      action: typeof action === 'number' ? action : Array.from(action as ArrayLike<number>),
      episode: episode.id,
      step,
    });
  }
  return samples;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.integer(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` items chosen at random, kept in their original order. */
function subsample<T>(items: readonly T[], count: number, rng: Rng): T[] {
  const chosen = shuffled(items.map((_, i) => i), rng).slice(0, count).sort((a, b) => a - b);
  return chosen.map((i) => items[i]!);
}

/** Something that renders requests into the exact prompt text generation continues (InProcessBackend does). */
export interface PromptRenderer {
  promptText(request: GenerationRequest): string;
}

/** Token ids of each sample's prompt and completion, as the in-process backend would see them. */
export interface TokenizedSamples {
  prompts: number[][];
  completions: number[][];
}

/**
 * Tokenizes samples with the prompt text the in-process backend generates from (its chat
 * template with the assistant prefix; Qwen3's thinking off), so training and evaluation see
 * identical prompt tokens. The completion is tokenized on its own: generation continues the
 * prompt's tokens, it never re-tokenizes across the boundary.
 */
export function tokenizeSamples(model: LanguageModel, samples: readonly PromptSample[], renderer?: PromptRenderer): TokenizedSamples {
  const render = renderer ?? new InProcessBackend(model);
  const prompts: number[][] = [];
  const completions: number[][] = [];
  for (const sample of samples) {
    prompts.push(model.tokenizer.encode(render.promptText(sample.request), { addSpecialTokens: false }));
    completions.push(model.tokenizer.encode(sample.completion, { addSpecialTokens: false }));
  }
  return { prompts, completions };
}
