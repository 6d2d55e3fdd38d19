import { RlftError } from '@rlft/core';

/** A malformed `key=value` flag: says which flag, what was given and the expected form. */
export class FlagValueError extends RlftError {
  constructor(message: string) {
    super('BAD_FLAG', message);
  }
}

/**
 * A value given on the command line: JSON when it parses (numbers, booleans, null, arrays,
 * objects, quoted strings), else the text itself, so `-k name=left` needs no quotes.
 */
export function parseFlagValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Parse repeated `key=value` flags (`-k gravity=9.8 -k sutton_barto_reward=true`) into an
 * object. The value is everything after the first `=`, so values may contain `=`.
 */
export function parseKeyValues(items: readonly string[] | undefined, flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items ?? []) {
    const at = item.indexOf('=');
    const key = at < 0 ? '' : item.slice(0, at).trim();
    if (at < 0 || key === '') {
      throw new FlagValueError(`Malformed ${flag} '${item}': expected key=value (the value is read as JSON when it parses, else as text)`);
    }
    if (Object.hasOwn(out, key)) throw new FlagValueError(`${flag} '${key}' is given twice; give each key once`);
    out[key] = parseFlagValue(item.slice(at + 1));
  }
  return out;
}

/**
 * Split `--policy-opt` values between several policies: `constant.value=1` goes to the
 * policy `constant` only, a key without a listed policy's prefix goes to every policy.
 */
export function optionsPerPolicy(options: Record<string, unknown>, policyIds: readonly string[]): Map<string, Record<string, unknown>> {
  const perPolicy = new Map(policyIds.map((id) => [id, {} as Record<string, unknown>]));
  for (const [key, value] of Object.entries(options)) {
    const dot = key.indexOf('.');
    const scope = dot > 0 ? key.slice(0, dot) : undefined;
    if (scope !== undefined && perPolicy.has(scope)) perPolicy.get(scope)![key.slice(dot + 1)] = value;
    else for (const target of perPolicy.values()) target[key] = value;
  }
  return perPolicy;
}
