import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const rlftBin = join(repoRoot, 'packages/cli/bin/run.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A scratch home for one test file: rlft's data, config and cache directories point into it,
 * so installed plugins never touch the user's own rlft.
 */
export class IsolatedRlft {
  readonly dir = mkdtempSync(join(tmpdir(), 'rlft-e2e-'));

  /** The environment a user's shell would give: no npm_* variables from the test runner, no colours. */
  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.toLowerCase().startsWith('npm_') && !key.startsWith('VITEST') && key !== 'NODE_ENV') env[key] = value;
    }
    return {
      ...env,
      RLFT_DATA_DIR: join(this.dir, 'data'),
      RLFT_CONFIG_DIR: join(this.dir, 'config'),
      RLFT_CACHE_DIR: join(this.dir, 'cache'),
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    };
  }

  /** Run `rlft …` with the real binary and wait for it to exit. */
  run(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
    return collect(this.spawn(args, options), options.timeoutMs ?? 60_000);
  }

  /** Start `rlft …` without waiting (to interrupt it). */
  spawn(args: readonly string[], options: { cwd?: string } = {}): ChildProcess {
    return spawn(process.execPath, [rlftBin, ...args], { cwd: options.cwd ?? repoRoot, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rlft did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** The last non-empty line of stdout, parsed as JSON (the `--json` contract). */
export function lastJsonLine(stdout: string): Record<string, any> {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Run npm the way `npm test` was run (its own CLI script under this Node), else the npm on PATH. */
export function npm(args: readonly string[], cwd: string): string {
  const npmCli = process.env.npm_execpath;
  const [command, commandArgs] = npmCli?.endsWith('.js') ? [process.execPath, [npmCli, ...args]] : ['npm', [...args]];
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  return result.stdout;
}

/** Build a plugin package and `npm pack` it into `packDir` (created): the tarball and the files it ships. */
export function buildAndPack(pluginDir: string, packDir: string): { tarball: string; files: string[] } {
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', pluginDir], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`building ${pluginDir} failed:\n${tsc.stdout}${tsc.stderr}`);
  mkdirSync(packDir, { recursive: true });
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', packDir], pluginDir)) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(packDir, packed.filename), files: packed.files.map((f) => f.path) };
}
