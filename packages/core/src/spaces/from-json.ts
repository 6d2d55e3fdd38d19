import { Box } from './box.js';
import { Dict } from './dict.js';
import { Discrete } from './discrete.js';
import { MultiBinary } from './multi-binary.js';
import { MultiDiscrete } from './multi-discrete.js';
import type { Space } from './space.js';
import { Text } from './text.js';
import { Tuple as TupleSpace } from './tuple.js';
import type { SpaceJSON } from './json.js';

const SPACE_TYPES = ['Box', 'Discrete', 'MultiDiscrete', 'MultiBinary', 'Text', 'Dict', 'Tuple'];

/** Parse a space from its JSON form (an object, or a JSON string). */
export function spaceFromJSON(input: SpaceJSON | string): Space {
  const json = (typeof input === 'string' ? parsePythonJSON(input) : input) as SpaceJSON;
  switch (json?.type) {
    case 'Box':
      return Box.fromJSON(json);
    case 'Discrete':
      return new Discrete(json.n, { start: json.start ?? 0 });
    case 'MultiDiscrete':
      return new MultiDiscrete(json.nvec, { start: json.start });
    case 'MultiBinary':
      return new MultiBinary(json.n);
    case 'Text':
      return new Text(json.max_length, { minLength: json.min_length, charset: json.charset === '' ? null : json.charset });
    case 'Dict':
      return new Dict(Object.fromEntries(Object.entries(json.subspaces).map(([k, v]) => [k, spaceFromJSON(v)])));
    case 'Tuple':
      return new TupleSpace(json.subspaces.map((s) => spaceFromJSON(s)));
    default:
      throw new TypeError(
        `Unknown space type ${JSON.stringify((json as { type?: unknown })?.type)}; allowed: ${SPACE_TYPES.join(', ')}`,
      );
  }
}

/**
 * JSON.parse, also accepting the bare `Infinity`, `-Infinity` and `NaN` tokens that Python's
 * `json.dumps` writes (Minari stores spaces that way); they become the strings the number
 * decoder reads. Words inside string literals are left alone.
 */
function parsePythonJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const quoted = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (match, literal: string | undefined) =>
      literal ?? `"${match}"`,
    );
    if (quoted === text) throw error;
    return JSON.parse(quoted);
  }
}
