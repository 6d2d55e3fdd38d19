/**
 * Reading a language model's answer to a 24-points prompt: a JSON object
 * `{"cards": [...], "number": [...], "formula": "..."}`, possibly inside a code fence or among
 * other text, or failing that a `formula: ...` line. Anything from `=` on is dropped (models
 * like to append "= 24"). Never throws.
 */

export interface ParsedAnswer {
  /** The formula text before any `=`, or undefined when none was found. */
  formula: string | undefined;
  /** The `number` field of the JSON object, when it is an array. */
  claimedNumbers: unknown[] | undefined;
  /** The `cards` field of the JSON object, when it is an array. */
  claimedCards: unknown[] | undefined;
  /** How the formula was found. */
  source: 'json' | 'pattern' | 'none';
}

/** Answers are read up to here (GeneralPoints' action space admits no longer text). */
export const MAX_ANSWER_SCAN = 131_072;
/** JSON.parse is tried from at most this many `{` positions. */
const MAX_JSON_STARTS = 20;

function stripAtEquals(formula: string): string {
  const at = formula.indexOf('=');
  return (at < 0 ? formula : formula.slice(0, at)).trim();
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The first JSON object in the text that has a `formula` (or, failing that, any JSON object). */
function findJsonObject(text: string): Record<string, unknown> | undefined {
  let fallback: Record<string, unknown> | undefined;
  let start = text.indexOf('{');
  for (let tries = 0; start >= 0 && tries < MAX_JSON_STARTS; tries++) {
    // Try the shortest and the longest closing brace after this start: nested objects need the latter.
    const candidates = [text.indexOf('}', start), text.lastIndexOf('}')];
    for (const end of candidates) {
      if (end <= start) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.slice(start, end + 1));
      } catch {
        continue;
      }
      const record = asRecord(parsed);
      if (record && 'formula' in record) return record;
      fallback ??= record;
    }
    start = text.indexOf('{', start + 1);
  }
  return fallback;
}

const FORMULA_PATTERNS = [
  /"formula"\s*:\s*"([^"\n]*)"?/i,
  /formula\s*[:：]\s*`?([^`\n]*)/i,
];

export function parseAnswer(raw: unknown): ParsedAnswer {
  if (typeof raw !== 'string') return { formula: undefined, claimedNumbers: undefined, claimedCards: undefined, source: 'none' };
  const text = raw.length > MAX_ANSWER_SCAN ? raw.slice(0, MAX_ANSWER_SCAN) : raw;
  const json = findJsonObject(text);
  const claimedNumbers = Array.isArray(json?.number) ? json.number : Array.isArray(json?.numbers) ? json.numbers : undefined;
  const claimedCards = Array.isArray(json?.cards) ? json.cards : undefined;
  if (json && typeof json.formula === 'string') {
    return { formula: stripAtEquals(json.formula), claimedNumbers, claimedCards, source: 'json' };
  }
  for (const pattern of FORMULA_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { formula: stripAtEquals(match[1]), claimedNumbers, claimedCards, source: 'pattern' };
  }
  return { formula: undefined, claimedNumbers, claimedCards, source: 'none' };
}
