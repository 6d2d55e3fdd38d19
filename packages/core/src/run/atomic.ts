import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Write a file so that readers see either the old content or the complete new one: write a
 * temporary file in the same directory, flush it to disk, then rename over the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Atomically replace a directory: build it under a temporary name, then rename it into place. */
export function replaceDirectoryAtomic(target: string, build: (temporaryDir: string) => void): void {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const temporary = join(parent, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  mkdirSync(temporary);
  try {
    build(temporary);
    const previous = `${temporary}.old`;
    let hadPrevious = false;
    try {
      renameSync(target, previous);
      hadPrevious = true;
    } catch {
      // no previous directory
    }
    renameSync(temporary, target);
    if (hadPrevious) rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}
