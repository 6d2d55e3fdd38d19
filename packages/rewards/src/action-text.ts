import { readFileSync } from 'node:fs';
import { Box, Discrete, RlftError, spaceFromJSON, type Space, type SpaceJSON } from '@rlft/core';
import { DISCRETE_BINS_MAX, parseAction, parseDiscretisedAction, type DiscretisationRanges, type ParseMode } from '@rlft/data';
import { answerText, type CompletionSample } from './sample.js';

/** `reference`: 5-decimal values; `discretised`: integer bins 0–999 over per-dimension ranges. */
export type ActionTextFormat = 'reference' | 'discretised';

export interface ActionTextOptions extends Partial<ActionFormat> {
  /**
   * Default `lenient`: the first `<action>` counts (or the start, when the prompt prefilled it),
   * spaces are accepted and text after `</action>` is ignored (the format reward prices it).
   */
  mode?: ParseMode;
  /** Whether an answer without `</action>` (cut at the length limit) counts as unreadable. Default false. */
  requireClosingTag?: boolean;
}

export type ActionRead =
  | { ok: true; values: number[]; closed: boolean; trailing: string }
  | { ok: false; problem: 'unreadable' | 'wrong-count'; reason: string };

// parseAction reports a count mismatch only through its message; keep the match in one place.
const WRONG_COUNT = /^expected \d+ values?, found \d+$/;

/**
 * Reads the action of a completion in `dims` values (the discretised format decodes its bins
 * to values with the ranges, so `dims` must match them).
 */
export function readAction(sample: CompletionSample, dims: number, options: ActionTextOptions = {}): ActionRead {
  const text = answerText(sample);
  const mode = options.mode ?? 'lenient';
  let parsed;
  if ((options.format ?? 'reference') === 'discretised') {
    const ranges = options.ranges;
    if (!ranges) throw new RlftError('REWARD_OPTIONS', "the discretised action format needs 'ranges' (or 'rangesPath') to decode bins");
    if (ranges.min.length !== dims) {
      throw new RlftError('REWARD_OPTIONS', `the discretisation ranges have ${ranges.min.length} dimensions but the action has ${dims}`);
    }
    parsed = parseDiscretisedAction(text, ranges, mode);
  } else {
    parsed = parseAction(text, { dims, mode });
  }
  if (!parsed.ok) return { ok: false, problem: WRONG_COUNT.test(parsed.reason) ? 'wrong-count' : 'unreadable', reason: parsed.reason };
  if (options.requireClosingTag && !parsed.closed) return { ok: false, problem: 'unreadable', reason: 'the answer has no </action>' };
  return parsed;
}

/**
 * The action ranges from a ranges file written by `rlft dataset to-sft --format discretised`
 * (`<out>.ranges.json`: `{ bins: 1000, observation: {min, max} | null, action: {min, max} | null }`).
 */
export function loadActionRanges(path: string): DiscretisationRanges {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RlftError('REWARD_OPTIONS', `cannot read the ranges file ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const file = content as { bins?: unknown; action?: { min?: unknown; max?: unknown } | null };
  if (file.bins !== DISCRETE_BINS_MAX + 1) {
    throw new RlftError('REWARD_OPTIONS', `the ranges file ${path} has bins ${JSON.stringify(file.bins)}; this format uses ${DISCRETE_BINS_MAX + 1}`);
  }
  const action = file.action;
  if (!action) throw new RlftError('REWARD_OPTIONS', `the ranges file ${path} has no action ranges (a discrete action space is written as integers, not bins)`);
  const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!isNumbers(action.min) || !isNumbers(action.max) || action.min.length !== action.max.length) {
    throw new RlftError('REWARD_OPTIONS', `the ranges file ${path} needs action.min and action.max as equal-length arrays of numbers`);
  }
  return { min: action.min, max: action.max };
}

/** How a reward reads actions: the format, and the ranges of the discretised one (inline or from a file). */
export interface ActionFormatOptions {
  /** Default `reference`. */
  format?: ActionTextFormat;
  /** Per-dimension action ranges of the discretised format. */
  ranges?: DiscretisationRanges;
  /** Or: a ranges file written by `rlft dataset to-sft --format discretised` (`<out>.ranges.json`). */
  rangesPath?: string;
}

export interface ActionFormat {
  format: ActionTextFormat;
  ranges?: DiscretisationRanges;
}

/** Checks the options once, when a reward is built: the discretised format needs ranges, given one way. */
export function resolveActionFormat(options: ActionFormatOptions, reward: string): ActionFormat {
  const format = options.format ?? 'reference';
  if (options.ranges && options.rangesPath !== undefined) throw new RlftError('REWARD_OPTIONS', `reward '${reward}': give either 'ranges' or 'rangesPath', not both`);
  const ranges = options.ranges ?? (options.rangesPath !== undefined ? loadActionRanges(options.rangesPath) : undefined);
  if (format === 'discretised' && !ranges) throw new RlftError('REWARD_OPTIONS', `reward '${reward}': the discretised format needs 'ranges' or 'rangesPath' to decode bins`);
  return { format, ...(ranges ? { ranges } : {}) };
}

/**
 * How many values an answer must hold: `dims` when given, else the ranges' dimensions, else
 * the sample's reference action (1 for a discrete one).
 */
export function actionDims(sample: CompletionSample, dims: number | undefined, ranges: DiscretisationRanges | undefined, reward: string): number {
  if (dims !== undefined) return dims;
  if (ranges) return ranges.min.length;
  const reference = sample.referenceAction;
  if (typeof reference === 'number') return 1;
  if (Array.isArray(reference)) return reference.length;
  throw new RlftError('REWARD_OPTIONS', `reward '${reward}' cannot tell how many action values to expect: set 'dims' (or 'ranges'), or give samples a referenceAction`);
}

/** Values an action of `space` is written with: 1 for Discrete (its integer), the size of a Box. */
export function actionValueCount(space: Space | SpaceJSON, reward: string): number {
  const resolved = typeof (space as Space).contains === 'function' ? (space as Space) : spaceFromJSON(space as SpaceJSON);
  if (resolved instanceof Discrete) return 1;
  if (resolved instanceof Box) return resolved.size;
  throw new RlftError('REWARD_OPTIONS', `reward '${reward}' reads Discrete or Box actions, not ${resolved.toString()}`);
}
