import type { H5Group } from './h5.js';

/**
 * Reset options are stored the way Minari stores them: flattened into episode-group attributes
 * named `options/<key>` (`options/<key>/<subkey>` for nested records). Integers become int64,
 * other numbers float64, booleans int8 0/1, strings variable-length strings, arrays of numbers
 * float64 arrays; anything else (null, mixed arrays) is kept as its JSON text.
 */
export function writeOptionAttributes(group: H5Group, options: Record<string, unknown>, prefix = 'options'): void {
  for (const [key, value] of Object.entries(options)) {
    const name = `${prefix}/${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
      writeOptionAttributes(group, value as Record<string, unknown>, name);
    } else if (typeof value === 'number') {
      group.create_attribute(name, value, null, Number.isInteger(value) ? '<q' : '<d');
    } else if (typeof value === 'boolean') {
      group.create_attribute(name, value ? 1 : 0, null, '<b');
    } else if (typeof value === 'string') {
      group.create_attribute(name, value, null, 'S');
    } else if ((Array.isArray(value) || ArrayBuffer.isView(value)) && Array.from(value as ArrayLike<unknown>).every((v) => typeof v === 'number')) {
      const numbers = Float64Array.from(value as ArrayLike<number>);
      group.create_attribute(name, numbers, [numbers.length], '<d');
    } else {
      group.create_attribute(name, JSON.stringify(value) ?? 'null', null, 'S');
    }
  }
}

/**
 * Reset options of an episode group: Minari's flattened `options/…` attributes, or a single
 * `options` attribute holding JSON. Undefined when the episode has none.
 */
export function readOptionAttributes(group: H5Group): Record<string, unknown> | undefined {
  let options: Record<string, unknown> | undefined;
  for (const [name, attribute] of Object.entries(group.attrs)) {
    if (name === 'options') {
      const text = attribute.value;
      if (typeof text === 'string' && text !== '') options = { ...options, ...(JSON.parse(text) as Record<string, unknown>) };
      continue;
    }
    if (!name.startsWith('options/')) continue;
    const path = name.split('/').slice(1);
    options ??= {};
    let node = options;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = attributeValue(attribute.value);
  }
  return options;
}

function attributeValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, Number);
  return value;
}
