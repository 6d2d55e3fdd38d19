import { FlagValueError } from './key-values.js';

/** `--policy random,constant` → ['random', 'constant']; empty or repeated names are errors. */
export function parsePolicyList(text: string): string[] {
  const ids = text.split(',').map((id) => id.trim());
  if (ids.some((id) => id === '')) {
    throw new FlagValueError(`--policy '${text}' has an empty name; give policy names separated by commas, e.g. --policy random,constant`);
  }
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new FlagValueError(`--policy lists '${repeated}' twice; give each policy once`);
  return ids;
}
