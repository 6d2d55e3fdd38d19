import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { MetricsLogger } from './metrics-logger.js';

/**
 * One run's directory: `config.json` (the resolved config), `metrics.jsonl`, `checkpoints/`,
 * `eval.json` and a human `summary.md`.
 */
export class RunDirectory {
  readonly path: string;
  readonly logger: MetricsLogger;

  private constructor(path: string) {
    this.path = path;
    mkdirSync(join(path, 'checkpoints'), { recursive: true });
    this.logger = new MetricsLogger(join(path, 'metrics.jsonl'));
  }

  /** Create a new run directory under `root` named `<name>-<timestamp>` (or `name` exactly when `exact`). */
  static create(root: string, name: string, options: { exact?: boolean; now?: Date } = {}): RunDirectory {
    const stamp = (options.now ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    if (options.exact) return new RunDirectory(resolve(root, name));
    mkdirSync(resolve(root), { recursive: true });
    // Claim the name with a non-recursive mkdir, which fails if the directory exists: runs
    // started in the same second by separate processes (seeds in parallel) get distinct names.
    for (let i = 1; ; i++) {
      const path = resolve(root, i === 1 ? `${name}-${stamp}` : `${name}-${stamp}-${i}`);
      try {
        mkdirSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      return new RunDirectory(path);
    }
  }

  /** Open an existing run directory (to resume it). */
  static open(path: string): RunDirectory {
    if (!existsSync(join(path, 'config.json'))) {
      throw new Error(`${path} is not a run directory: it has no config.json`);
    }
    return new RunDirectory(resolve(path));
  }

  get checkpointsDir(): string {
    return join(this.path, 'checkpoints');
  }

  writeJSON(name: string, value: unknown): void {
    writeFileAtomic(join(this.path, name), `${JSON.stringify(value, null, 2)}\n`);
  }

  readJSON<T>(name: string): T {
    return JSON.parse(readFileSync(join(this.path, name), 'utf8')) as T;
  }

  writeConfig(config: unknown): void {
    this.writeJSON('config.json', config);
  }

  writeSummary(markdown: string): void {
    writeFileAtomic(join(this.path, 'summary.md'), markdown);
  }
}
