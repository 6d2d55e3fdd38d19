import { z } from 'zod';
import { InvalidKwargsError } from './errors.js';
import { closestMatches } from './suggest.js';

/**
 * Options (env kwargs, policy options, algorithm configs) are described by zod schemas:
 * validated, with defaults, and unknown keys are errors.
 */
export type OptionsSchema<T = Record<string, unknown>> = z.ZodType<T>;

/** The keys an object schema accepts, or [] when the schema is not an object. */
export function optionKeys(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** Validate `input` against `schema`; errors name the target, each problem, and the allowed keys. */
export function parseOptions<T>(schema: OptionsSchema<T>, input: unknown, target: string): T {
  const result = rejectingUnknownKeys(schema).safeParse(input ?? {});
  if (result.success) return result.data;
  const allowed = optionKeys(schema);
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const near = closestMatches(key, allowed, 1);
          return `unknown option '${key}'${near.length ? ` (did you mean '${near[0]}'?)` : ''}`;
        })
        .join('; ');
    }
    const where = issue.path.length ? `'${issue.path.join('.')}'` : 'options';
    return `${where}: ${issue.message}`;
  });
  throw new InvalidKwargsError(target, problems, allowed);
}

const strictCopies = new WeakMap<z.ZodType, z.ZodType>();

/**
 * zod objects drop unknown keys unless told otherwise, which would hide a misspelt option;
 * treat a plain `z.object` as strict (schemas that chose `.passthrough()` or `.catchall()` keep that).
 */
function rejectingUnknownKeys<T>(schema: OptionsSchema<T>): OptionsSchema<T> {
  if (!(schema instanceof z.ZodObject) || schema._zod.def.catchall !== undefined) return schema;
  let strict = strictCopies.get(schema);
  if (!strict) {
    strict = schema.strict();
    strictCopies.set(schema, strict);
  }
  return strict as unknown as OptionsSchema<T>;
}

/** One line per option: name, type, default, description (for `rlft envs info` and help). */
export interface OptionDescription {
  name: string;
  type: string;
  default?: unknown;
  description?: string;
}

export function describeOptions(schema: z.ZodType | undefined): OptionDescription[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as {
    properties?: Record<string, { type?: string | string[]; default?: unknown; description?: string; anyOf?: unknown[]; enum?: unknown[] }>;
  };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => ({
    name,
    type: prop.enum ? prop.enum.map((v) => JSON.stringify(v)).join('|') : Array.isArray(prop.type) ? prop.type.join('|') : (prop.type ?? 'any'),
    ...(prop.default !== undefined ? { default: prop.default } : {}),
    ...(prop.description ? { description: prop.description } : {}),
  }));
}

export { z };
