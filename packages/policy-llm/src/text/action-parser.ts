import { Rng, Text, describeValue, InvalidKwargsError } from '@rlft/core';
import type { ParseMode } from '@rlft/data';
import type { ActionCodec, ParseFailureKind } from './codecs.js';
import { assistantPrefixFor } from './prompts.js';

/**
 * Turns completions into env actions and counts how that went (`rlft eval` prints the
 * counts). One `parse` per completion (`read` is the same, for LlmPolicy's CompletionReader); the policy re-asks the model after a failure
 * (`recordRetry`) and takes `fallback()` when every attempt failed.
 */

/**
 * The action taken when no completion parses:
 * - `random`: a sample of the action space from the parser's seeded generator;
 * - `zeros`: every value 0 (must lie in the space);
 * - `noop`: the value nearest to 0 in each dimension (zeros clipped into the bounds; a
 *   Discrete space's value nearest 0; empty text);
 * - `{ value }`: this action (must lie in the space).
 */
export type FallbackAction = 'random' | 'zeros' | 'noop' | { value: unknown };

export interface ActionParserOptions {
  /** `strict`: exactly `<action>…</action>`; `lenient` (default): the first tag, spaces and a missing close tag accepted. */
  mode?: ParseMode;
  /**
   * Real values outside the action bounds: clipped and counted (true, the default) or a
   * failure. Integers outside their range (a Discrete choice that does not exist) are always
   * failures: clipping would pick an arbitrary other choice.
   */
  clip?: boolean;
  /** Default `random`. */
  fallback?: FallbackAction;
  /** Seed of the random fallback. */
  seed?: number;
  /**
   * The prefilled start of the answer (default: `<action>` for the numeric formats, none for
   * text). Completions continue the prefix without repeating it, so strict reading puts it
   * back in front, unless the completion already starts with it (a backend that cannot
   * prefill); `null` reads completions as they are.
   */
  assistantPrefix?: string | null;
}

export type ParsedAction<Act> = { ok: true; action: Act; clipped: boolean } | { ok: false; reason: string; kind: ParseFailureKind };

/**
 * Values written with 5 decimals may round past a bound by half a unit in the last place
 * (a bound of 0.123456 is written 0.12346); such values are clipped without being counted.
 */
const ROUNDING_SLACK = 5e-6;

/** The counters of an ActionParser. */
export class ParseStats {
  completions = 0;
  parsed = 0;
  failures = 0;
  /** Parsed completions that had at least one value clipped into the bounds. */
  clipped = 0;
  fallbacks = 0;
  retries = 0;
  reasons: Partial<Record<ParseFailureKind, number>> = {};

  /** A JSON-safe copy. */
  toJSON(): { completions: number; parsed: number; failures: number; clipped: number; fallbacks: number; retries: number; reasons: Record<string, number> } {
    const { completions, parsed, failures, clipped, fallbacks, retries } = this;
    return { completions, parsed, failures, clipped, fallbacks, retries, reasons: { ...this.reasons } as Record<string, number> };
  }

  /** One line, e.g. `200 completions: 190 parsed (95.0%), 10 failed (wrong-dimension 6, not-a-number 4), 3 clipped, 4 retries, 6 fallbacks`. */
  summary(): string {
    const rate = this.completions ? ` (${((100 * this.parsed) / this.completions).toFixed(1)}%)` : '';
    const reasons = Object.entries(this.reasons)
      .sort((a, b) => b[1]! - a[1]!)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return (
      `${this.completions} completions: ${this.parsed} parsed${rate}, ${this.failures} failed${reasons ? ` (${reasons})` : ''}, ` +
      `${this.clipped} clipped, ${this.retries} retries, ${this.fallbacks} fallbacks`
    );
  }
}

const FALLBACK_NAMES = ['random', 'zeros', 'noop', '{ value }'];

export class ActionParser<Act = unknown> {
  readonly counters = new ParseStats();
  readonly mode: ParseMode;
  readonly clip: boolean;
  readonly assistantPrefix: string | undefined;
  private readonly rng: Rng;
  private readonly fallbackSetting: FallbackAction;
  private readonly fixedFallback: Act | undefined;

