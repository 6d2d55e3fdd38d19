/** JSON forms of spaces, following Minari's `serialize_space` layout. */
export interface BoxJSON {
  type: 'Box';
  dtype: string;
  shape: number[];
  /** Nested lists in the shape; infinities as the strings "inf" / "-inf". */
  low: unknown;
  high: unknown;
}
export interface DiscreteJSON {
  type: 'Discrete';
  dtype: string;
  n: number;
  start: number;
}
export interface MultiDiscreteJSON {
  type: 'MultiDiscrete';
  dtype: string;
  nvec: number[];
  start: number[];
}
export interface MultiBinaryJSON {
  type: 'MultiBinary';
  n: number | number[];
}
export interface TextJSON {
  type: 'Text';
  max_length: number;
  min_length: number;
  charset: string;
}
export interface DictJSON {
  type: 'Dict';
  subspaces: Record<string, SpaceJSON>;
}
export interface TupleJSON {
  type: 'Tuple';
  subspaces: SpaceJSON[];
}
export type SpaceJSON = BoxJSON | DiscreteJSON | MultiDiscreteJSON | MultiBinaryJSON | TextJSON | DictJSON | TupleJSON;

export function encodeNumber(v: number): number | string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}

/** Accepts numbers and the spellings Python and JSON writers use for infinities. */
export function decodeNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'inf' || s === 'infinity' || s === '+inf') return Infinity;
    if (s === '-inf' || s === '-infinity') return -Infinity;
    const parsed = Number(s);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new TypeError(`Expected a number in a space description, got ${JSON.stringify(v)}`);
}

/** Turn a flat list into nested lists of the given shape (row-major). */
export function nestList<T>(flat: T[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return flat;
  const [, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < shape[0]; i++) out.push(nestList(flat.slice(i * stride, (i + 1) * stride), rest));
  return out;
}
