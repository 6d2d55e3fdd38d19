import { readFileSync } from 'node:fs';
import { Dict, RlftError, Text, type Space } from '@rlft/core';
import {
  ACTION_CLOSE,
  ACTION_OPEN,
  DISCRETE_BINS_MAX,
  OBSERVATION_CLOSE,
  OBSERVATION_OPEN,
  discretiseValue,
  encodeValues,
  parseAction,
  undiscretiseValue,
  type DiscretisationRanges,
  type ParseMode,
} from '@rlft/data';
import { NumericLayout } from './numeric-layout.js';

/**
 * Codecs between environment spaces and the text a language model reads and writes
 * (specs/reference-envs.md, "The LLM-as-controller format"; the writing itself is @rlft/data's
 * text-format, shared with `rlft dataset to-sft`, so prompts match the SFT data exactly).
 *
 * - `reference`: real values with 5 decimals, `<observation>0.01234,-1.50000</observation>`.
 * - `discretised`: real values as integer bins 0–999 over per-dimension ranges.
 * - `discrete`: integer spaces (Discrete, MultiDiscrete, MultiBinary, integer Box, Tuples of
 *   them: CartPole's action, Blackjack's observation) as their integers.
 * - `text`: Text spaces (the card games' own prompts, GeneralPoints' JSON answer) as they are.
 *
 * Integers are always written as integers, whatever the format (as to-sft does), so a numeric
 * format names how the REAL values are written; an all-integer space resolves to `discrete`.
 */
export type TextFormat = 'reference' | 'discretised' | 'discrete' | 'text';
export const TEXT_FORMATS: readonly TextFormat[] = ['reference', 'discretised', 'discrete', 'text'];

export class TextFormatError extends RlftError {
  constructor(message: string) {
    super('TEXT_FORMAT', message);
  }
}

/** A completion read back into the flat numbers (or the text) of an action, before range checks. */
export type DecodedAction =
  | { ok: true; values: number[]; text?: undefined }
  | { ok: true; text: string; values?: undefined }
  | { ok: false; reason: string; kind: ParseFailureKind };

/** Why a completion is not an action; counted per kind by the ActionParser. */
export type ParseFailureKind =
  | 'missing-tag'
  | 'wrong-dimension'
  | 'no-values'
  | 'not-a-number'
  | 'not-a-bin'
  | 'not-an-integer'
  | 'out-of-range'
  | 'empty-text';

/** Turns an observation into the text of the user turn. */
export interface ObservationCodec<Obs = unknown> {
  readonly format: TextFormat;
  readonly space: Space;
  /** The flat numeric layout, or undefined for the text format. */
  readonly layout: NumericLayout | undefined;
  encode(observation: Obs): string;
}

/** Writes actions as `<action>…</action>` (SFT targets, few-shot answers) and reads completions back. */
export interface ActionCodec<Act = unknown> {
  readonly format: TextFormat;
  readonly space: Space;
  readonly layout: NumericLayout | undefined;
  /** The ranges of the discretised format (one per flat dimension). */
  readonly ranges: DiscretisationRanges | undefined;
  encode(action: Act): string;
  /** The numbers (or text) of a completion; never throws. */
  decode(completion: string, mode: ParseMode): DecodedAction;
  /** The space's element holding these flat numbers (or this text). */
  toAction(decoded: { values: number[] } | { text: string }): Act;
}

export interface CodecOptions {
  /** Default: `text` for text spaces, `discrete` for integer spaces, else `reference`. */
  format?: TextFormat;
  /** Ranges of the discretised format; default: the space's bounds when all are finite. */
  ranges?: DiscretisationRanges;
}

/** The ranges file `rlft dataset to-sft --format discretised` writes next to its output (`<out>.ranges.json`). */
export interface SftRangesFile {
  bins: number;
  observation: DiscretisationRanges | null;
  action: DiscretisationRanges | null;
}

function isRanges(value: unknown): value is DiscretisationRanges {
  const r = value as DiscretisationRanges | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.min) &&
    Array.isArray(r.max) &&
    r.min.length === r.max.length &&
    [...r.min, ...r.max].every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

