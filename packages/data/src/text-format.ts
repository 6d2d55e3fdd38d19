/**
 * The text format a language model reads and writes when it acts as a controller
 * (specs/reference-envs.md, "The LLM-as-controller format"):
 * `<observation>v1,v2,…</observation>` and `<action>…</action>`, values with 5 decimals,
 * commas, no spaces; a discrete action is its integer. The discretised variant writes each
 * value as an integer bin 0–999 over a per-dimension [min, max] range.
 */

export const OBSERVATION_OPEN = '<observation>';
export const OBSERVATION_CLOSE = '</observation>';
export const ACTION_OPEN = '<action>';
export const ACTION_CLOSE = '</action>';

/** Decimals written for each value in the reference format. */
export const TEXT_DECIMALS = 5;
/** Highest bin of the discretised format (bins are 0…DISCRETE_BINS_MAX). */
export const DISCRETE_BINS_MAX = 999;

/** Per-dimension value ranges for the discretised format. */
export interface DiscretisationRanges {
  readonly min: readonly number[];
  readonly max: readonly number[];
}

type Values = ArrayLike<number>;

function formatValue(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} in the text format: values must be finite`);
  const text = value.toFixed(TEXT_DECIMALS);
  // toFixed keeps the sign of tiny negatives ("-0.00000"); write zero plainly.
  return Number(text) === 0 ? (0).toFixed(TEXT_DECIMALS) : text;
}

/** Values joined by commas, 5 decimals each. */
export function encodeValues(values: Values): string {
  const parts: string[] = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = formatValue(values[i]!);
  return parts.join(',');
}

export function encodeObservation(values: Values): string {
  return `${OBSERVATION_OPEN}${encodeValues(values)}${OBSERVATION_CLOSE}`;
}

/** A continuous action as 5-decimal values, or a discrete action (a plain number) as its integer. */
export function encodeAction(action: Values | number): string {
  if (typeof action === 'number') {
    if (!Number.isInteger(action)) throw new RangeError(`a discrete action must be an integer, got ${action}`);
    return `${ACTION_OPEN}${action}${ACTION_CLOSE}`;
  }
  return `${ACTION_OPEN}${encodeValues(action)}${ACTION_CLOSE}`;
}

function checkRanges(ranges: DiscretisationRanges, dims: number): void {
  if (ranges.min.length !== dims || ranges.max.length !== dims) {
    throw new RangeError(`discretisation ranges have ${ranges.min.length}/${ranges.max.length} dimensions (min/max), values have ${dims}`);
  }
}

/** The bin 0–999 of `value` in [min, max]; a degenerate range (max ≤ min) maps everything to 0. */
export function discretiseValue(value: number, min: number, max: number): number {
  const width = max - min;
  if (!(width > 0) || Number.isNaN(value)) return 0;
  const unit = Math.min(1, Math.max(0, (value - min) / width));
  return Math.round(unit * DISCRETE_BINS_MAX);
}

/** The value a bin stands for: min + k/999·(max − min). */
export function undiscretiseValue(bin: number, min: number, max: number): number {
  return min + (bin / DISCRETE_BINS_MAX) * (max - min);
}

export function discretise(values: Values, ranges: DiscretisationRanges): number[] {
  checkRanges(ranges, values.length);
  const bins = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) bins[i] = discretiseValue(values[i]!, ranges.min[i]!, ranges.max[i]!);
  return bins;
}

export function undiscretise(bins: Values, ranges: DiscretisationRanges): number[] {
  checkRanges(ranges, bins.length);
  const values = new Array<number>(bins.length);
  for (let i = 0; i < bins.length; i++) values[i] = undiscretiseValue(bins[i]!, ranges.min[i]!, ranges.max[i]!);
  return values;
}

export function encodeDiscretisedObservation(values: Values, ranges: DiscretisationRanges): string {
  return `${OBSERVATION_OPEN}${discretise(values, ranges).join(',')}${OBSERVATION_CLOSE}`;
}

export function encodeDiscretisedAction(values: Values, ranges: DiscretisationRanges): string {
  return `${ACTION_OPEN}${discretise(values, ranges).join(',')}${ACTION_CLOSE}`;
}

/**
 * Accumulates per-dimension minima and maxima over rows, e.g. a dataset's observations or
 * actions, to build the ranges of the discretised format.
 */
export class RangeAccumulator {
  readonly min: Float64Array;
  readonly max: Float64Array;
  private rows = 0;

  constructor(readonly dims: number) {
    this.min = new Float64Array(dims).fill(Infinity);
    this.max = new Float64Array(dims).fill(-Infinity);
  }

  /** Adds the rows of a flat row-major column of `dims` values per row. */
  addColumn(column: Values): void {
    if (column.length % this.dims !== 0) {
      throw new RangeError(`a column of ${column.length} values is not whole rows of ${this.dims}`);
    }
    for (let i = 0; i < column.length; i++) {
      const value = column[i]!;
      if (!Number.isFinite(value)) continue;
      const d = i % this.dims;
      if (value < this.min[d]!) this.min[d] = value;
      if (value > this.max[d]!) this.max[d] = value;
    }
    this.rows += column.length / this.dims;
  }

  /** The ranges seen so far; a dimension with no finite value gets [0, 0]. */
  ranges(): DiscretisationRanges {
    const min: number[] = [];
    const max: number[] = [];
    for (let d = 0; d < this.dims; d++) {
      const seen = this.min[d]! <= this.max[d]!;
      min.push(seen ? this.min[d]! : 0);
      max.push(seen ? this.max[d]! : 0);
    }
    return { min, max };
  }

  get rowCount(): number {
    return this.rows;
  }
}

export type ParseMode = 'strict' | 'lenient';

export interface ParseOptions {
  /** How many values the text must hold. */
  readonly dims: number;
  /**
   * `strict`: the whole text is exactly `<tag>v,…</tag>` (surrounding whitespace allowed).
   * `lenient`: the first `<tag>…` in the text counts, the closing tag may be missing (a
   * completion cut at its length limit), and spaces around values are accepted.
   */
  readonly mode?: ParseMode;
}

export type ParseResult =
  | { readonly ok: true; readonly values: number[]; readonly closed: boolean; readonly trailing: string }
  | { readonly ok: false; readonly reason: string };

const STRICT_NUMBER = /^-?\d+(?:\.\d+)?$/;
const LENIENT_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseTagged(text: string, open: string, close: string, options: ParseOptions): ParseResult {
  const mode = options.mode ?? 'strict';
  if (typeof text !== 'string') return { ok: false, reason: 'the input is not text' };
  let body: string;
  let closed: boolean;
  let trailing = '';
  if (mode === 'strict') {
    const trimmed = text.trim();
    if (!trimmed.startsWith(open)) return { ok: false, reason: `the text does not start with ${open}` };
    if (!trimmed.endsWith(close)) return { ok: false, reason: `the text does not end with ${close}` };
    body = trimmed.slice(open.length, trimmed.length - close.length);
    if (body.includes('<')) return { ok: false, reason: `unexpected tag inside ${open}…${close}` };
    closed = true;
  } else {
    const start = text.indexOf(open);
    // A prompt that prefills the opening tag leaves a completion that starts with the numbers.
    const from = start >= 0 ? start + open.length : 0;
    const end = text.indexOf(close, from);
    closed = end >= 0;
    body = closed ? text.slice(from, end) : text.slice(from);
    if (closed) trailing = text.slice(end + close.length);
    const cut = body.indexOf('<');
    if (cut >= 0) body = body.slice(0, cut);
  }
  const parts = body.split(',');
  if (body.trim() === '') return { ok: false, reason: 'no values' };
  if (parts.length !== options.dims) {
    return { ok: false, reason: `expected ${options.dims} value${options.dims === 1 ? '' : 's'}, found ${parts.length}` };
  }
  const values = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const part = mode === 'strict' ? parts[i]! : parts[i]!.trim();
    if (!(mode === 'strict' ? STRICT_NUMBER : LENIENT_NUMBER).test(part)) {
      return { ok: false, reason: `value ${i + 1} is not a number: ${JSON.stringify(part.slice(0, 20))}` };
    }
    values[i] = Number(part);
  }
  return { ok: true, values, closed, trailing };
}

/** Parses `<action>…</action>` into `dims` numbers, or says why it cannot; never throws. */
export function parseAction(text: string, options: ParseOptions): ParseResult {
  return parseTagged(text, ACTION_OPEN, ACTION_CLOSE, options);
}

/** Parses `<observation>…</observation>` into `dims` numbers, or says why it cannot; never throws. */
export function parseObservation(text: string, options: ParseOptions): ParseResult {
  return parseTagged(text, OBSERVATION_OPEN, OBSERVATION_CLOSE, options);
}

/** Parses a discretised action and maps its bins back to values; bins must be integers 0–999. */
export function parseDiscretisedAction(text: string, ranges: DiscretisationRanges, mode: ParseMode = 'strict'): ParseResult {
  const dims = ranges.min.length;
  if (ranges.max.length !== dims) return { ok: false, reason: `discretisation ranges have ${dims} minima and ${ranges.max.length} maxima` };
  const parsed = parseAction(text, { dims, mode });
  if (!parsed.ok) return parsed;
  for (let i = 0; i < parsed.values.length; i++) {
    const bin = parsed.values[i]!;
    if (!Number.isInteger(bin) || bin < 0 || bin > DISCRETE_BINS_MAX) {
      return { ok: false, reason: `value ${i + 1} is not a bin 0–${DISCRETE_BINS_MAX}: ${bin}` };
    }
  }
  return { ...parsed, values: undiscretise(parsed.values, ranges) };
}
