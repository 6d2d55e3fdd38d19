import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RlftError } from '@rlft/core';

export class CheckpointPathError extends RlftError {
  constructor(message: string) {
    super('BAD_CHECKPOINT', message);
  }
}

/**
 * The newest checkpoint under a `checkpoints/` directory, or undefined when there is none.
 * `@rlft/nn` is imported on demand: it brings up the tensor engine's module, which commands
 * that never touch a checkpoint should not pay for.
 */
export async function latestCheckpointIn(checkpointsDir: string): Promise<string | undefined> {
  if (!existsSync(checkpointsDir)) return undefined;
  const { latestCheckpoint } = await import('@rlft/nn');
  return latestCheckpoint(checkpointsDir) ?? undefined;
}

/**
 * What `--checkpoint PATH` names: a run directory (its latest checkpoint), a run's
 * `checkpoints/` directory (the latest one in it), or one checkpoint directory (itself).
 */
export async function resolveCheckpointPath(path: string, flag = '--checkpoint'): Promise<string> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new CheckpointPathError(`${flag} ${path}: no such file or directory`);
  if (!statSync(absolute).isDirectory()) {
    const onnx = absolute.endsWith('.onnx') ? ' For an exported model use --policy onnx --model FILE.' : '';
    throw new CheckpointPathError(`${flag} ${path} is a file; it takes a checkpoint directory or a run directory (rlft run writes both).${onnx}`);
  }
  if (existsSync(join(absolute, 'config.json')) && existsSync(join(absolute, 'checkpoints'))) {
    const latest = await latestCheckpointIn(join(absolute, 'checkpoints'));
    if (latest === undefined) throw new CheckpointPathError(`${flag} ${path}: the run has no checkpoint yet (${join(absolute, 'checkpoints')} is empty)`);
    return latest;
  }
  return (await latestCheckpointIn(absolute)) ?? absolute;
}
