import { readFileSync } from 'node:fs';
import { closestMatches, optionKeys, RlftError, z } from '@rlft/core';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

/** A preset file that cannot be read, is not valid YAML, or has keys or values out of place. */
export class PresetError extends RlftError {
  constructor(message: string) {
    super('BAD_PRESET', message);
  }
}

/**
 * A run preset (`rlft run --config FILE`): the environment and its kwargs, the algorithm and
 * its config (checked later by the algorithm's own schema), the seed and the final evaluation.
 */
export interface RunPreset {
  env?: string;
  env_kwargs?: Record<string, unknown>;
  algo?: string;
  seed?: number;
  config?: Record<string, unknown>;
  eval?: { episodes?: number; seed?: number };
}

const presetSchema = z
  .object({
    env: z.string().min(1).optional().describe('environment id or alias'),
    env_kwargs: z.record(z.string(), z.unknown()).optional().describe('environment options (as -k)'),
    algo: z.string().min(1).optional().describe('training algorithm'),
    seed: z.number().int().min(0).optional().describe('seed of the environments and the algorithm'),
    config: z.record(z.string(), z.unknown()).optional().describe("the algorithm's config"),
    eval: z
      .object({
        episodes: z.number().int().min(0).optional().describe('episodes of the final evaluation (0 skips it)'),
        seed: z.number().int().min(0).optional().describe('seed of the first evaluation episode'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The top-level keys a preset may hold (for messages and the docs). */
export const PRESET_KEYS: readonly string[] = optionKeys(presetSchema);

export type PresetPath = readonly (string | number)[];

export interface LoadedPreset {
  /** The file as the user named it, for messages. */
  file: string;
  preset: RunPreset;
  /** Where a key is written, as `file:line`, or just the file when the path is not in it. */
  locate(path: PresetPath): string;
}

/** Read and check a preset file; errors name the file and line. */
export function readPreset(file: string): LoadedPreset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    // `--config key=value` is how algorithm settings were once given; they are `--set` now.
    const hint = missing && file.includes('=') ? ` For an algorithm setting use --set ${file}.` : ' Presets ship in config/ (for example config/ppo-cartpole.yaml).';
    throw new PresetError(`--config ${file}: ${missing ? 'no such file' : (error as Error).message}.${hint}`);
  }
  return parsePreset(text, file);
}

/** Parse a preset from YAML text; `file` is only used in messages. */
export function parsePreset(text: string, file: string): LoadedPreset {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const at = error.linePos?.[0];
    // yaml's message ends with " at line L, column C:" and an excerpt; keep the excerpt, put the place first.
    const [headline = error.message, ...excerpt] = error.message.split('\n');
    const reason = headline.replace(/ at line \d+, column \d+:?$/, '');
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    const context = excerpt.filter((line) => line.trim() !== '').map((line) => `  ${line}`);
    throw new PresetError(`${where}: invalid YAML: ${reason}${context.length ? `\n${context.join('\n')}` : ''}`);
  }
  const locate = (path: PresetPath): string => {
    const line = lineOf(doc, lineCounter, path);
    return line === undefined ? file : `${file}:${line}`;
  };
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new PresetError(`${locate([])}: a preset is a mapping with the keys ${PRESET_KEYS.join(', ')}; this file holds ${isSeq(doc.contents) ? 'a list' : 'a single value'}.`);
  }
  const result = presetSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue): string[] => {
      const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
      if (issue.code === 'unrecognized_keys') {
        const allowed = issue.path.length === 0 ? PRESET_KEYS : optionKeys(presetSchema.shape.eval.unwrap());
        const section = issue.path.length === 0 ? 'top-level key' : `key in ${issue.path.join('.')}`;
        return issue.keys.map((key) => {
          const near = closestMatches(key, [...allowed], 1);
          return `${locate([...path, key])}: unknown ${section} '${key}'${near.length ? ` (did you mean '${near[0]}'?)` : ''}; allowed: ${allowed.join(', ')}`;
        });
      }
      return [`${locate(path)}: '${path.join('.')}': ${issue.message}`];
    });
    throw new PresetError(`Invalid preset ${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return { file, preset: result.data as RunPreset, locate };
}

/** The 1-based line of the key at `path` (or of the value, for list items), if the file has it. */
function lineOf(doc: Document, lineCounter: LineCounter, path: PresetPath): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
      if (!pair) return undefined;
      offset = (pair.key as { range?: [number] }).range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = (node as { range?: [number] } | undefined)?.range?.[0];
    } else {
      return undefined;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
