export type FinishReason = 'stop' | 'length';

export interface StopCriteria {
  /** Generation stops after any of these strings; the completion keeps the stop string, nothing after it. */
  stop: readonly string[];
  /** Ids that end a completion (kept in the ids, left out of the text). */
  eosTokenIds: readonly number[];
  maxNewTokens: number;
}

/**
 * Watches one completion as its tokens arrive and says when it is finished. Stop strings are
 * matched on the decoded text, so they may span token boundaries; when several match, the one
 * that ends first wins (that is where generation would have stopped).
 */
export class StopWatcher {
  readonly ids: number[] = [];
  private finish: FinishReason | undefined;
  private stopEnd: number | undefined;
  private readonly eos: ReadonlySet<number>;
  private readonly hasStops: boolean;

  constructor(
    private readonly criteria: StopCriteria,
    private readonly decode: (ids: readonly number[]) => string,
  ) {
    this.eos = new Set(criteria.eosTokenIds);
    this.hasStops = criteria.stop.length > 0;
    if (criteria.stop.some((s) => s.length === 0)) throw new RangeError('Stop strings must not be empty');
  }

  get done(): boolean {
    return this.finish !== undefined;
  }

  get finishReason(): FinishReason {
    return this.finish ?? 'length';
  }

  /** Records the next generated token; returns true when the completion is now finished. */
  push(token: number): boolean {
    if (this.finish) throw new Error('StopWatcher.push after the completion finished');
    this.ids.push(token);
    if (this.eos.has(token)) {
      this.finish = 'stop';
    } else if (this.hasStops && this.findStop()) {
      this.finish = 'stop';
    } else if (this.ids.length >= this.criteria.maxNewTokens) {
      this.finish = 'length';
    }
    return this.finish !== undefined;
  }

  /** The completion's text: decoded without a final eos token, cut right after the stop string that ended it. */
  text(): string {
    const last = this.ids.length - 1;
    const ids = last >= 0 && this.eos.has(this.ids[last]) ? this.ids.slice(0, last) : this.ids;
    // Some decoders reject an empty id list (an eos as the first token leaves nothing to decode).
    const text = ids.length ? this.decode(ids) : '';
    return this.stopEnd === undefined ? text : text.slice(0, this.stopEnd);
  }

  private findStop(): boolean {
    const text = this.decode(this.ids);
    // The whole text, not only its tail: earlier characters can still change while a multi-byte
    // character is unfinished. Completions are short, so this stays cheap.
    let end: number | undefined;
    for (const stop of this.criteria.stop) {
      const at = text.indexOf(stop);
      if (at >= 0 && (end === undefined || at + stop.length < end)) end = at + stop.length;
    }
    this.stopEnd = end;
    return end !== undefined;
  }
}