/** Reads the ranges of an SFT export: `{bins: 1000, observation: {min, max} | null, action: {min, max} | null}`. */
export function parseRangesFile(json: unknown, source = 'the ranges file'): { observation?: DiscretisationRanges; action?: DiscretisationRanges } {
  const file = json as Partial<SftRangesFile> | null;
  const shape = 'expected {"bins": 1000, "observation": {"min": [...], "max": [...]} | null, "action": {...} | null} as written by `rlft dataset to-sft --format discretised`';
  if (typeof file !== 'object' || file === null) throw new TextFormatError(`${source} is not a ranges object; ${shape}`);
  if (file.bins !== undefined && file.bins !== DISCRETE_BINS_MAX + 1) {
    throw new TextFormatError(`${source} has ${file.bins} bins; rlft's discretised format has ${DISCRETE_BINS_MAX + 1}`);
  }
  const out: { observation?: DiscretisationRanges; action?: DiscretisationRanges } = {};
  for (const key of ['observation', 'action'] as const) {
    const value = file[key];
    if (value === null || value === undefined) continue;
    if (!isRanges(value)) throw new TextFormatError(`${source}: "${key}" is not {min: number[], max: number[]} of equal lengths; ${shape}`);
    out[key] = { min: [...value.min], max: [...value.max] };
  }
  return out;
}

export function readRangesFile(path: string): { observation?: DiscretisationRanges; action?: DiscretisationRanges } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TextFormatError(`cannot read the ranges file ${path}: ${(error as Error).message}`);
  }
  return parseRangesFile(json, path);
}

/** The Text entries of a text space: the space itself, or a Dict's Text keys. */
function textKeys(space: Space): string[] | 'self' | undefined {
  if (space instanceof Text) return 'self';
  if (space instanceof Dict) {
    const keys = space.keys.filter((key) => space.spaces[key] instanceof Text);
    return keys.length ? keys : undefined;
  }
  return undefined;
}

/** The formats that can write `space`. */
export function formatsFor(space: Space): TextFormat[] {
  if (textKeys(space)) return ['text'];
  const layout = NumericLayout.of(space);
  if (!layout) return [];
  return layout.allInteger ? ['discrete', 'reference', 'discretised'] : ['reference', 'discretised'];
}

/**
 * The format a space is written in when `requested` is asked for the env: text spaces are
 * always text, integer spaces always discrete; otherwise the request (default reference).
 */
export function resolveFormat(space: Space, requested: TextFormat | undefined, what: string): TextFormat {
  if (requested !== undefined && !TEXT_FORMATS.includes(requested)) {
    throw new TextFormatError(`unknown text format '${String(requested)}'; allowed: ${TEXT_FORMATS.join(', ')}`);
  }
  const possible = formatsFor(space);
  if (possible.length === 0) {
    throw new TextFormatError(`the ${what} space ${space.toString()} cannot be written as text: the formats handle Box, Discrete, MultiDiscrete, MultiBinary, Text and Tuples/Dicts of them`);
  }
  if (possible[0] === 'text') {
    if (requested === undefined || requested === 'text' || requested === 'reference' || requested === 'discretised') return 'text';
    throw new TextFormatError(`the ${what} space ${space.toString()} is text; the '${requested}' format cannot write it. Formats that can: text`);
  }
  if (requested === 'text') {
    throw new TextFormatError(`the ${what} space ${space.toString()} is numeric; the 'text' format cannot write it. Formats that can: ${possible.join(', ')}`);
  }
  if (possible[0] === 'discrete') return 'discrete';
  if (requested === 'discrete') {
    throw new TextFormatError(`the ${what} space ${space.toString()} holds real values; the 'discrete' format writes integers only. Formats that can: ${possible.join(', ')}`);
  }
  return requested ?? 'reference';
}

function rangesFor(layout: NumericLayout, space: Space, given: DiscretisationRanges | undefined, what: string): DiscretisationRanges {
  if (given) {
    if (given.min.length !== layout.size || given.max.length !== layout.size) {
      throw new TextFormatError(`the discretisation ranges have ${given.min.length}/${given.max.length} dimensions (min/max), the ${what} space ${space.toString()} has ${layout.size}`);
    }
    return given;
  }
  const unbounded = layout.dims.flatMap((d, i) => (d.kind === 'real' && !(Number.isFinite(d.low) && Number.isFinite(d.high)) ? [i] : []));
  if (unbounded.length) {
    throw new TextFormatError(
      `the discretised format needs a finite range per dimension, and the ${what} space ${space.toString()} is unbounded in dimension(s) ${unbounded.join(', ')}. ` +
        'Pass ranges, e.g. the <out>.ranges.json file that `rlft dataset to-sft --format discretised` writes next to its output.',
    );
  }
  return { min: layout.dims.map((d) => d.low), max: layout.dims.map((d) => d.high) };
}

