import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PluginHost, type Env } from '@rlft/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BALL_ON_PLATE_ID, OBS, OBS_SIZE } from './ball-on-plate.js';

// Workers and other processes import the plugin as an installed copy would be imported: the
// compiled entry, by path. `npm test` builds it first.
const builtPlugin = fileURLToPath(new URL('../dist/plugin.js', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const STEPS = 200;
const SEEDS = [11, 12];

let host: PluginHost;
/** For each seed: the actions of a PD controller and every observation of that episode, as bytes. */
const reference: { actions: Float32Array; observations: Uint8Array }[] = [];

beforeAll(async () => {
  if (!existsSync(builtPlugin)) throw new Error(`${builtPlugin} is missing: build the plugin first (npx tsc -b plugins/rapier-plate)`);
  host = await PluginHost.create();
  expect(await host.load(builtPlugin)).toBe(true);
  for (const seed of SEEDS) {
    const env = await host.registry.make<Float32Array, Float32Array>(BALL_ON_PLATE_ID);
    reference.push(recordEpisode(env, seed));
    env.close();
  }
});

/** Balances the ball with a PD controller so that no episode ends inside the window compared. */
function recordEpisode(env: Env<Float32Array, Float32Array>, seed: number): { actions: Float32Array; observations: Uint8Array } {
  const actions = new Float32Array(STEPS * 2);
  const observations = new Float32Array((STEPS + 1) * OBS_SIZE);
  let obs = env.reset({ seed }).obs;
  observations.set(obs, 0);
  for (let t = 0; t < STEPS; t++) {
    actions[2 * t] = Math.max(-1, Math.min(1, -8 * obs[OBS.ballX] - 4 * obs[OBS.ballVx]));
    actions[2 * t + 1] = Math.max(-1, Math.min(1, -8 * obs[OBS.ballY] - 4 * obs[OBS.ballVy]));
    const step = env.step(actions.subarray(2 * t, 2 * t + 2));
    if (step.terminated || step.truncated) throw new Error(`the reference episode of seed ${seed} ended at step ${t}`);
    obs = step.obs;
    observations.set(obs, (t + 1) * OBS_SIZE);
  }
  return { actions, observations: new Uint8Array(observations.buffer) };
}

// Replays given actions from given seeds in a fresh Node process and prints each episode's
// observations as hex bytes, one line per episode.
const replayScript = `
import { PluginHost } from '@rlft/core';
const [pluginPath, episodesJson] = process.argv.slice(1);
const host = await PluginHost.create();
if (!(await host.load(pluginPath))) throw host.failures[0].error;
const env = await host.registry.make('${BALL_ON_PLATE_ID}');
for (const { seed, actionsHex } of JSON.parse(episodesJson)) {
  const actions = new Float32Array(new Uint8Array(Buffer.from(actionsHex, 'hex')).buffer);
  const out = [env.reset({ seed }).obs];
  for (let t = 0; t < actions.length / 2; t++) out.push(env.step(actions.subarray(2 * t, 2 * t + 2)).obs);
  process.stdout.write(Buffer.concat(out.map((obs) => Buffer.from(obs.buffer))).toString('hex') + '\\n');
}
env.close();
`;

describe('determinism', () => {
  it('gives bit-identical observations in another process for the same seed and actions', () => {
    const episodes = SEEDS.map((seed, k) => ({ seed, actionsHex: Buffer.from(reference[k].actions.buffer).toString('hex') }));
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', replayScript, builtPlugin, JSON.stringify(episodes)], { cwd: packageDir, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trimEnd().split('\n')).toEqual(reference.map((r) => Buffer.from(r.observations).toString('hex')));
  });

  it('gives bit-identical observations in worker threads (makeVec, async)', async () => {
    const vector = await host.makeVec<Float32Array, Float32Array>(BALL_ON_PLATE_ID, SEEDS.length, { vectorizationMode: 'async', workers: 2 });
    try {
      const observations = SEEDS.map(() => new Float32Array((STEPS + 1) * OBS_SIZE));
      const record = (batch: Float32Array, t: number) => {
        for (let i = 0; i < SEEDS.length; i++) observations[i].set(batch.subarray(i * OBS_SIZE, (i + 1) * OBS_SIZE), t * OBS_SIZE);
      };
      record(vector.reset({ seed: [...SEEDS] }).obs, 0);
      const batchActions = new Float32Array(SEEDS.length * 2);
      for (let t = 0; t < STEPS; t++) {
        for (let i = 0; i < SEEDS.length; i++) batchActions.set(reference[i].actions.subarray(2 * t, 2 * t + 2), 2 * i);
        const step = vector.step(batchActions);
        expect(Array.from(step.terminations)).toEqual([0, 0]);
        record(step.obs, t + 1);
      }
      for (let i = 0; i < SEEDS.length; i++) expect(new Uint8Array(observations[i].buffer)).toEqual(reference[i].observations);
    } finally {
      vector.close();
    }
  });
});
