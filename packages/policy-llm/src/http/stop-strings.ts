/**
 * OpenAI's servers drop the matched stop string from the returned text; our Completion contract keeps
 * it. The server side trims (so any OpenAI client sees the usual text) and says which string matched;
 * the client side puts it back.
 */

/** Splits a completion that ends in a stop string into the text before it and the string itself. */
export function splitTrailingStop(text: string, stops: readonly string[]): { text: string; matchedStop: string | null } {
  let matched: string | null = null;
  for (const stop of stops) {
    // The longest match wins, so that with stops `a>` and `</a>` the whole `</a>` is reported.
    if (stop.length > 0 && text.endsWith(stop) && (matched === null || stop.length > matched.length)) matched = stop;
  }
  return matched === null ? { text, matchedStop: null } : { text: text.slice(0, text.length - matched.length), matchedStop: matched };
}

/**
 * Puts the stop string back on a text a server returned with finish_reason 'stop'.
 * `reported` is what the server said matched (vLLM's `stop_reason`, SGLang's `matched_stop`): a string
 * is a stop string, a number a stop token id and null the end-of-sequence token. When the server says
 * nothing (undefined) and exactly one stop string was asked for, that one is assumed — such servers
 * cannot tell it apart from an end-of-sequence token, so with several stop strings nothing is added.
 * A text that already ends with the stop string (a server that keeps it) is left alone: generation
 * halts at the first occurrence, so a trimmed text never ends with a whole stop string.
 */
export function restoreStop(text: string, stops: readonly string[], reported: unknown): string {
  let stop: string | undefined;
  if (typeof reported === 'string') stop = reported;
  else if (reported === undefined && stops.length === 1) stop = stops[0];
  if (!stop || !stops.includes(stop) || text.endsWith(stop)) return text;
  return text + stop;
}
