import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UnsupportedError, Wrapper, writeFileAtomic, type Env, type EnvRegistry, type ResetOptions, type ResetResult, type StepResult } from '@rlft/core';
import { FlagValueError } from './key-values.js';
import { isRgbFrame, PngFrameEncoder } from './png-frame.js';

/** The render mode `rlft eval --record` makes the env with. */
export const RECORD_RENDER_MODE = 'rgb_array';
export const EPISODE_FILE = 'episode.json';

/** `frame-00000.png` is the state after reset, `frame-00001.png` after the first step, … */
export function frameFileName(index: number): string {
  return `frame-${String(index).padStart(5, '0')}.png`;
}

/** What `episode.json` holds. */
export interface RecordedEpisode {
  env: string;
  policy: string;
  seed: number | null;
  /** PNG files written: the reset frame plus one per step (length + 1). */
  frames: number;
  return: number;
  length: number;
  terminated: boolean;
  truncated: boolean;
  width: number;
  height: number;
}

/** Fails unless the env renders RGB frames; makes one env without a render mode to read its modes. */
export async function checkRecordable(registry: EnvRegistry, envId: string, envKwargs: Record<string, unknown>): Promise<void> {
  const env = await registry.make(envId, envKwargs);
  const modes = env.metadata.renderModes;
  env.close();
  if (!modes.includes(RECORD_RENDER_MODE)) {
    throw new FlagValueError(
      `--record needs RGB frames, but ${envId} has no '${RECORD_RENDER_MODE}' render mode (its render modes: ${modes.length ? modes.join(', ') : 'none'}).`,
    );
  }
}

/** Creates the recording directory, which must not exist yet or be empty, so that no old frame is mixed in. */
export function prepareRecordDirectory(dir: string): string {
  const path = resolve(dir);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new FlagValueError(`--record ${dir}: that path is a file; give a new or empty directory.`);
    const entries = readdirSync(path);
    if (entries.length > 0) {
      throw new FlagValueError(`--record ${dir}: the directory is not empty (${entries.length} entries); give a new or empty directory so that frames of different episodes do not mix.`);
    }
  }
  mkdirSync(path, { recursive: true });
  return path;
}

/**
 * Writes the first episode after it is created as PNG frames plus `episode.json`; later
 * episodes pass through unrendered (rendering is slow). The env must be in rgb_array mode.
 */
export class EpisodeRecorder<Obs = unknown, Act = unknown> extends Wrapper<Obs, Act> {
  private readonly encoder = new PngFrameEncoder();
  private phase: 'waiting' | 'recording' | 'done' = 'waiting';
  private seed: number | null = null;
  private frames = 0;
  private episodeReturn = 0;
  private length = 0;
  private width = 0;
  private height = 0;
  private recorded: RecordedEpisode | undefined;

  constructor(
    env: Env<Obs, Act>,
    private readonly directory: string,
    private readonly policyId: string,
  ) {
    super(env);
  }

  /** The episode written, once it has ended. */
  get result(): RecordedEpisode | undefined {
    return this.recorded;
  }

  override reset(options?: ResetOptions): ResetResult<Obs> {
    const result = super.reset(options);
    // evaluatePolicy resets only between episodes; a reset in the middle still closes the record.
    if (this.phase === 'recording') this.finish(false, false);
    else if (this.phase === 'waiting') {
      this.phase = 'recording';
      this.seed = options?.seed ?? null;
      this.capture();
    }
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    const result = super.step(action);
    if (this.phase === 'recording') {
      this.episodeReturn += result.reward;
      this.length++;
      this.capture();
      if (result.terminated || result.truncated) this.finish(result.terminated, result.truncated);
    }
    return result;
  }

  private capture(): void {
    const frame = this.env.render();
    if (!isRgbFrame(frame)) {
      throw new UnsupportedError(`${this.id}: render() in '${RECORD_RENDER_MODE}' mode returned ${describe(frame)}, not an RGB frame {width, height, data: Uint8Array of width·height·3 bytes}`);
    }
    this.width = frame.width;
    this.height = frame.height;
    writeFileSync(join(this.directory, frameFileName(this.frames)), this.encoder.encode(frame));
    this.frames++;
  }

  private finish(terminated: boolean, truncated: boolean): void {
    this.phase = 'done';
    this.recorded = {
      env: this.id,
      policy: this.policyId,
      seed: this.seed,
      frames: this.frames,
      return: this.episodeReturn,
      length: this.length,
      terminated,
      truncated,
      width: this.width,
      height: this.height,
    };
    writeFileAtomic(join(this.directory, EPISODE_FILE), `${JSON.stringify(this.recorded, null, 2)}\n`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return 'text';
  return typeof value === 'object' && value !== null ? `an object with keys ${Object.keys(value).join(', ')}` : typeof value;
}
