import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { ConstantPolicy, Discrete, Env, EnvRegistry, evaluatePolicy, UnsupportedError, type RgbFrame, type StepResult } from '@rlft/core';
import { checkRecordable, EpisodeRecorder, frameFileName, prepareRecordDirectory, RECORD_RENDER_MODE } from './episode-recorder.js';
import { FlagValueError } from './key-values.js';
import { isRgbFrame, PngFrameEncoder } from './png-frame.js';

const scratch = mkdtempSync(join(tmpdir(), 'rlft-recorder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const WIDTH = 5;
const HEIGHT = 3;
const EPISODE_LENGTH = 3;

/**
 * Ends after three steps with reward 0.5 each; its frames are a flat grey whose level is
 * 10 × the step count since reset, so every PNG file tells which state it shows.
 */
class CountingEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(EPISODE_LENGTH + 1);
  readonly actionSpace = new Discrete(2);
  private t = 0;
  renders = 0;
  constructor(modes: readonly string[] = ['ansi', 'rgb_array'], private readonly textFrames = false) {
    super();
    this.metadata = { renderModes: modes };
  }
  reset() {
    this.t = 0;
    return { obs: 0, info: {} };
  }
  step(): StepResult<number> {
    this.t++;
    return { obs: this.t, reward: 0.5, terminated: this.t === EPISODE_LENGTH, truncated: false, info: {} };
  }
  override render(): RgbFrame | string {
    this.renders++;
    if (this.textFrames) return `t=${this.t}`;
    return { width: WIDTH, height: HEIGHT, data: new Uint8Array(WIDTH * HEIGHT * 3).fill(10 * this.t) };
  }
}

function registry(env: () => CountingEnv): EnvRegistry {
  const envs = new EnvRegistry();
  envs.register({ id: 'Counting-v0', entryPoint: env });
  return envs;
}

describe('EpisodeRecorder', () => {
  it('writes the reset frame and one frame per step of the first episode, then episode.json; later episodes are not rendered', async () => {
    const dir = prepareRecordDirectory(join(scratch, 'two-episodes'));
    let inner: CountingEnv | undefined;
    const made = await registry(() => (inner = new CountingEnv())).make('Counting-v0', {}, { renderMode: RECORD_RENDER_MODE });
    const recorder = new EpisodeRecorder(made, dir, 'constant');
    const result = await evaluatePolicy(recorder, new ConstantPolicy(made.actionSpace), { episodes: 2, seed: 7 });
    recorder.close();

    expect(result.episodes.map((e) => e.length)).toEqual([EPISODE_LENGTH, EPISODE_LENGTH]);
    expect(inner!.renders).toBe(EPISODE_LENGTH + 1);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['episode.json', ...Array.from({ length: EPISODE_LENGTH + 1 }, (_, i) => frameFileName(i))]);
    for (let i = 0; i <= EPISODE_LENGTH; i++) {
      const png = PNG.sync.read(readFileSync(join(dir, frameFileName(i))));
      expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
      expect([png.data[0], png.data[1], png.data[2], png.data[3]]).toEqual([10 * i, 10 * i, 10 * i, 255]);
    }
    const episode = JSON.parse(readFileSync(join(dir, 'episode.json'), 'utf8'));
    expect(episode).toEqual({
      env: 'Counting-v0',
      policy: 'constant',
      seed: 7,
      frames: EPISODE_LENGTH + 1,
      return: 0.5 * EPISODE_LENGTH,
      length: EPISODE_LENGTH,
      terminated: true,
      truncated: false,
      width: WIDTH,
      height: HEIGHT,
    });
    expect(recorder.result).toEqual(episode);
  });

  it('names frames with five digits in step order', () => {
    expect([frameFileName(0), frameFileName(42), frameFileName(123456)]).toEqual(['frame-00000.png', 'frame-00042.png', 'frame-123456.png']);
  });

  it('refuses a render() that does not return an RGB frame', async () => {
    const dir = prepareRecordDirectory(join(scratch, 'text'));
    const made = await registry(() => new CountingEnv(['rgb_array'], true)).make('Counting-v0', {}, { renderMode: RECORD_RENDER_MODE });
    const recorder = new EpisodeRecorder(made, dir, 'constant');
    expect(() => recorder.reset({ seed: 0 })).toThrow(UnsupportedError);
    expect(() => new EpisodeRecorder(made, dir, 'constant').reset({ seed: 0 })).toThrow(/returned text, not an RGB frame/);
  });
});

describe('checkRecordable', () => {
  it('accepts an env with the rgb_array render mode', async () => {
    await expect(checkRecordable(registry(() => new CountingEnv()), 'Counting-v0', {})).resolves.toBeUndefined();
  });

  it("names the env's render modes when rgb_array is not among them", async () => {
    const ansiOnly = checkRecordable(registry(() => new CountingEnv(['ansi'])), 'Counting-v0', {});
    await expect(ansiOnly).rejects.toThrow(FlagValueError);
    await expect(checkRecordable(registry(() => new CountingEnv(['ansi'])), 'Counting-v0', {})).rejects.toThrow(
      "--record needs RGB frames, but Counting-v0 has no 'rgb_array' render mode (its render modes: ansi).",
    );
    await expect(checkRecordable(registry(() => new CountingEnv([])), 'Counting-v0', {})).rejects.toThrow('(its render modes: none)');
  });
});

describe('prepareRecordDirectory', () => {
  it('creates missing parents and accepts an existing empty directory', () => {
    const nested = join(scratch, 'a', 'b', 'frames');
    expect(prepareRecordDirectory(nested)).toBe(nested);
    expect(readdirSync(nested)).toEqual([]);
    expect(prepareRecordDirectory(nested)).toBe(nested);
  });

  it('refuses a directory with files in it, and a file', () => {
    const used = join(scratch, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'frame-00000.png'), '');
    expect(() => prepareRecordDirectory(used)).toThrow(/the directory is not empty \(1 entries\); give a new or empty directory/);
    expect(() => prepareRecordDirectory(join(used, 'frame-00000.png'))).toThrow(/that path is a file/);
  });
});

describe('PngFrameEncoder', () => {
  it('round-trips RGB frames exactly, also when the size changes', () => {
    const encoder = new PngFrameEncoder();
    for (const [width, height] of [[7, 4], [3, 9], [3, 9]]) {
      const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + width) % 256);
      const png = PNG.sync.read(encoder.encode({ width, height, data }));
      expect([png.width, png.height]).toEqual([width, height]);
      for (let p = 0; p < width * height; p++) {
        expect([png.data[4 * p], png.data[4 * p + 1], png.data[4 * p + 2]]).toEqual([data[3 * p], data[3 * p + 1], data[3 * p + 2]]);
      }
    }
  });

  it('isRgbFrame checks the size against the bytes', () => {
    expect(isRgbFrame({ width: 2, height: 2, data: new Uint8Array(12) })).toBe(true);
    expect(isRgbFrame({ width: 2, height: 2, data: new Uint8Array(16) })).toBe(false);
    expect(isRgbFrame({ width: 0, height: 2, data: new Uint8Array(0) })).toBe(false);
    expect(isRgbFrame('frame')).toBe(false);
    expect(isRgbFrame(undefined)).toBe(false);
  });
});
