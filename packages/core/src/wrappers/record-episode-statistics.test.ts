import { describe, expect, it } from 'vitest';
import { Env, type StepResult } from '../env.js';
import { Box } from '../spaces/box.js';
import { Discrete } from '../spaces/discrete.js';
import { RecordEpisodeStatistics, type EpisodeStatistics } from './record-episode-statistics.js';

/** Pays the scripted rewards in order and terminates after the last one; hands out one shared info object. */
class ScriptedRewardsEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box({ low: 0, high: 100, shape: [1] });
  readonly actionSpace = new Discrete(2);
  private t = 0;
  static readonly sharedInfo = Object.freeze({ source: 'scripted' });
  constructor(private readonly rewards: readonly number[]) {
    super();
  }
  reset() {
    this.t = 0;
    return { obs: new Float32Array([0]), info: {} };
  }
  step(): StepResult<Float32Array> {
    const reward = this.rewards[this.t++];
    return { obs: new Float32Array([this.t]), reward, terminated: this.t === this.rewards.length, truncated: false, info: ScriptedRewardsEnv.sharedInfo };
  }
}

function runEpisode(env: RecordEpisodeStatistics<Float32Array, number>): StepResult<Float32Array> {
  env.reset();
  for (;;) {
    const result = env.step(0);
    if (result.terminated || result.truncated) return result;
    expect(result.info.episode).toBeUndefined();
  }
}

describe('RecordEpisodeStatistics', () => {
  it('puts return, length and time into the info of the final step', () => {
    const env = new RecordEpisodeStatistics(new ScriptedRewardsEnv([1, 0.5, -2, 4]));
    const last = runEpisode(env);
    const stats = last.info.episode as EpisodeStatistics;
    expect(stats.r).toBe(3.5);
    expect(stats.l).toBe(4);
    expect(stats.t).toBeGreaterThanOrEqual(0);
    expect(stats.t).toBeLessThan(5);
    // the env's own info keys are kept, and its shared (frozen) info object is not touched
    expect(last.info.source).toBe('scripted');
    expect(ScriptedRewardsEnv.sharedInfo).not.toHaveProperty('episode');
    expect(env.episodeCount).toBe(1);
  });

  it('keeps the most recent returns and lengths, oldest first, up to bufferLength', () => {
    const rewards = [1, 2, 3];
    const env = new RecordEpisodeStatistics(new ScriptedRewardsEnv(rewards), { bufferLength: 2 });
    expect(env.returnQueue).toEqual([]);
    runEpisode(env);
    expect(env.returnQueue).toEqual([6]);
    expect(env.lengthQueue).toEqual([3]);
    runEpisode(env);
    runEpisode(env);
    expect(env.returnQueue).toEqual([6, 6]);
    expect(env.lengthQueue).toEqual([3, 3]);
    expect(env.timeQueue).toHaveLength(2);
    expect(env.episodeCount).toBe(3);
  });

  it('drops the oldest episodes first (default buffer of 100)', () => {
    let episode = 0;
    class GrowingEnv extends ScriptedRewardsEnv {
      override reset() {
        episode++;
        return super.reset();
      }
      override step() {
        const result = super.step();
        result.reward = episode;
        return result;
      }
    }
    const env = new RecordEpisodeStatistics(new GrowingEnv([0]));
    expect(env.bufferLength).toBe(100);
    for (let i = 0; i < 105; i++) runEpisode(env);
    const queue = env.returnQueue;
    expect(queue).toHaveLength(100);
    expect(queue[0]).toBe(6);
    expect(queue[99]).toBe(105);
  });

  it('starts counting afresh on reset, even mid-episode', () => {
    const env = new RecordEpisodeStatistics(new ScriptedRewardsEnv([10, 10, 1]));
    env.reset();
    env.step(0);
    const last = runEpisode(env);
    expect((last.info.episode as EpisodeStatistics).r).toBe(21);
    expect((last.info.episode as EpisodeStatistics).l).toBe(3);
  });

  it('refuses to overwrite an info key the env already uses, and bad buffer sizes', () => {
    const env = new RecordEpisodeStatistics(new ScriptedRewardsEnv([1]), { statsKey: 'source' });
    env.reset();
    expect(() => env.step(0)).toThrow(/info already has a 'source' key/);
    expect(() => new RecordEpisodeStatistics(new ScriptedRewardsEnv([1]), { bufferLength: 0 })).toThrow(/positive integer bufferLength/);
  });
});
