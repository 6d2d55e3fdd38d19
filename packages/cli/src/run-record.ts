import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RlftError, z } from '@rlft/core';

/**
 * A run's `config.json`: everything that defines the run, written before training starts so a
 * crashed run still records what it was, and read back by `rlft run --resume`.
 */
export interface RunRecord {
  env: string;
  env_kwargs: Record<string, unknown>;
  algo: string;
  /** The plugin that contributed the algorithm. */
  algo_plugin?: string;
  seed: number;
  /** The algorithm's config with every default filled in. */
  config: Record<string, unknown>;
  eval: { episodes: number; seed: number };
  rlft_version: string;
  /** The command line that started the run, as a shell would take it. */
  command: string;
  /** The preset file the run started from, if any. */
  preset?: string;
}

const runRecordSchema = z.object({
  env: z.string().min(1),
  env_kwargs: z.record(z.string(), z.unknown()),
  algo: z.string().min(1),
  algo_plugin: z.string().optional(),
  seed: z.number().int().min(0),
  config: z.record(z.string(), z.unknown()),
  eval: z.object({ episodes: z.number().int().min(0), seed: z.number().int().min(0) }),
  rlft_version: z.string(),
  command: z.string(),
  preset: z.string().optional(),
});

export class ResumeError extends RlftError {
  constructor(message: string) {
    super('BAD_RESUME', message);
  }
}

/** Read and check `<runDir>/config.json`; the errors say what `--resume` expects instead. */
export function readRunRecord(runDir: string): RunRecord {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new ResumeError(`--resume ${runDir}: no such directory`);
  const file = join(dir, 'config.json');
  if (!existsSync(file)) {
    const hint = existsSync(join(dir, '..', '..', 'config.json'))
      ? ` It looks like a checkpoint inside a run; --resume takes the run directory (${resolve(dir, '..', '..')}) and continues from its latest checkpoint.`
      : ' --resume takes a directory that `rlft run` created (it holds config.json, metrics.jsonl and checkpoints/).';
    throw new ResumeError(`--resume ${runDir}: not a run directory (no config.json).${hint}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ResumeError(`${file} is not valid JSON (${(error as Error).message}); it should be the config.json that \`rlft run\` wrote.`);
  }
  const result = runRecordSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `'${issue.path.map(String).join('.')}': ${issue.message}`);
    throw new ResumeError(`${file} is not a run config written by \`rlft run\`: ${problems.join('; ')}.`);
  }
  return result.data as RunRecord;
}

/** `argv` as one line a POSIX shell reads back into the same words. */
export function commandLine(bin: string, argv: readonly string[]): string {
  return [bin, ...argv].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
