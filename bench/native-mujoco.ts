// Native MuJoCo for bench/mujoco.bench.ts: finds a C library (Debian's libmujoco-dev, installed
// when missing if this process runs as root with apt-get; or an unpacked MuJoCo directory given
// by the user), compiles native/mujoco-steps.c against it and runs it on an MJCF model.
// Plain erasable TypeScript, run directly by Node's type stripping.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./native/mujoco-steps.c', import.meta.url));

/** A native MuJoCo the benchmark program was compiled against. */
export interface NativeBuild {
  /** Where the library came from, for the report. */
  source: string;
  /** The compiled benchmark program. */
  binary: string;
}

export type NativeLookup = { build: NativeBuild } | { skipped: string };

export interface NativeMeasurement {
  source: string;
  mujocoVersion: string;
  /** Median over the repetitions. */
  stepsPerSecond: number;
  repetitions: number[];
  stepsPerRepetition: number;
  /** The root's x after 500 steps under the shared control sequence (compare with the WebAssembly run). */
  checkX: number;
  /** Set when the model had to be changed for an older MuJoCo. */
  modelNote?: string;
}

/**
 * Debian's libmujoco-dev (the system `-lmujoco`). When it is missing and `install` is set, it
 * is installed with apt-get, which needs root; otherwise the reason it is unavailable is returned.
 */
export function debianMujoco(workDir: string, install: boolean, log: (line: string) => void): NativeLookup {
  const source = "Debian's libmujoco-dev (system -lmujoco)";
  const gcc = run('gcc', ['--version']);
  if (gcc.error) return { skipped: 'gcc is not installed, so the native program cannot be compiled' };
  const binary = join(workDir, 'mujoco-steps-system');
  const first = compile(binary, ['-lmujoco']);
  if (first === undefined) return { build: { source, binary } };
  if (!install) return { skipped: `native MuJoCo is not installed (compiling against -lmujoco failed) and --no-install was given; install libmujoco-dev to compare` };
  if (process.getuid?.() !== 0) {
    return { skipped: 'native MuJoCo is not installed and this is not root, so the benchmark does not install it; run `sudo apt-get install -y libmujoco-dev` to compare' };
  }
  if (run('apt-get', ['--version']).error) return { skipped: 'native MuJoCo is not installed and apt-get is not available to install libmujoco-dev' };
  log('Installing libmujoco-dev with apt-get for the native comparison …');
  let installed = aptInstall();
  if (installed.status !== 0) {
    // The package lists may be missing or stale on a fresh machine.
    run('apt-get', ['update'], 600_000);
    installed = aptInstall();
  }
  if (installed.status !== 0) return { skipped: `apt-get install -y libmujoco-dev failed: ${lastLine(installed.stderr || installed.stdout)}` };
  const second = compile(binary, ['-lmujoco']);
  if (second !== undefined) return { skipped: `libmujoco-dev is installed but the program did not compile: ${lastLine(second)}` };
  return { build: { source, binary } };
}

/**
 * An unpacked MuJoCo: a directory holding `include/mujoco/mujoco.h` (directly, or under
 * `mujoco/` as in the Python wheel) and a `libmujoco.so*` (directly, under `lib/` or `mujoco/`).
 */
export function directoryMujoco(workDir: string, dir: string): NativeLookup {
  const includes = [join(dir, 'include'), join(dir, 'mujoco', 'include')].filter((path) => existsSync(join(path, 'mujoco', 'mujoco.h')));
  const libraries = [dir, join(dir, 'lib'), join(dir, 'mujoco')]
    .filter((path) => existsSync(path) && statSync(path).isDirectory())
    .flatMap((path) => readdirSync(path).filter((name) => /^libmujoco\.so(\.|$)/.test(name)).map((name) => join(path, name)));
  if (includes.length === 0 || libraries.length === 0) {
    return { skipped: `--native-mujoco ${dir}: expected include/mujoco/mujoco.h and libmujoco.so* in it (or under mujoco/ or lib/); found ${includes.length ? 'no library' : 'no headers'}` };
  }
  const library = libraries[0];
  const binary = join(workDir, 'mujoco-steps-directory');
  const failed = compile(binary, ['-I', includes[0], library, `-Wl,-rpath,${dirname(library)}`]);
  if (failed !== undefined) return { skipped: `--native-mujoco ${dir}: the program did not compile: ${lastLine(failed)}` };
  return { build: { source: `${basename(library)} from ${dir}`, binary } };
}

/**
 * Runs the compiled program on `modelPath`. MuJoCo releases before 3.0 do not know
 * `<size memory="…">` (it only sizes the arena): for them the attribute is removed from a copy.
 */
export function measureNative(build: NativeBuild, modelPath: string, workDir: string, repetitions: number, seconds: number): NativeMeasurement | { failed: string } {
  const timeoutMs = (repetitions + 4) * seconds * 4000 + 60_000;
  let result = run(build.binary, [modelPath, String(repetitions), String(seconds)], timeoutMs);
  let modelNote: string | undefined;
  if (result.status !== 0 && /unrecognized attribute: 'memory'/.test(result.stderr)) {
    const adjusted = join(workDir, `native-${basename(modelPath)}`);
    writeFileSync(adjusted, readFileSync(modelPath, 'utf8').replace(/\s+memory="[^"]*"/g, ''));
    modelNote = "<size memory> removed for this MuJoCo version, which predates it (it sizes the per-data arena only; the physics is unchanged)";
    result = run(build.binary, [adjusted, String(repetitions), String(seconds)], timeoutMs);
  }
  if (result.status !== 0) return { failed: `${build.binary} exited with ${result.status ?? result.signal}: ${lastLine(result.stderr)}` };
  const parsed = JSON.parse(result.stdout) as Omit<NativeMeasurement, 'source' | 'modelNote'>;
  return { source: build.source, ...parsed, ...(modelNote ? { modelNote } : {}) };
}

/** Compiles the benchmark program; returns the compiler's complaint, or undefined when it built. */
function compile(binary: string, args: readonly string[]): string | undefined {
  const result = run('gcc', ['-O2', '-o', binary, SOURCE, ...args, '-lm']);
  return result.status === 0 ? undefined : result.stderr || String(result.error);
}

function aptInstall(): SpawnSyncReturns<string> {
  return run('apt-get', ['install', '-y', '--no-install-recommends', 'libmujoco-dev'], 600_000);
}

function run(command: string, args: readonly string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((line) => line.trim() !== '');
  return lines.length ? lines[lines.length - 1].trim() : '(no output)';
}