  constructor(
    readonly codec: ActionCodec<Act>,
    options: ActionParserOptions = {},
  ) {
    this.mode = options.mode ?? 'lenient';
    if (this.mode !== 'strict' && this.mode !== 'lenient') {
      throw new InvalidKwargsError('the action parser', [`mode '${String(this.mode)}' is unknown`], ['mode: strict | lenient']);
    }
    this.clip = options.clip ?? true;
    this.assistantPrefix = options.assistantPrefix === undefined ? assistantPrefixFor(codec.format) : (options.assistantPrefix ?? undefined);
    this.rng = Rng.fromSeed(options.seed ?? 0);
    this.fallbackSetting = options.fallback ?? 'random';
    if (this.fallbackSetting !== 'random') this.fixedFallback = this.fixedFallbackAction(this.fallbackSetting);
  }

  /** Reads one completion into an action, counting the outcome. Never throws. */
  parse(completion: string): ParsedAction<Act> {
    this.counters.completions++;
    const result = this.interpret(completion);
    if (result.ok) {
      this.counters.parsed++;
      if (result.clipped) this.counters.clipped++;
    } else {
      this.counters.failures++;
      this.counters.reasons[result.kind] = (this.counters.reasons[result.kind] ?? 0) + 1;
    }
    return result;
  }

  /** The fallback action (counted). */
  fallback(): Act {
    this.counters.fallbacks++;
    if (this.fallbackSetting === 'random') return this.codec.space.sample(this.rng) as Act;
    return this.fixedFallback!;
  }

  recordRetry(): void {
    this.counters.retries++;
  }

  /** `parse`, under the name LlmPolicy's CompletionReader uses. */
  read(completion: string): ParsedAction<Act> {
    return this.parse(completion);
  }

  /** The counters as plain JSON (LlmPolicy reports them as policy stats). */
  stats(): ReturnType<ParseStats['toJSON']> {
    return this.counters.toJSON();
  }

  private interpret(completion: string): ParsedAction<Act> {
    const prefix = this.assistantPrefix;
    // Lenient reading already takes text without the opening tag as following it.
    const answer = prefix && this.mode === 'strict' && !completion.trimStart().startsWith(prefix) ? prefix + completion : completion;
    const decoded = this.codec.decode(answer, this.mode);
    if (!decoded.ok) return decoded;
    if (decoded.text !== undefined) return this.readText(decoded.text);
    const values = decoded.values;
    const dims = this.codec.layout!.dims;
    let clipped = false;
    for (let i = 0; i < values.length; i++) {
      const { kind, low, high } = dims[i]!;
      const value = values[i]!;
      if (value >= low && value <= high) continue;
      if (kind === 'integer' || !this.clip) {
        return { ok: false, reason: `value ${i + 1} = ${value} is outside [${low}, ${high}]`, kind: 'out-of-range' };
      }
      values[i] = Math.min(high, Math.max(low, value));
      if (value < low - ROUNDING_SLACK || value > high + ROUNDING_SLACK) clipped = true;
    }
    return { ok: true, action: this.codec.toAction({ values }), clipped };
  }

  private readText(text: string): ParsedAction<Act> {
    const space = this.codec.space as Text;
    const chars = [...text];
    if (chars.length < space.minLength) return { ok: false, reason: `the answer has ${chars.length} characters, at least ${space.minLength} needed`, kind: 'empty-text' };
    if (chars.length > space.maxLength) {
      if (!this.clip) return { ok: false, reason: `the answer has ${chars.length} characters, at most ${space.maxLength} allowed`, kind: 'out-of-range' };
      return { ok: true, action: this.codec.toAction({ text: chars.slice(0, space.maxLength).join('') }), clipped: true };
    }
    return { ok: true, action: this.codec.toAction({ text }), clipped: false };
  }

  private fixedFallbackAction(setting: Exclude<FallbackAction, 'random'>): Act {
    const space = this.codec.space;
    let action: unknown;
    if (typeof setting === 'object' && setting !== null && 'value' in setting) {
      action = setting.value;
    } else if (setting === 'zeros' || setting === 'noop') {
      if (space instanceof Text) {
        action = '';
      } else {
        const dims = this.codec.layout!.dims;
        const values = dims.map(({ low, high }) => (setting === 'zeros' ? 0 : Math.min(high, Math.max(low, 0))));
        action = this.codec.toAction({ values });
      }
    } else {
      throw new InvalidKwargsError('the action parser', [`fallback ${describeValue(setting)} is unknown`], [`fallback: ${FALLBACK_NAMES.join(' | ')}`]);
    }
    const why = space.explainNotContained(action);
    if (why !== undefined) {
      const hint = setting === 'zeros' ? "; 'noop' picks the values nearest zero inside the space" : '';
      throw new InvalidKwargsError('the action parser', [`the fallback action is not in the action space: ${why}${hint}`], [`fallback: ${FALLBACK_NAMES.join(' | ')}`]);
    }
    return action as Act;
  }
}