/** Writes flat numbers: integers as they are, reals with 5 decimals or as bins. */
function writeValues(values: readonly number[], layout: NumericLayout, ranges: DiscretisationRanges | undefined): string {
  if (!ranges && layout.allReal) return encodeValues(values);
  return values
    .map((value, i) => {
      if (layout.dims[i]!.kind === 'integer') return String(Math.round(value));
      return ranges ? String(discretiseValue(value, ranges.min[i]!, ranges.max[i]!)) : encodeValues([value]);
    })
    .join(',');
}

interface NumericSetup {
  format: TextFormat;
  layout: NumericLayout | undefined;
  ranges: DiscretisationRanges | undefined;
  textKeys: string[] | 'self' | undefined;
}

function setup(space: Space, options: CodecOptions, what: string): NumericSetup {
  const format = resolveFormat(space, options.format, what);
  if (format === 'text') return { format, layout: undefined, ranges: undefined, textKeys: textKeys(space) };
  const layout = NumericLayout.of(space)!;
  const ranges = format === 'discretised' ? rangesFor(layout, space, options.ranges, what) : undefined;
  return { format, layout, ranges, textKeys: undefined };
}

/** The observation codec of a space (see TextFormat). */
export function observationCodec<Obs = unknown>(space: Space, options: CodecOptions = {}): ObservationCodec<Obs> {
  const { format, layout, ranges, textKeys: keys } = setup(space, options, 'observation');
  return {
    format,
    space,
    layout,
    encode(observation: Obs): string {
      if (keys === 'self') return String(observation);
      if (keys) return keys.map((key) => String((observation as Record<string, unknown>)[key])).join('\n');
      return `${OBSERVATION_OPEN}${writeValues(layout!.flatten(observation), layout!, ranges)}${OBSERVATION_CLOSE}`;
    },
  };
}

/** Sorts @rlft/data's parse reasons into the kinds ParseStats counts. */
function failureKind(reason: string): ParseFailureKind {
  if (reason.startsWith('expected')) return 'wrong-dimension';
  if (reason === 'no values') return 'no-values';
  if (reason.includes('is not a number')) return 'not-a-number';
  return 'missing-tag';
}

/** The action codec of a space (see TextFormat). */
export function actionCodec<Act = unknown>(space: Space, options: CodecOptions = {}): ActionCodec<Act> {
  const { format, layout, ranges, textKeys: keys } = setup(space, options, 'action');
  if (keys && keys !== 'self') {
    throw new TextFormatError(`the action space ${space.toString()} mixes text with other entries; text actions must be a Text space`);
  }
  return {
    format,
    space,
    layout,
    ranges,
    encode(action: Act): string {
      if (format === 'text') return String(action);
      return `${ACTION_OPEN}${writeValues(layout!.flatten(action), layout!, ranges)}${ACTION_CLOSE}`;
    },
    decode(completion: string, mode: ParseMode): DecodedAction {
      if (format === 'text') return { ok: true, text: completion };
      const parsed = parseAction(completion, { dims: layout!.size, mode });
      if (!parsed.ok) return { ok: false, reason: parsed.reason, kind: failureKind(parsed.reason) };
      const values = parsed.values;
      for (let i = 0; i < values.length; i++) {
        const dim = layout!.dims[i]!;
        if (dim.kind === 'integer') {
          if (!Number.isInteger(values[i])) return { ok: false, reason: `value ${i + 1} is not an integer: ${values[i]}`, kind: 'not-an-integer' };
        } else if (ranges) {
          const bin = values[i]!;
          if (!Number.isInteger(bin) || bin < 0 || bin > DISCRETE_BINS_MAX) {
            return { ok: false, reason: `value ${i + 1} is not a bin 0–${DISCRETE_BINS_MAX}: ${bin}`, kind: 'not-a-bin' };
          }
          values[i] = undiscretiseValue(bin, ranges.min[i]!, ranges.max[i]!);
        }
      }
      return { ok: true, values };
    },
    toAction(decoded): Act {
      if ('text' in decoded) return decoded.text as Act;
      return layout!.unflatten(decoded.values) as Act;
    },
  };
}
